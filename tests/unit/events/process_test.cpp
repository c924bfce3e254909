// The process object: 'uncaughtException' for exceptions escaping a callback
// (Node: process.on('uncaughtException'), test-process-uncaught-exception*).
#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "nodecc/events/process.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc {
namespace {

// Node: test-process-uncaught-exception.js style — a listener receives the
// exception thrown from a callback, ticks queued by that callback still run,
// and the program continues.
TEST(ProcessObject, UncaughtExceptionListenerReceivesAndProgramContinues) {
    Loop loop;
    std::vector<std::string> log;
    const events::Listener handler =
        process::on(process::kUncaughtException, [&](std::exception_ptr error) {
            log.push_back("uncaught " + process::describeException(error));
        });
    makeCallback(loop, newAsyncId(), 0, [&] {
        process::nextTick([&] { log.emplace_back("tick"); });
        throw Error("ERR_TEST", "boom");
    });
    log.emplace_back("after");
    makeCallback(loop, newAsyncId(), 0, [] { throw std::runtime_error("second"); });
    process::object().off(process::kUncaughtException, handler);
    EXPECT_EQ(log, (std::vector<std::string>{"uncaught Error [ERR_TEST]: boom", "tick", "after",
                                             "uncaught Error: second"}));
}

// A once listener takes one uncaught exception; the next one is fatal again.
TEST(ProcessObject, OnceUncaughtExceptionListener) {
    Loop loop;
    int seen = 0;
    process::once("uncaughtException", [&](std::exception_ptr) { ++seen; });
    makeCallback(loop, newAsyncId(), 0, [] { throw Error("ERR_ONCE", "x"); });
    EXPECT_EQ(seen, 1);
    EXPECT_EQ(process::object().listenerCount(process::kUncaughtException), 0u);
}

// Node: without 'uncaughtException' listeners the error is printed and the
// process exits with code 1.
TEST(ProcessObjectDeathTest, UncaughtWithoutListenerExitsWithOne) {
    ASSERT_EQ(process::object().listenerCount(process::kUncaughtException), 0u);
    EXPECT_EXIT(
        {
            Loop loop;
            makeCallback(loop, newAsyncId(), 0, [] { throw Error("ERR_FATAL", "fatal boom"); });
            std::_Exit(0);  // not reached
        },
        testing::ExitedWithCode(1), "Uncaught Error \\[ERR_FATAL\\]: fatal boom");
}

// Node: an exception thrown by an 'uncaughtException' listener is fatal with exit code 7.
TEST(ProcessObjectDeathTest, ThrowingUncaughtExceptionListenerExitsWithSeven) {
    EXPECT_EXIT(
        {
            process::on(process::kUncaughtException,
                        [](std::exception_ptr) { throw Error("ERR_IN_HANDLER", "again"); });
            Loop loop;
            makeCallback(loop, newAsyncId(), 0, [] { throw Error("ERR_FIRST", "first"); });
            std::_Exit(0);
        },
        testing::ExitedWithCode(7), "Uncaught.*ERR_IN_HANDLER");
}

}  // namespace
}  // namespace nodecc
