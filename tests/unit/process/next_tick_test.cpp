// process.nextTick / queueMicrotask / processTicksAndRejections
// (NODE-BEHAVIOUR §5.2) and async ids (§5.4).
#include "nodecc/process/next_tick.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nodecc/process/async_id.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/uncaught.hpp"
#include "nodecc/timers/timers.hpp"
#include "runtime_test_support.hpp"

namespace {

using nodecc::Loop;
using nodecc::process::nextTick;
using nodecc::process::queueMicrotask;

using nodecc::test::joined;

// NODE-BEHAVIOUR §5.2, observed from the main module: the whole tick queue
// (including ticks queued meanwhile) runs before any microtask.
TEST(NextTick, TicksThenMicrotasksFromTopLevel) {
    Loop loop;
    std::vector<std::string> log;
    nextTick([&] {
        log.push_back("tick1");
        nextTick([&] { log.push_back("tick-nested"); });
        queueMicrotask([&] { log.push_back("micro-from-tick"); });
    });
    queueMicrotask([&] {
        log.push_back("micro1");
        nextTick([&] { log.push_back("tick-from-micro"); });
    });
    queueMicrotask([&] { log.push_back("micro2"); });
    log.push_back("sync");
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(joined(log),
              "sync > tick1 > tick-nested > micro1 > micro2 > micro-from-tick > tick-from-micro");
}

// An embedder's processTicksAndRejections() called from inside a tick (code with its own
// libuv handles may do so) runs nothing twice and keeps the order: the drain already
// running goes on. A tick's captures are released once it has run, before the next one.
TEST(NextTick, DrainFromInsideATickRunsEachTickOnceInOrder) {
    Loop loop;
    std::vector<std::string> log;
    auto token = std::make_shared<int>(7);
    std::weak_ptr<int> watch = token;
    nextTick([&, token] {
        log.push_back("tick1");
        nextTick([&] { log.push_back("tick3"); });
        nodecc::process::processTicksAndRejections(loop);
        log.push_back("tick1-end");
    });
    token.reset();
    nextTick(
        [&] { log.push_back(watch.expired() ? "tick2 (tick1 released)" : "tick2 (tick1 held)"); });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(joined(log), "tick1 > tick1-end > tick2 (tick1 released) > tick3");
}

// Node: test/parallel/test-next-tick-ordering.js — a tick scheduled before 30
// timers of 0..29 ms runs before all of them.
TEST(NextTick, RunsBeforeTimersScheduledEarlier) {
    Loop loop;
    std::vector<std::string> done;
    nextTick([&] { done.push_back("nextTick"); });
    for (int i = 0; i < 30; ++i) {
        nodecc::setTimeout([&done, i] { done.push_back(std::to_string(i)); }, i);
    }
    loop.run();
    ASSERT_EQ(done.size(), 31U);
    EXPECT_EQ(done.front(), "nextTick");
}

// Node: test/parallel/test-next-tick-ordering2.js — a tick queued from a tick
// runs before a setTimeout(0) queued from that same tick.
TEST(NextTick, NestedTickBeforeTimeoutScheduledInTick) {
    Loop loop;
    std::vector<std::string> order;
    nextTick([&] {
        nodecc::setTimeout([&] { order.push_back("setTimeout"); }, 0);
        nextTick([&] { order.push_back("nextTick"); });
    });
    loop.run();
    EXPECT_EQ(joined(order), "nextTick > setTimeout");
}

// Node: test/parallel/test-next-tick-fixed-queue-regression.js — 2047 ticks
// queued from a microtask, plus one more that clears an immediate: the tick
// queue crosses the 2048-slot block boundary and must drain fully in one go.
TEST(NextTick, FixedQueueBoundaryFromMicrotaskDrainsFully) {
    Loop loop;
    int ran = 0;
    bool immediateRan = false;
    nextTick([&] {
        queueMicrotask([&] {
            for (int i = 0; i < 2047; ++i) nextTick([&] { ++ran; });
            auto immediate = nodecc::setImmediate([&] { immediateRan = true; });
            nextTick([&ran, immediate] {
                ++ran;
                nodecc::clearImmediate(immediate);
            });
        });
    });
    loop.run();
    EXPECT_EQ(ran, 2048);
    EXPECT_FALSE(immediateRan);
    EXPECT_EQ(loop.tickQueue().blockCount(), 1U);
}

TEST(NextTick, ManyTicksAcrossBlocksRunInOrder) {
    Loop loop;
    constexpr int kTicks = 10'000;
    std::vector<int> seen;
    seen.reserve(kTicks);
    for (int i = 0; i < kTicks; ++i) nextTick([&seen, i] { seen.push_back(i); });
    loop.run();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kTicks));
    for (int i = 0; i < kTicks; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(loop.tickQueue().blockCount(), 1U);
}

