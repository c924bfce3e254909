// The 'error' event, events::errorMonitor, and the max-listeners warning
// (NODE-BEHAVIOUR.md §6).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "nodecc/events/event_emitter.hpp"
#include "nodecc/events/process.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::events {
namespace {

template <class F>
std::string unhandledMessage(F&& emitIt) {
    try {
        emitIt();
    } catch (const Error& err) {
        return err.code() + ": " + err.message();
    }
    return "no throw";
}

// Node: test-event-emitter-errors.js — emit('error') without a listener throws the error itself.
TEST(EventEmitterErrors, ErrorWithoutListenerThrowsIt) {
    EventEmitter e;
    try {
        e.emit(kError, Error("ECONNRESET", "read ECONNRESET"));
        FAIL() << "no throw";
    } catch (const Error& err) {
        EXPECT_EQ(err.code(), "ECONNRESET");
        EXPECT_EQ(err.message(), "read ECONNRESET");
    }
    EXPECT_THROW(e.emit("error", Error("EPIPE", "write EPIPE")), Error);
}

// Node: test-event-emitter-errors.js — a non-Error becomes ERR_UNHANDLED_ERROR
// with util.inspect of the value.
TEST(EventEmitterErrors, NonErrorBecomesUnhandledError) {
    EventEmitter e;
    EXPECT_EQ(unhandledMessage([&] { e.emit("error", "Accepts a string"); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. ('Accepts a string')");
    EXPECT_EQ(unhandledMessage([&] { e.emit("error", std::string("str")); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. ('str')");
    EXPECT_EQ(unhandledMessage([&] { e.emit("error"); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. (undefined)");
    EXPECT_EQ(unhandledMessage([&] { e.emit("error", 42); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. (42)");
    EXPECT_EQ(unhandledMessage([&] { e.emit("error", 1.5); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. (1.5)");
    EXPECT_EQ(unhandledMessage([&] { e.emit("error", true); }),
              "ERR_UNHANDLED_ERROR: Unhandled error. (true)");
}

// An std::exception_ptr emitted as 'error' without a listener is rethrown.
TEST(EventEmitterErrors, ExceptionPtrIsRethrown) {
    EventEmitter e;
    auto ptr = std::make_exception_ptr(std::runtime_error("inner"));
    EXPECT_THROW(e.emit("error", ptr), std::runtime_error);
}

// With an 'error' listener nothing is thrown; the listener gets the error.
TEST(EventEmitterErrors, ListenerHandlesError) {
    EventEmitter e;
    std::string code;
    e.on(kError, [&](const Error& err) { code = err.code(); });
    EXPECT_TRUE(e.emit(kError, Error("ECONNRESET", "x")));
    EXPECT_EQ(code, "ECONNRESET");
}

// Node: test-event-emitter-error-monitor.js — errorMonitor listeners run
// first, and the error is still thrown when no 'error' listener exists.
TEST(EventEmitterErrorMonitor, RunsFirstAndDoesNotHandle) {
    EventEmitter e;
    std::vector<std::string> order;
    e.on(errorMonitor, [&](const Error& err) { order.push_back("monitor:" + err.code()); });
    try {
        e.emit(kError, Error("EBOOM", "boom"));
        FAIL() << "no throw";
    } catch (const Error& err) {
        order.push_back("thrown:" + err.code());
    }
    e.on("error", [&](const Error&) { order.emplace_back("listener"); });
    e.emit("error", Error("EBOOM", "boom"));
    EXPECT_EQ(order, (std::vector<std::string>{"monitor:EBOOM", "thrown:EBOOM", "monitor:EBOOM",
                                               "listener"}));
    EXPECT_EQ(e.listenerCount(kError), 1u);
    EXPECT_EQ(e.listenerCount(errorMonitor), 1u);
}

// Node: emit(errorMonitor, ...) directly is an ordinary event.
TEST(EventEmitterErrorMonitor, MonitorAloneIsNotAnErrorEvent) {
    EventEmitter e;
    EXPECT_FALSE(e.emit(errorMonitor, Error("E", "m")));
}

// Captures process 'warning' events (Node: process.on('warning')) for one test.
class WarningCapture {
  public:
    WarningCapture() {
        handle_ =
            process::on(process::kWarning, [this](std::string_view type, std::string_view msg) {
                warnings.push_back(std::string(type) + ": " + std::string(msg));
            });
    }
    ~WarningCapture() { process::object().off(process::kWarning, handle_); }
    std::vector<std::string> warnings;

  private:
    Listener handle_;
};

// Node: test-event-emitter-max-listeners-warning.js — the warning fires once
// per event name at the 11th listener, with Node's text, from a tick.
TEST(EventEmitterMaxListeners, WarnsOncePerEventAtEleventh) {
    Loop loop;
    WarningCapture capture;
    EventEmitter e;
    testing::internal::CaptureStderr();
    for (int i = 0; i < 10; ++i) e.on("z", [] {});
    loop.run();
    EXPECT_TRUE(capture.warnings.empty());
    e.on("z", [] {});
    EXPECT_TRUE(capture.warnings.empty()) << "Node emits 'warning' from process.nextTick";
    e.on("z", [] {});
    for (int i = 0; i < 11; ++i) e.on("y", [] {});
    loop.run();
    const std::string stderrText = testing::internal::GetCapturedStderr();
    const std::string z =
        "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 z listeners "
        "added to [EventEmitter]. MaxListeners is 10. Use emitter.setMaxListeners() to increase "
        "limit";
    const std::string y =
        "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 y listeners "
        "added to [EventEmitter]. MaxListeners is 10. Use emitter.setMaxListeners() to increase "
        "limit";
    EXPECT_EQ(capture.warnings, (std::vector<std::string>{z, y}));
    EXPECT_NE(stderrText.find("(nodecc:" + std::to_string(::getpid()) + ") " + z + "\n"),
              std::string::npos)
        << stderrText;
}

// Node: test-event-emitter-max-listeners-warning.js — setMaxListeners(1):
// the second listener triggers it, the third does not.
TEST(EventEmitterMaxListeners, CustomLimit) {
    Loop loop;
    WarningCapture capture;
    EventEmitter e;
    EXPECT_EQ(&e.setMaxListeners(1), &e);
    EXPECT_EQ(e.getMaxListeners(), 1);
    testing::internal::CaptureStderr();
    e.on("event-type", [] {});
    e.on("event-type", [] {});
    e.on("event-type", [] {});
    loop.run();
    testing::internal::GetCapturedStderr();
    ASSERT_EQ(capture.warnings.size(), 1u);
    EXPECT_NE(capture.warnings[0].find(
                  "2 event-type listeners added to [EventEmitter]. MaxListeners is 1."),
              std::string::npos)
        << capture.warnings[0];
}

// Node: the 'warned' mark lives on the listener array: after the event falls
// back to a single listener, passing the limit again warns again.
TEST(EventEmitterMaxListeners, WarnsAgainAfterFallingBackToOneListener) {
    Loop loop;
    WarningCapture capture;
    EventEmitter e;
    e.setMaxListeners(1);
    testing::internal::CaptureStderr();
    const Listener first = e.on("x", [] {});
    const Listener second = e.on("x", [] {});
    const Listener third = e.on("x", [] {});
    e.off("x", second);
    EXPECT_EQ(e.listenerCount("x"), 2u);
    e.on("x", second);  // still above the limit, same array: no new warning
    loop.run();
    EXPECT_EQ(capture.warnings.size(), 1u);
    e.off("x", second);
    e.off("x", third);
    ASSERT_EQ(e.listenerCount("x"), 1u);
    e.on("x", third);
    loop.run();
    testing::internal::GetCapturedStderr();
    EXPECT_EQ(capture.warnings.size(), 2u);
}

// Node: setMaxListeners(0) means unlimited; defaultMaxListeners is 10.
TEST(EventEmitterMaxListeners, ZeroIsUnlimited) {
    Loop loop;
    WarningCapture capture;
    EventEmitter e;
    EXPECT_EQ(e.getMaxListeners(), 10);
    EXPECT_EQ(EventEmitter::defaultMaxListeners, 10);
    e.setMaxListeners(0);
    for (int i = 0; i < 100; ++i) e.on("many", [] {});
    loop.run();
    EXPECT_TRUE(capture.warnings.empty());
}

// Node: test-event-emitter-max-listeners.js — a negative limit throws ERR_OUT_OF_RANGE.
TEST(EventEmitterMaxListeners, NegativeThrowsOutOfRange) {
    EventEmitter e;
    EXPECT_EQ(
        unhandledMessage([&] { e.setMaxListeners(-1); }),
        "ERR_OUT_OF_RANGE: The value of \"setMaxListeners\" is out of range. It must be >= 0. "
        "Received -1");
    EXPECT_EQ(e.getMaxListeners(), 10);
}

}  // namespace
}  // namespace nodecc::events
