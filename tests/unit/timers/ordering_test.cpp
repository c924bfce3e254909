// Where timers, immediates, ticks and microtasks run relative to each other
// (NODE-BEHAVIOUR §5.2, observed with Node v20).
#include <uv.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../process/runtime_test_support.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace {

using nodecc::Loop;
using nodecc::process::nextTick;
using nodecc::process::queueMicrotask;

using nodecc::test::joined;
using nodecc::test::spinLoopTime;

// Since Node 11, runNextTicks runs between immediates.
TEST(Ordering, TicksRunBetweenImmediates) {
    Loop loop;
    std::vector<std::string> log;
    nodecc::setImmediate([&] {
        log.push_back("I1");
        nextTick([&] { log.push_back("tick-after-I1"); });
    });
    nodecc::setImmediate([&] { log.push_back("I2"); });
    loop.run();
    EXPECT_EQ(joined(log), "I1 > tick-after-I1 > I2");
}

// T1 queues a tick and a microtask; T2 is due in the same timers phase.
std::string timersWithTicksBetween(std::uint64_t t2ms) {
    Loop loop;
    std::vector<std::string> log;
    nodecc::setTimeout(
        [&] {
            log.push_back("T1");
            queueMicrotask([&] { log.push_back("micro-after-T1"); });
            nextTick([&] { log.push_back("tick-after-T1"); });
        },
        1);
    nodecc::setTimeout([&] { log.push_back("T2"); }, static_cast<double>(t2ms));
    spinLoopTime(loop, t2ms + 1);
    loop.run();
    return joined(log);
}

TEST(Ordering, TicksAndMicrotasksRunBetweenTimersOfOneList) {
    EXPECT_EQ(timersWithTicksBetween(1), "T1 > tick-after-T1 > micro-after-T1 > T2");
}

// Two lists due in the same pass: processTimers runs runNextTicks between lists too.
TEST(Ordering, TicksAndMicrotasksRunBetweenTimersOfDifferentLists) {
    EXPECT_EQ(timersWithTicksBetween(2), "T1 > tick-after-T1 > micro-after-T1 > T2");
}

// Inside an I/O callback: tick > micro > immediate > timeout, always (the check
// phase follows poll; timers wait for the next iteration).
TEST(Ordering, InsideIoCallbackImmediateRunsBeforeTimeout) {
    Loop loop;
    std::vector<std::string> log;
    struct Request {
        uv_fs_t fs{};
        Loop* loop = nullptr;
        std::vector<std::string>* log = nullptr;
    } req;
    req.loop = &loop;
    req.log = &log;
    req.fs.data = &req;
    ASSERT_EQ(uv_fs_stat(loop.uv(), &req.fs, "/",
                         [](uv_fs_t* fs) {
                             auto& r = *static_cast<Request*>(fs->data);
                             uv_fs_req_cleanup(fs);
                             // As a nodecc I/O callback enters user code: in a CallbackScope.
                             nodecc::makeCallback(*r.loop, nodecc::newAsyncId(), 0, [&r] {
                                 auto& l = *r.log;
                                 nodecc::setTimeout([&l] { l.push_back("timeout"); }, 0);
                                 nodecc::setImmediate([&l] { l.push_back("immediate"); });
                                 queueMicrotask([&l] { l.push_back("micro"); });
                                 nextTick([&l] { l.push_back("tick"); });
                             });
                         }),
              0);
    loop.run();
    EXPECT_EQ(joined(log), "tick > micro > immediate > timeout");
}

// The same holds inside a timer callback: the check phase comes before the
// next timers phase, even when the new timer is already due.
TEST(Ordering, InsideTimerCallbackImmediateRunsBeforeTimeout) {
    Loop loop;
    std::vector<std::string> log;
    nodecc::setTimeout(
        [&] {
            nodecc::setTimeout([&] { log.push_back("timeout"); }, 1);
            nodecc::setImmediate([&] { log.push_back("immediate"); });
            nextTick([&] { log.push_back("tick"); });
            spinLoopTime(loop, 2);
        },
        1);
    loop.run();
    EXPECT_EQ(joined(log), "tick > immediate > timeout");
}

// The check phase runs only while immediates are queued: once the queue emptied, a new
// immediate queued from a timer callback still runs before a timer that is already due.
TEST(Ordering, ImmediateAfterTheQueueEmptiedRunsBeforeTimeout) {
    Loop loop;
    std::vector<std::string> log;
    nodecc::setImmediate([&] {
        log.push_back("first");
        nodecc::setTimeout(
            [&] {
                nodecc::setTimeout([&] { log.push_back("timeout"); }, 1);
                nodecc::setImmediate([&] { log.push_back("second"); });
                spinLoopTime(loop, 2);
            },
            1);
    });
    loop.run();
    EXPECT_EQ(joined(log), "first > second > timeout");
}

// A timer armed from a timer callback with the same duration is not run in the
// same pass, even when the pass is long (no starvation; Node: listOnTimeout
// compares against the `now` of the pass).
TEST(Ordering, TimerArmedInTimersPhaseWaitsForNextPass) {
    Loop loop;
    std::vector<std::string> log;
    nodecc::setTimeout(
        [&] {
            log.push_back("T1");
            nodecc::setTimeout([&] { log.push_back("T1-child"); }, 1);
            nodecc::setImmediate([&] { log.push_back("immediate"); });
            spinLoopTime(loop, 2);
        },
        1);
    nodecc::setTimeout([&] { log.push_back("T2"); }, 1);
    // Arming reads the clock (as Node's getLibuvNow), so on a busy machine T2 may start
    // a millisecond after T1: let both be due before the first timers phase.
    spinLoopTime(loop, 3);
    loop.run();
    EXPECT_EQ(joined(log), "T1 > T2 > immediate > T1-child");
}

}  // namespace
