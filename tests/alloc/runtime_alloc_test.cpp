// The runtime's steady state allocates nothing (DESIGN.md §5): nextTick
// push/drain, and timers armed, refreshed, fired and cleared.
#include <gtest/gtest.h>

#include "alloc_counter.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace {

using nodecc::Loop;
using nodecc::test::AllocationScope;

void pushTicksAndMicrotasks(int ticks, int& counter) {
    for (int i = 0; i < ticks; ++i) {
        nodecc::process::nextTick([&counter] { ++counter; });
        if (i % 8 == 0) nodecc::process::queueMicrotask([&counter] { ++counter; });
    }
}

TEST(RuntimeAlloc, NextTickPushDrainAllocatesNothingInSteadyState) {
    Loop loop;
    int counter = 0;
    pushTicksAndMicrotasks(100, counter);  // warm-up: the first block of each queue
    nodecc::process::processTicksAndRejections(loop);

    AllocationScope scope;
    for (int round = 0; round < 1000; ++round) {
        pushTicksAndMicrotasks(100, counter);
        nodecc::process::processTicksAndRejections(loop);
    }
    const auto allocations = scope.count();
    EXPECT_EQ(allocations, 0U);
    EXPECT_EQ(counter, 1001 * (100 + 13));
}

// Crossing one 2048-slot boundary reuses the spare block kept by FixedQueue.
TEST(RuntimeAlloc, NextTickAcrossOneBlockBoundaryAllocatesNothingAfterWarmUp) {
    Loop loop;
    int counter = 0;
    for (int round = 0; round < 2; ++round) {
        pushTicksAndMicrotasks(3000, counter);
        nodecc::process::processTicksAndRejections(loop);
    }
    AllocationScope scope;
    for (int round = 0; round < 20; ++round) {
        pushTicksAndMicrotasks(3000, counter);
        nodecc::process::processTicksAndRejections(loop);
    }
    const auto allocations = scope.count();
    EXPECT_EQ(allocations, 0U);
    EXPECT_EQ(loop.tickQueue().blockCount(), 1U);
}

TEST(RuntimeAlloc, TimerRefreshAllocatesNothing) {
    Loop loop;
    int fired = 0;
    auto a = nodecc::setTimeout([&fired] { ++fired; }, 1000);
    auto b = nodecc::setTimeout([&fired] { ++fired; }, 1000);
    auto c = nodecc::timers::setUnrefTimeout([&fired] { ++fired; }, 5000);

    AllocationScope scope;
    for (int i = 0; i < 10'000; ++i) {
        a->refresh();
        b->refresh();
        c->refresh();
        a->unref();
        a->ref();
    }
    const auto allocations = scope.count();
    EXPECT_EQ(allocations, 0U);
    nodecc::clearTimeout(a);
    nodecc::clearTimeout(b);
    nodecc::clearTimeout(c);
    loop.run();
    EXPECT_EQ(fired, 0);
}

// Arming a new timer costs its Timeout (one make_shared) and nothing else: the
// per-duration list, the priority queue and the duration map are recycled.
TEST(RuntimeAlloc, SetTimeoutClearTimeoutCostsOneAllocationPerTimer) {
    Loop loop;
    int fired = 0;
    auto cycle = [&fired] {
        auto t = nodecc::setTimeout([&fired] { ++fired; }, 100);
        auto u = nodecc::setTimeout([&fired] { ++fired; }, 200);
        nodecc::clearTimeout(t);
        nodecc::clearTimeout(u);
    };
    cycle();  // warm-up: two pooled lists, queue and map capacity
    constexpr int kCycles = 1000;
    AllocationScope scope;
    for (int i = 0; i < kCycles; ++i) cycle();
    const auto allocations = scope.count();
    EXPECT_EQ(allocations, 2U * kCycles);
    loop.run();
    EXPECT_EQ(fired, 0);
}

// A repeating timer firing through the real loop, with a tick per firing:
// re-arming, running the callback and draining allocate nothing.
TEST(RuntimeAlloc, IntervalFiringThroughTheLoopAllocatesNothing) {
    Loop loop;
    int fired = 0;
    int ticks = 0;
    auto interval = nodecc::setInterval(
        [&] {
            ++fired;
            nodecc::process::nextTick([&ticks] { ++ticks; });
        },
        1);
    while (fired < 3) loop.runOnce();

    AllocationScope scope;
    while (fired < 20) loop.runOnce();
    const auto allocations = scope.count();
    EXPECT_EQ(allocations, 0U);
    EXPECT_EQ(ticks, fired);
    nodecc::clearInterval(interval);
    loop.run();
}

}  // namespace
