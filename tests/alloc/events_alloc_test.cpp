// EventEmitter::emit allocates nothing in steady state (issue 2, "A counting
// allocator test"): with a typed key, and with a string name (hashing only).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "nodecc/events/event_emitter.hpp"

namespace nodecc::events {
namespace {

inline constexpr Event<std::string_view, int> kData{"data"};
inline constexpr int kEmits = 1000;

TEST(EventsAlloc, TypedEmitOneListenerAllocatesNothing) {
    EventEmitter e;
    std::size_t bytes = 0;
    e.on(kData, [&](std::string_view chunk, int n) {
        bytes += chunk.size() + static_cast<std::size_t>(n);
    });
    const std::string chunk(64, 'x');           // longer than any small-string buffer
    e.emit(kData, std::string_view(chunk), 1);  // warm-up
    test::AllocationScope scope;
    for (int i = 0; i < kEmits; ++i) e.emit(kData, std::string_view(chunk), 1);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(bytes, 65u * (kEmits + 1));
}

TEST(EventsAlloc, TypedEmitThreeListenersAllocatesNothing) {
    EventEmitter e;
    int calls = 0;
    e.on(kData, [&](auto chunk, auto n) { calls += static_cast<int>(chunk.size()) * n; });
    e.on(kData, [&](std::string_view) { ++calls; });
    e.once(kData, [&] { ++calls; });  // fired and removed by the warm-up
    e.on(kData, [&](const std::string_view&, const int&) { ++calls; });
    e.emit(kData, "warm", 1);
    ASSERT_EQ(e.listenerCount(kData), 3u);
    calls = 0;
    test::AllocationScope scope;
    for (int i = 0; i < kEmits; ++i) e.emit(kData, "abcd", 2);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(calls, 10 * kEmits);
}

TEST(EventsAlloc, StringEmitAllocatesNothing) {
    EventEmitter e;
    int sum = 0;
    e.on("tick", [&](int n) { sum += n; });
    e.on("other", [] {});
    e.emit("tick", 1);
    test::AllocationScope scope;
    for (int i = 0; i < kEmits; ++i) {
        e.emit("tick", 1);
        e.emit("nobody", 1);
        e.emit(std::string_view("other"));
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(sum, kEmits + 1);
}

// The counter works: a listener that allocates is seen.
TEST(EventsAlloc, CounterSeesAnAllocatingListener) {
    EventEmitter e;
    std::string grown;
    e.on("grow", [&](std::string_view s) { grown = std::string(s) + std::string(100, 'y'); });
    test::AllocationScope scope;
    e.emit("grow", "abc");
    EXPECT_GT(scope.count(), 0u);
}

}  // namespace
}  // namespace nodecc::events
