// nodecc::Loop: run(), current(), post() from other threads, extensions.
#include "nodecc/process/loop.hpp"

#include <uv.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "nodecc/process/async_id.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace {

using nodecc::Loop;

TEST(Loop, RunReturnsAtOnceWhenNothingIsScheduled) {
    Loop loop;
    EXPECT_EQ(loop.run(), 0);
    EXPECT_FALSE(loop.alive());
}

TEST(Loop, ConstructedLoopIsCurrentUntilDestroyed) {
    Loop outer;
    EXPECT_EQ(&Loop::current(), &outer);
    {
        Loop inner;
        EXPECT_EQ(&Loop::current(), &inner);
    }
    EXPECT_EQ(&Loop::current(), &outer);
}

// Loop::post is the one thread-safe entry: the task runs on the loop's thread,
// in its own async context, and the ticks it queues drain right after it.
TEST(Loop, PostFromAnotherThreadRunsOnLoopThread) {
    Loop loop;
    const auto loopThread = std::this_thread::get_id();
    std::thread::id ranOn;
    nodecc::AsyncId ranIn = 0;
    bool tickRan = false;
    // A pending post does not keep the loop alive (the async handle is unref'd);
    // this timer does, until the task clears it.
    auto keepAlive = nodecc::setTimeout([] { FAIL() << "posted task never ran"; }, 10'000);
    std::thread poster([&loop, &ranOn, &ranIn, &tickRan, keepAlive] {
        loop.post([&ranOn, &ranIn, &tickRan, keepAlive] {
            ranOn = std::this_thread::get_id();
            ranIn = nodecc::executionAsyncId();
            nodecc::process::nextTick([&tickRan] { tickRan = true; });
            nodecc::clearTimeout(keepAlive);
        });
    });
    loop.run();
    poster.join();
    EXPECT_EQ(ranOn, loopThread);
    EXPECT_GT(ranIn, nodecc::kTopLevelAsyncId);
    EXPECT_TRUE(tickRan);
}

TEST(Loop, PostFromManyThreadsRunsEveryTaskOnce) {
    Loop loop;
    constexpr int kThreads = 4;
    constexpr int kPerThread = 500;
    int ran = 0;  // touched on the loop thread only
    auto keepAlive = nodecc::setTimeout([] { FAIL() << "posted tasks never all ran"; }, 10'000);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&loop, &ran, keepAlive] {
            for (int i = 0; i < kPerThread; ++i) {
                loop.post([&ran, keepAlive] {
                    if (++ran == kThreads * kPerThread) nodecc::clearTimeout(keepAlive);
                });
            }
        });
    }
    loop.run();
    for (auto& th : threads) th.join();
    EXPECT_EQ(ran, kThreads * kPerThread);
}

struct CountingExtension : nodecc::detail::LoopExtension {
    explicit CountingExtension(Loop&) { ++constructed; }
    ~CountingExtension() override { ++destroyed; }
    void close() override { ++closed; }
    static inline int constructed = 0;
    static inline int closed = 0;
    static inline int destroyed = 0;
};

TEST(Loop, ExtensionIsCreatedOncePerLoopAndClosedWithIt) {
    CountingExtension::constructed = CountingExtension::closed = CountingExtension::destroyed = 0;
    {
        Loop loop;
        auto& a = loop.extension<CountingExtension>();
        auto& b = loop.extension<CountingExtension>();
        EXPECT_EQ(&a, &b);
        Loop other;
        EXPECT_NE(&other.extension<CountingExtension>(), &a);
        EXPECT_EQ(CountingExtension::constructed, 2);
    }
    EXPECT_EQ(CountingExtension::closed, 2);
    EXPECT_EQ(CountingExtension::destroyed, 2);
}

// A library extension with a fixed slot and one that takes the next free slot live side by
// side: neither lands on the other's slot.
struct FixedSlotExtension : nodecc::detail::LoopExtension {
    static constexpr std::size_t kLoopSlot = nodecc::detail::kDateCacheSlot;
    explicit FixedSlotExtension(Loop&) {}
    int value = 7;
};
struct FreeSlotExtension : nodecc::detail::LoopExtension {
    explicit FreeSlotExtension(Loop&) {}
    int value = 9;
};

TEST(Loop, FixedSlotExtensionsAndFreeSlotExtensionsDoNotCollide) {
    EXPECT_EQ(nodecc::detail::loopExtensionIndex<FixedSlotExtension>(),
              nodecc::detail::kDateCacheSlot);
    EXPECT_GE(nodecc::detail::loopExtensionIndex<FreeSlotExtension>(), nodecc::detail::kFixedSlots);
    Loop loop;
    auto& fixed = loop.extension<FixedSlotExtension>();
    auto& free = loop.extension<FreeSlotExtension>();
    EXPECT_NE(static_cast<void*>(&fixed), static_cast<void*>(&free));
    EXPECT_EQ(fixed.value, 7);
    EXPECT_EQ(free.value, 9);
    EXPECT_EQ(&loop.extension<FixedSlotExtension>(), &fixed);
}

}  // namespace
