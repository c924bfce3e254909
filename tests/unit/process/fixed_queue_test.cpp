// FixedQueue: Node's internal/fixed_queue (NODE-BEHAVIOUR §5.1).
#include "nodecc/process/fixed_queue.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>

namespace {

using nodecc::FixedQueue;

// Node: test/parallel/test-fixed-queue.js, first block.
TEST(FixedQueue, PushShiftSingleItem) {
    FixedQueue<std::string> queue;
    EXPECT_TRUE(queue.isEmpty());
    queue.push("a");
    EXPECT_FALSE(queue.isEmpty());
    EXPECT_EQ(queue.blockCount(), 1U);
    std::string out;
    ASSERT_TRUE(queue.shift(out));
    EXPECT_EQ(out, "a");
    EXPECT_FALSE(queue.shift(out));
    EXPECT_TRUE(queue.isEmpty());
}

// Node: test/parallel/test-fixed-queue.js, second block — a block holds 2047
// items; the 2048th opens a second block, which becomes the only one again
// once the first is drained.
TEST(FixedQueue, BlockHoldsKSizeMinusOneItems) {
    FixedQueue<int> queue;
    EXPECT_EQ(FixedQueue<int>::kBlockCapacity, 2047U);
    for (int i = 0; i < 2047; ++i) queue.push(i);
    EXPECT_EQ(queue.blockCount(), 1U);
    queue.push(2047);
    EXPECT_EQ(queue.blockCount(), 2U);
    int out = -1;
    for (int i = 0; i < 2047; ++i) {
        ASSERT_TRUE(queue.shift(out));
        ASSERT_EQ(out, i);
    }
    EXPECT_EQ(queue.blockCount(), 1U);
    EXPECT_FALSE(queue.isEmpty());
    ASSERT_TRUE(queue.shift(out));
    EXPECT_EQ(out, 2047);
    EXPECT_TRUE(queue.isEmpty());
}

// The "FixedQueue across ring boundaries": 100 000+ items with
// interleaved push/shift keep their order, and the memory is returned.
TEST(FixedQueue, InterleavedPushShiftAcrossManyBlocksKeepsOrder) {
    FixedQueue<std::size_t> queue;
    constexpr std::size_t kTotal = 150'000;
    std::size_t pushed = 0;
    std::size_t expected = 0;
    std::size_t out = 0;
    std::size_t maxBlocks = 0;
    while (pushed < kTotal) {
        for (int i = 0; i < 3 && pushed < kTotal; ++i) queue.push(pushed++);
        ASSERT_TRUE(queue.shift(out));
        ASSERT_EQ(out, expected++);
        maxBlocks = std::max(maxBlocks, queue.blockCount());
    }
    EXPECT_EQ(queue.size(), kTotal - expected);
    EXPECT_GT(maxBlocks, 40U);  // ~100 000 pending items span many 2047-item blocks
    while (queue.shift(out)) ASSERT_EQ(out, expected++);
    EXPECT_EQ(expected, kTotal);
    EXPECT_TRUE(queue.isEmpty());
    EXPECT_EQ(queue.blockCount(), 1U);
}

TEST(FixedQueue, DestroysItemsLeftInside) {
    auto tracker = std::make_shared<int>(0);
    {
        FixedQueue<std::shared_ptr<int>> queue;
        for (int i = 0; i < 5000; ++i) queue.push(tracker);
        EXPECT_EQ(tracker.use_count(), 5001);
    }
    EXPECT_EQ(tracker.use_count(), 1);
}

TEST(FixedQueue, ShiftReleasesTheSlot) {
    auto tracker = std::make_shared<int>(0);
    FixedQueue<std::shared_ptr<int>> queue;
    queue.push(tracker);
    std::shared_ptr<int> out;
    ASSERT_TRUE(queue.shift(out));
    out.reset();
    EXPECT_EQ(tracker.use_count(), 1);
}

// front() leaves the item in place while more are pushed, even across a new block;
// pop() destroys it and moves on.
TEST(FixedQueue, FrontStaysInPlaceWhilePushingThenPopDestroys) {
    auto tracker = std::make_shared<int>(0);
    FixedQueue<std::shared_ptr<int>, 4> queue;  // 3 items per block
    EXPECT_EQ(queue.front(), nullptr);
    queue.push(tracker);
    std::shared_ptr<int>* first = queue.front();
    ASSERT_NE(first, nullptr);
    for (int i = 0; i < 5; ++i) queue.push(std::make_shared<int>(i));
    EXPECT_EQ(queue.blockCount(), 2U);
    EXPECT_EQ(queue.front(), first);
    EXPECT_EQ(first->get(), tracker.get());
    queue.pop();
    EXPECT_EQ(tracker.use_count(), 1);
    EXPECT_EQ(queue.size(), 5U);
    for (int i = 0; i < 5; ++i) {
        ASSERT_NE(queue.front(), nullptr);
        EXPECT_EQ(**queue.front(), i);
        queue.pop();
    }
    EXPECT_EQ(queue.front(), nullptr);
    EXPECT_EQ(queue.blockCount(), 1U);
}

}  // namespace