// ---- async ids (NODE-BEHAVIOUR §5.4) --------------------------------------

TEST(AsyncIds, TopLevelIsOneAndZero) {
    Loop loop;
    EXPECT_EQ(nodecc::executionAsyncId(), nodecc::kTopLevelAsyncId);
    EXPECT_EQ(nodecc::triggerAsyncId(), 0);
    EXPECT_EQ(nodecc::defaultTriggerAsyncId(), nodecc::kTopLevelAsyncId);
}

TEST(AsyncIds, NewAsyncIdIncreases) {
    const auto a = nodecc::newAsyncId();
    const auto b = nodecc::newAsyncId();
    EXPECT_EQ(b, a + 1);
}

// A tick's callback runs with executionAsyncId = its own id and trigger = the
// context that queued it; a tick queued from a tick is triggered by the outer one.
TEST(AsyncIds, TickRunsInItsOwnContext) {
    Loop loop;
    nodecc::AsyncId outerExec = 0, outerTrigger = -1, innerExec = 0, innerTrigger = -1;
    nextTick([&] {
        outerExec = nodecc::executionAsyncId();
        outerTrigger = nodecc::triggerAsyncId();
        nextTick([&] {
            innerExec = nodecc::executionAsyncId();
            innerTrigger = nodecc::triggerAsyncId();
        });
    });
    loop.run();
    EXPECT_GT(outerExec, nodecc::kTopLevelAsyncId);
    EXPECT_EQ(outerTrigger, nodecc::kTopLevelAsyncId);
    EXPECT_GT(innerExec, outerExec);
    EXPECT_EQ(innerTrigger, outerExec);
    EXPECT_EQ(nodecc::executionAsyncId(), nodecc::kTopLevelAsyncId);
}

// Node: defaultTriggerAsyncIdScope(id, fn) — seed 2-3-6.
TEST(AsyncIds, DefaultTriggerAsyncIdScopeSetsTriggerOfNewResources) {
    Loop loop;
    nodecc::AsyncId seen = -1;
    {
        nodecc::DefaultTriggerAsyncIdScope scope(4242);
        EXPECT_EQ(nodecc::defaultTriggerAsyncId(), 4242);
        {
            nodecc::DefaultTriggerAsyncIdScope inner(7);
            EXPECT_EQ(nodecc::defaultTriggerAsyncId(), 7);
        }
        EXPECT_EQ(nodecc::defaultTriggerAsyncId(), 4242);
        nextTick([&] { seen = nodecc::triggerAsyncId(); });
    }
    EXPECT_EQ(nodecc::defaultTriggerAsyncId(), nodecc::kTopLevelAsyncId);
    loop.run();
    EXPECT_EQ(seen, 4242);
}

// ---- uncaught exceptions ---------------------------------------------------

// Node: an 'uncaughtException' listener takes the error and the process goes on;
// the ticks queued after the throwing one still run.
TEST(UncaughtException, InTickGoesToHandlerAndQueueContinues) {
    nodecc::test::UncaughtRecorder uncaught;
    Loop loop;
    std::vector<std::string> log;
    nextTick([] { throw std::runtime_error("boom"); });
    nextTick([&] { log.push_back("after"); });
    queueMicrotask([&] { log.push_back("micro"); });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(uncaught.errors, std::vector<std::string>{"Error: boom"});
    EXPECT_EQ(joined(log), "after > micro");
}

// Node: with no listener the error is printed and the process exits with code 1.
TEST(UncaughtExceptionDeathTest, InTickWithoutHandlerExitsWithCode1) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            nodecc::process::detail::setUncaughtExceptionHandler(nullptr);
            Loop loop;
            nextTick([] { throw std::runtime_error("boom"); });
            loop.run();
            std::exit(0);
        },
        ::testing::ExitedWithCode(1), "Uncaught Error: boom");
}

}  // namespace
