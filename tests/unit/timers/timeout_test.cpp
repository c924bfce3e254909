// setTimeout / setInterval / clearTimeout / refresh / ref / unref
// (NODE-BEHAVIOUR §5.3, Node: lib/internal/timers.js).
#include <uv.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../process/runtime_test_support.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/uncaught.hpp"
#include "nodecc/process/warning.hpp"
#include "nodecc/timers/timers.hpp"
#include "timers/timers_state.hpp"

namespace {

using nodecc::Loop;
using nodecc::timers::TimeoutPtr;

std::uint64_t freshNow(Loop& loop) {
    loop.updateTime();
    return loop.now();
}

nodecc::timers::detail::TimersState& state(Loop& loop) {
    return loop.extension<nodecc::timers::detail::TimersState>();
}

// A generous upper bound for "fires soon": timers are never early, and a busy
// CI machine may be late, but not by seconds.
constexpr std::uint64_t kSlack = 1000;

TEST(Timeout, FiresAfterItsDurationOfLoopTime) {
    Loop loop;
    const auto start = freshNow(loop);
    std::uint64_t firedAt = 0;
    int calls = 0;
    nodecc::setTimeout(
        [&] {
            ++calls;
            firedAt = freshNow(loop);
        },
        50);
    loop.run();
    EXPECT_EQ(calls, 1);
    EXPECT_GE(firedAt - start, 50U);
    EXPECT_LT(firedAt - start, 50 + kSlack);
}

TEST(Timeout, RunsInOrderOfExpiryAcrossDurations) {
    Loop loop;
    std::string order;
    // 100 ms apart: the four calls may be spread over tens of ms on a loaded machine (or
    // under valgrind), and the order asserted is that of the expiries.
    nodecc::setTimeout([&] { order += "c"; }, 300);
    nodecc::setTimeout([&] { order += "a"; }, 100);
    nodecc::setTimeout([&] { order += "b"; }, 200);
    nodecc::setTimeout([&] { order += "d"; }, 300);
    loop.run();
    EXPECT_EQ(order, "abcd");
}

// What a socket's setTimeout(0) / setTimeout(ms) does per request: stop() disarms and keeps
// the callback (refresh() is then a no-op, the loop is not kept alive); restart(ms) arms
// it again, from now, with the new duration — also after it fired.
TEST(Timeout, StopKeepsTheCallbackAndRestartRearmsWithANewDuration) {
    Loop loop;
    int fired = 0;
    TimeoutPtr t = nodecc::setTimeout([&] { ++fired; }, 60000);
    t->stop();
    EXPECT_TRUE(t->destroyed());
    t->refresh();
    EXPECT_TRUE(t->destroyed());
    EXPECT_EQ(state(loop).listCount(), 0u);
    loop.run();  // nothing armed: returns at once
    EXPECT_EQ(fired, 0);

    const std::uint64_t start = freshNow(loop);
    t->restart(15);
    EXPECT_FALSE(t->destroyed());
    EXPECT_EQ(t->msecs(), 15);
    loop.run();
    EXPECT_EQ(fired, 1);
    const std::uint64_t elapsed = freshNow(loop) - start;
    EXPECT_GE(elapsed, 15u);
    EXPECT_LT(elapsed, 15u + kSlack);

    t->restart(5);  // after it fired
    loop.run();
    EXPECT_EQ(fired, 2);
}

TEST(Timeout, SameDurationRunsInInsertionOrder) {
    Loop loop;
    std::string order;
    for (char c = 'a'; c <= 'f'; ++c) nodecc::setTimeout([&order, c] { order += c; }, 5);
    loop.run();
    EXPECT_EQ(order, "abcdef");
}

// The issue: timers share one libuv timer per loop, not one per setTimeout.
TEST(Timeout, ManyTimersShareOneUvTimer) {
    Loop loop;
    int fired = 0;
    std::vector<TimeoutPtr> intervals;
    for (int ms = 1; ms <= 40; ++ms) nodecc::setTimeout([&] { ++fired; }, ms);
    for (int ms = 1; ms <= 5; ++ms) intervals.push_back(nodecc::setInterval([] {}, ms * 7));
    int timerHandles = 0;
    uv_walk(
        loop.uv(),
        [](uv_handle_t* h, void* arg) {
            if (h->type == UV_TIMER) ++*static_cast<int*>(arg);
        },
        &timerHandles);
    EXPECT_EQ(timerHandles, 1);
    nodecc::setTimeout(
        [&] {
            for (auto& i : intervals) nodecc::clearInterval(i);
        },
        45);
    loop.run();
    EXPECT_EQ(fired, 40);
}

TEST(Timeout, KeptAliveWhileArmedAfterCallerDropsIt) {
    Loop loop;
    auto tracker = std::make_shared<int>(0);
    std::weak_ptr<nodecc::timers::Timeout> weak;
    bool fired = false;
    {
        auto t = nodecc::setTimeout([&fired, tracker] { fired = true; }, 5);
        weak = t;
    }
    EXPECT_FALSE(weak.expired());
    loop.run();
    EXPECT_TRUE(fired);
    EXPECT_TRUE(weak.expired());
    EXPECT_EQ(tracker.use_count(), 1);
}

TEST(Timeout, ClearTimeoutBeforeItFires) {
    Loop loop;
    auto tracker = std::make_shared<int>(0);
    bool fired = false;
    auto t = nodecc::setTimeout([&fired, tracker] { fired = true; }, 10'000);
    EXPECT_EQ(tracker.use_count(), 2);
    nodecc::clearTimeout(t);
    EXPECT_TRUE(t->destroyed());
    EXPECT_EQ(tracker.use_count(), 1);  // the callback and its captures are released
    const auto start = std::chrono::steady_clock::now();
    loop.run();
    EXPECT_FALSE(fired);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_EQ(state(loop).listCount(), 0U);
    nodecc::clearTimeout(t);        // twice: a no-op
    nodecc::clearTimeout(nullptr);  // Node: clearTimeout(null) is a no-op
}

TEST(Timeout, ClearTimeoutInsideCallbackCancelsOthers) {
    Loop loop;
    std::string order;
    TimeoutPtr sameList;
    TimeoutPtr otherList;
    nodecc::setTimeout(
        [&] {
            order += "1";
            nodecc::clearTimeout(sameList);
            nodecc::clearTimeout(otherList);
        },
        5);
    sameList = nodecc::setTimeout([&] { order += "2"; }, 5);
    otherList = nodecc::setTimeout([&] { order += "3"; }, 8);
    nodecc::setTimeout([&] { order += "4"; }, 5);
    loop.run();
    EXPECT_EQ(order, "14");
}

TEST(Timeout, ClearingItselfInsideCallbackIsHarmless) {
    Loop loop;
    int calls = 0;
    TimeoutPtr t;
    t = nodecc::setTimeout(
        [&] {
            ++calls;
            nodecc::clearTimeout(t);
            t->refresh();  // cleared: refresh() does nothing
        },
        2);
    loop.run();
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(t->destroyed());
}

TEST(Timeout, DestroyedOnceFired) {
    Loop loop;
    auto t = nodecc::setTimeout([] {}, 1);
    EXPECT_FALSE(t->destroyed());
    EXPECT_FALSE(t->repeat());
    loop.run();
    EXPECT_TRUE(t->destroyed());
}

TEST(Interval, RepeatsUntilClearedFromInside) {
    Loop loop;
    const auto start = freshNow(loop);
    std::vector<nodecc::AsyncId> ids;
    TimeoutPtr interval;
    interval = nodecc::setInterval(
        [&] {
            ids.push_back(nodecc::executionAsyncId());
            if (ids.size() == 5) nodecc::clearInterval(interval);
        },
        10);
    EXPECT_TRUE(interval->repeat());
    loop.run();
    const auto elapsed = freshNow(loop) - start;
    ASSERT_EQ(ids.size(), 5U);
    for (auto id : ids) EXPECT_EQ(id, interval->asyncId());  // one resource, one id
    EXPECT_GE(elapsed, 50U);
    EXPECT_LT(elapsed, 50 + kSlack);
    EXPECT_TRUE(interval->destroyed());
}

TEST(Interval, ClearedFromAnotherTimer) {
    Loop loop;
    int calls = 0;
    auto interval = nodecc::setInterval([&] { ++calls; }, 5);
    nodecc::setTimeout([&] { nodecc::clearInterval(interval); }, 28);
    loop.run();
    EXPECT_GE(calls, 1);
    EXPECT_LE(calls, 5);
}

// Node: timeout.refresh() restarts the countdown from now with the same callback.
TEST(Refresh, RestartsTheCountdownFromNow) {
    Loop loop;
    const auto start = freshNow(loop);
    std::uint64_t lastRefresh = 0;
    std::uint64_t firedAt = 0;
    int fired = 0;
    auto t = nodecc::setTimeout(
        [&] {
            ++fired;
            firedAt = freshNow(loop);
        },
        40);
    int refreshes = 0;
    TimeoutPtr refresher;
    refresher = nodecc::setInterval(
        [&] {
            t->refresh();
            lastRefresh = freshNow(loop);
            if (++refreshes == 3) nodecc::clearInterval(refresher);
        },
        15);
    loop.run();
    EXPECT_EQ(fired, 1);
    EXPECT_GE(firedAt - lastRefresh, 40U);
    EXPECT_GE(firedAt - start, 45U + 40U);
    EXPECT_LT(firedAt - start, 85 + kSlack);
}

// Node docs: refresh() on a timer that already fired reactivates it.
TEST(Refresh, AfterFiringRearmsWithANewAsyncId) {
    Loop loop;
    std::vector<nodecc::AsyncId> ids;
    auto t = nodecc::setTimeout([&] { ids.push_back(nodecc::executionAsyncId()); }, 2);
    nodecc::setTimeout([&] { t->refresh(); }, 20);
    loop.run();
    ASSERT_EQ(ids.size(), 2U);
    EXPECT_NE(ids[0], ids[1]);
    EXPECT_EQ(ids[1], t->asyncId());
}

TEST(Refresh, InsideOwnCallbackRunsItAgain) {
    Loop loop;
    int calls = 0;
    TimeoutPtr t;
    t = nodecc::setTimeout(
        [&] {
            if (++calls < 3) t->refresh();
        },
        2);
    loop.run();
    EXPECT_EQ(calls, 3);
}

TEST(Refresh, AfterClearDoesNothing) {
    Loop loop;
    bool fired = false;
    auto t = nodecc::setTimeout([&] { fired = true; }, 1);
    nodecc::clearTimeout(t);
    t->refresh();
    loop.run();
    EXPECT_FALSE(fired);
}

// ---- ref / unref -----------------------------------------------------------

TEST(Unref, LetsRunReturnWithoutFiring) {
    Loop loop;
    bool fired = false;
    auto t = nodecc::setTimeout([&] { fired = true; }, 10'000);
    EXPECT_TRUE(t->hasRef());
    t->unref();
    EXPECT_FALSE(t->hasRef());
    const auto start = std::chrono::steady_clock::now();
    loop.run();
    EXPECT_FALSE(fired);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Unref, UnrefdIntervalRunsWhileSomethingElseKeepsTheLoop) {
    Loop loop;
    int ticks = 0;
    nodecc::setInterval([&] { ++ticks; }, 5)->unref();
    bool done = false;
    nodecc::setTimeout([&] { done = true; }, 60);
    loop.run();
    EXPECT_TRUE(done);
    EXPECT_GE(ticks, 2);
}

TEST(Unref, RefAgainKeepsTheLoopAlive) {
    Loop loop;
    bool fired = false;
    auto t = nodecc::setTimeout([&] { fired = true; }, 10);
    t->unref().ref();
    loop.run();
    EXPECT_TRUE(fired);
}

TEST(Unref, SetUnrefTimeoutDoesNotHoldTheLoop) {
    Loop loop;
    int fired = 0;
    auto t = nodecc::timers::setUnrefTimeout([&] { ++fired; }, 5);
    EXPECT_FALSE(t->hasRef());
    loop.run();
    EXPECT_EQ(fired, 0);
    nodecc::setTimeout([] {}, 30);  // now something keeps the loop: the unref'd one fires too
    loop.run();
    EXPECT_EQ(fired, 1);
}

// Node: toggleTimerRef — the one uv timer is ref'd iff some live timer is ref'd.
TEST(Unref, UvTimerIsRefdIffARefdTimerIsLive) {
    Loop loop;
    auto unrefd = nodecc::timers::setUnrefTimeout([] {}, 100);
    EXPECT_FALSE(state(loop).handleHasRef());
    auto refd = nodecc::setTimeout([] {}, 100);
    EXPECT_TRUE(state(loop).handleHasRef());
    EXPECT_EQ(state(loop).refCount(), 1U);
    refd->unref();
    EXPECT_FALSE(state(loop).handleHasRef());
    refd->ref();
    EXPECT_TRUE(state(loop).handleHasRef());
    nodecc::clearTimeout(refd);
    EXPECT_FALSE(state(loop).handleHasRef());
    EXPECT_EQ(state(loop).refCount(), 0U);
    nodecc::clearTimeout(unrefd);
    loop.run();
}

// ---- ms coercion -----------------------------------------------------------

std::vector<std::string>* gWarnings = nullptr;
bool recordWarning(std::string_view type, std::string_view message) {
    gWarnings->push_back(std::string(type) + ": " + std::string(message));
    return true;
}

// Node: the Timeout constructor — NaN or outside [1, 2^31-1] becomes 1, and
// values above TIMEOUT_MAX warn; insert() truncates fractions.
TEST(Coercion, MsecsOutsideRangeBecomeOne) {
    std::vector<std::string> warnings;
    gWarnings = &warnings;
    nodecc::process::detail::setWarningHandler(recordWarning);
    {
        Loop loop;
        auto msecsOf = [](double ms) {
            auto t = nodecc::setTimeout([] {}, ms);
            nodecc::clearTimeout(t);
            return t->msecs();
        };
        EXPECT_EQ(msecsOf(std::numeric_limits<double>::quiet_NaN()), 1);
        EXPECT_EQ(msecsOf(0), 1);
        EXPECT_EQ(msecsOf(-5), 1);
        EXPECT_EQ(msecsOf(0.5), 1);
        EXPECT_EQ(msecsOf(1.9), 1);
        EXPECT_EQ(msecsOf(250.7), 250);
        EXPECT_EQ(msecsOf(2147483647), 2147483647);
        EXPECT_TRUE(warnings.empty());
        EXPECT_EQ(msecsOf(2147483648.0), 1);
        EXPECT_EQ(msecsOf(std::numeric_limits<double>::infinity()), 1);
        EXPECT_EQ(msecsOf(1e21), 1);
        EXPECT_EQ(msecsOf(2147483648.5), 1);
        loop.run();
    }
    nodecc::process::detail::setWarningHandler(nullptr);
    gWarnings = nullptr;
    const std::string tail =
        " does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.";
    EXPECT_EQ(warnings, (std::vector<std::string>{
                            "TimeoutOverflowWarning: 2147483648" + tail,
                            "TimeoutOverflowWarning: Infinity" + tail,
                            "TimeoutOverflowWarning: 1e+21" + tail,
                            "TimeoutOverflowWarning: 2147483648.5" + tail,
                        }));
}

TEST(Coercion, CoercedTimerFiresAfterOneMs) {
    Loop loop;
    int fired = 0;
    nodecc::setTimeout([&] { ++fired; }, std::nan(""));
    nodecc::setTimeout([&] { ++fired; }, -100);
    loop.run();
    EXPECT_EQ(fired, 2);
}

// ---- exceptions ------------------------------------------------------------

TEST(TimerException, GoesToHandlerAndOtherTimersStillRun) {
    nodecc::test::UncaughtRecorder uncaught;
    Loop loop;
    std::string order;
    nodecc::setTimeout([] { throw std::runtime_error("boom"); }, 5);
    nodecc::setTimeout([&] { order += "same-list "; }, 5);
    nodecc::setTimeout([&] { order += "later-list "; }, 10);
    int intervalRuns = 0;
    TimeoutPtr interval;
    interval = nodecc::setInterval(
        [&] {
            if (++intervalRuns == 3) nodecc::clearInterval(interval);
            throw std::runtime_error("again");
        },
        3);
    loop.run();
    EXPECT_EQ(order, "same-list later-list ");
    EXPECT_EQ(intervalRuns, 3);
    EXPECT_EQ(std::count(uncaught.errors.begin(), uncaught.errors.end(), "Error: boom"), 1);
    EXPECT_EQ(std::count(uncaught.errors.begin(), uncaught.errors.end(), "Error: again"), 3);
}

TEST(TimerExceptionDeathTest, WithoutHandlerExitsWithCode1) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            nodecc::process::detail::setUncaughtExceptionHandler(nullptr);
            Loop loop;
            nodecc::setTimeout([] { throw std::runtime_error("timer boom"); }, 1);
            loop.run();
            std::exit(0);
        },
        ::testing::ExitedWithCode(1), "Uncaught Error: timer boom");
}

