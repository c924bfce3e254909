// setImmediate / clearImmediate (Node: lib/timers.js, processImmediate).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../process/runtime_test_support.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/uncaught.hpp"
#include "nodecc/timers/timers.hpp"

namespace {

using nodecc::Loop;
using nodecc::timers::ImmediatePtr;

// Node: test/parallel/test-timers-immediate-queue.js — immediates queued while
// the queue runs wait for the next loop turn, so a 1 ms timer gets a turn in
// between and stops the chain: exactly QUEUE callbacks run.
TEST(Immediate, QueuedWhileRunningWaitForTheNextTurn) {
    Loop loop;
    constexpr int kQueue = 10;
    bool ticked = false;
    int hit = 0;
    std::function<void()> run = [&] {
        if (hit == 0) {
            nodecc::setTimeout([&] { ticked = true; }, 1);
            // Node spins 2 ms of Date.now(); loop time is what the timer compares.
            const auto start = loop.now();
            do {
                loop.updateTime();
            } while (loop.now() - start < 2);
        }
        if (ticked || hit > 100 * kQueue) return;  // bounded even if the queue is not detached
        hit += 1;
        nodecc::setImmediate([&] { run(); });
    };
    for (int i = 0; i < kQueue; ++i) nodecc::setImmediate([&] { run(); });
    loop.run();
    EXPECT_EQ(hit, kQueue);
}

TEST(Immediate, RunInSchedulingOrder) {
    Loop loop;
    std::string order;
    for (char c = 'a'; c <= 'e'; ++c) nodecc::setImmediate([&order, c] { order += c; });
    loop.run();
    EXPECT_EQ(order, "abcde");
}

TEST(Immediate, ClearedByAnEarlierImmediateDoesNotRun) {
    Loop loop;
    std::string order;
    ImmediatePtr second;
    nodecc::setImmediate([&] {
        order += "1";
        nodecc::clearImmediate(second);
    });
    second = nodecc::setImmediate([&] { order += "2"; });
    nodecc::setImmediate([&] { order += "3"; });
    loop.run();
    EXPECT_EQ(order, "13");
    EXPECT_TRUE(second->destroyed());
}

TEST(Immediate, ClearReleasesTheCallback) {
    Loop loop;
    auto tracker = std::make_shared<int>(0);
    bool ran = false;
    auto im = nodecc::setImmediate([&ran, tracker] { ran = true; });
    EXPECT_EQ(tracker.use_count(), 2);
    nodecc::clearImmediate(im);
    EXPECT_EQ(tracker.use_count(), 1);
    nodecc::clearImmediate(im);       // twice: a no-op
    nodecc::clearImmediate(nullptr);  // Node: clearImmediate(null) is a no-op
    loop.run();
    EXPECT_FALSE(ran);
}

TEST(Immediate, KeptAliveUntilItRunsAndDestroyedAfter) {
    Loop loop;
    std::weak_ptr<nodecc::timers::Immediate> weak;
    bool ran = false;
    {
        auto im = nodecc::setImmediate([&] { ran = true; });
        EXPECT_TRUE(im->hasRef());
        EXPECT_FALSE(im->destroyed());
        weak = im;
    }
    loop.run();
    EXPECT_TRUE(ran);
    EXPECT_TRUE(weak.expired());
}

// Node: an unref'd immediate does not keep the loop alive on its own.
TEST(Immediate, UnrefdAloneDoesNotKeepTheLoop) {
    Loop loop;
    bool ran = false;
    auto im = nodecc::setImmediate([&] { ran = true; });
    im->unref();
    EXPECT_FALSE(im->hasRef());
    loop.run();
    EXPECT_FALSE(ran);
    nodecc::clearImmediate(im);
}

TEST(Immediate, UnrefdRunsWhenTheLoopTurnsAnyway) {
    Loop loop;
    bool ran = false;
    nodecc::setImmediate([&] { ran = true; })->unref();
    nodecc::setTimeout([] {}, 20);
    loop.run();
    EXPECT_TRUE(ran);
}

// Node: toggleImmediateRef — while ref'd immediates wait, poll does not block,
// so a chain of immediates is not paced by a pending far-away timer.
TEST(Immediate, PendingImmediatesMakePollNonBlocking) {
    Loop loop;
    const auto start = (loop.updateTime(), loop.now());
    auto far = nodecc::setTimeout([] {}, 5000);
    int remaining = 200;
    std::function<void()> step = [&] {
        if (--remaining > 0) {
            nodecc::setImmediate([&] { step(); });
        } else {
            nodecc::clearTimeout(far);
        }
    };
    nodecc::setImmediate([&] { step(); });
    loop.run();
    loop.updateTime();
    EXPECT_EQ(remaining, 0);
    EXPECT_LT(loop.now() - start, 2000U);
}

TEST(Immediate, RunsInItsOwnAsyncContext) {
    Loop loop;
    nodecc::AsyncId exec = 0, trig = -1, tickTrigger = 0;
    auto im = nodecc::setImmediate([&] {
        exec = nodecc::executionAsyncId();
        trig = nodecc::triggerAsyncId();
        nodecc::process::nextTick([&] { tickTrigger = nodecc::triggerAsyncId(); });
    });
    loop.run();
    EXPECT_EQ(exec, im->asyncId());
    EXPECT_EQ(trig, nodecc::kTopLevelAsyncId);
    EXPECT_EQ(im->triggerAsyncId(), nodecc::kTopLevelAsyncId);
    EXPECT_EQ(tickTrigger, im->asyncId());
}

TEST(Immediate, ExceptionGoesToHandlerAndTheQueueGoesOn) {
    nodecc::test::UncaughtRecorder uncaught;
    std::string order;
    Loop loop;
    nodecc::setImmediate([&] {
        nodecc::process::nextTick([&] { order += "tick "; });
        throw std::runtime_error("boom");
    });
    nodecc::setImmediate([&] { order += "next"; });
    loop.run();
    EXPECT_EQ(uncaught.errors, std::vector<std::string>{"Error: boom"});
    EXPECT_EQ(order, "tick next");
}

}  // namespace
