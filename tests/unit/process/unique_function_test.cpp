// nodecc::UniqueFunction: the move-only callback type of the runtime.
#include "nodecc/core/unique_function.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <utility>

namespace {

using nodecc::UniqueFunction;
using Callback = UniqueFunction<int(int), 40>;

struct LifeCount {
    static inline int alive = 0;
    LifeCount() { ++alive; }
    LifeCount(const LifeCount&) { ++alive; }
    LifeCount(LifeCount&&) noexcept { ++alive; }
    ~LifeCount() { --alive; }
};

TEST(UniqueFunction, EmptyByDefaultAndFromNull) {
    Callback a;
    Callback b = nullptr;
    int (*fp)(int) = nullptr;
    Callback c = fp;
    EXPECT_FALSE(a);
    EXPECT_FALSE(b);
    EXPECT_FALSE(c);
}

TEST(UniqueFunction, SmallCallableIsStoredInline) {
    int base = 10;
    auto small = [base](int x) { return base + x; };
    static_assert(Callback::fitsInline<decltype(small)>());
    Callback f = small;
    EXPECT_EQ(f(5), 15);
}

TEST(UniqueFunction, LargeCallableIsBoxedAndStillWorks) {
    std::array<char, 64> big{};
    big[63] = 7;
    auto large = [big](int x) { return big[63] + x; };
    static_assert(!Callback::fitsInline<decltype(large)>());
    Callback f = large;
    Callback g = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(g(1), 8);
}

TEST(UniqueFunction, MoveOnlyCaptureMovesWithTheFunction) {
    auto tracker = std::make_shared<int>(41);
    auto owned = std::make_unique<std::shared_ptr<int>>(tracker);
    Callback f = [p = std::move(owned)](int x) { return **p + x; };
    Callback g;
    g = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(g(1), 42);
    EXPECT_EQ(tracker.use_count(), 2);
    g = nullptr;  // destroys the capture
    EXPECT_EQ(tracker.use_count(), 1);
}

TEST(UniqueFunction, CapturesAreDestroyedExactlyOnce) {
    LifeCount::alive = 0;
    {
        Callback inlineFn = [c = LifeCount()](int x) { return x; };
        std::array<char, 64> pad{};
        Callback heapFn = [c = LifeCount(), pad](int x) { return x + pad[0]; };
        EXPECT_EQ(LifeCount::alive, 2);
        Callback moved = std::move(inlineFn);
        Callback movedHeap = std::move(heapFn);
        EXPECT_EQ(LifeCount::alive, 2);
        movedHeap.reset();
        EXPECT_EQ(LifeCount::alive, 1);
    }
    EXPECT_EQ(LifeCount::alive, 0);
}

TEST(UniqueFunction, ThrowingMoveCallableIsBoxed) {
    struct ThrowingMove {
        ThrowingMove() = default;
        ThrowingMove(ThrowingMove&&) noexcept(false) {}
        int operator()(int x) const { return x * 2; }
    };
    static_assert(!Callback::fitsInline<ThrowingMove>());
    Callback f = ThrowingMove{};
    Callback g = std::move(f);
    EXPECT_EQ(g(21), 42);
}

}  // namespace