// ---- async ids (NODE-BEHAVIOUR §5.4) --------------------------------------

TEST(TimerAsyncIds, CallbackRunsInTheTimersContext) {
    Loop loop;
    nodecc::AsyncId exec = 0, trig = 0, tickTrigger = 0, tickExec = 0;
    auto t = nodecc::setTimeout(
        [&] {
            exec = nodecc::executionAsyncId();
            trig = nodecc::triggerAsyncId();
            nodecc::process::nextTick([&] {
                tickTrigger = nodecc::triggerAsyncId();
                tickExec = nodecc::executionAsyncId();
            });
        },
        1);
    EXPECT_GT(t->asyncId(), nodecc::kTopLevelAsyncId);
    EXPECT_EQ(t->triggerAsyncId(), nodecc::kTopLevelAsyncId);
    loop.run();
    EXPECT_EQ(exec, t->asyncId());
    EXPECT_EQ(trig, t->triggerAsyncId());
    // Observed in Node: a nextTick created inside a timer has trigger = the timer's id.
    EXPECT_EQ(tickTrigger, t->asyncId());
    EXPECT_GT(tickExec, t->asyncId());
    EXPECT_EQ(nodecc::executionAsyncId(), nodecc::kTopLevelAsyncId);
}

TEST(TimerAsyncIds, TriggerComesFromDefaultTriggerScope) {
    Loop loop;
    TimeoutPtr t;
    {
        nodecc::DefaultTriggerAsyncIdScope scope(99);
        t = nodecc::setTimeout([] {}, 1);
    }
    EXPECT_EQ(t->triggerAsyncId(), 99);
    TimeoutPtr inner;
    auto outer = nodecc::setTimeout([&] { inner = nodecc::setTimeout([] {}, 1); }, 1);
    loop.run();
    ASSERT_TRUE(inner);
    EXPECT_EQ(inner->triggerAsyncId(), outer->asyncId());
}

}  // namespace
