// The Date header value (Node: internal/http.js utcDate, Date.prototype.toUTCString).
#include "nodecc/http/date_cache.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "nodecc/timers/timers.hpp"

using namespace nodecc::http;

namespace {
std::string fmt(std::int64_t s) {
    char buf[kImfFixdateLength];
    formatImfFixdate(s, buf);
    return std::string(buf, kImfFixdateLength);
}
}  // namespace

// Values from Node: new Date(s * 1000).toUTCString().
TEST(DateCache, FormatsLikeToUTCString) {
    EXPECT_EQ(fmt(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(fmt(1767225600), "Thu, 01 Jan 2026 00:00:00 GMT");
    EXPECT_EQ(fmt(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
    EXPECT_EQ(fmt(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
    EXPECT_EQ(fmt(1709251199), "Thu, 29 Feb 2024 23:59:59 GMT");
    EXPECT_EQ(fmt(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    EXPECT_EQ(fmt(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

// DESIGN.md §5: formatted at most once per second.
TEST(DateCache, FormatsOncePerSecond) {
    DateCache cache;
    const std::string_view a = cache.utcDate(1767225600);
    const std::string_view b = cache.utcDate(1767225600);
    EXPECT_EQ(a.data(), b.data());
    EXPECT_EQ(cache.formatCount(), 1u);
    EXPECT_EQ(cache.utcDate(1767225601), "Thu, 01 Jan 2026 00:00:01 GMT");
    EXPECT_EQ(cache.formatCount(), 2u);
}

TEST(DateCache, PerLoopWallClock) {
    nodecc::Loop loop;
    DateCache& cache = DateCache::forLoop(loop);
    EXPECT_EQ(&cache, &DateCache::forLoop(loop));
    const std::time_t before = std::time(nullptr);
    const std::string now(cache.utcDate());
    const std::time_t after = std::time(nullptr);
    EXPECT_TRUE(now == fmt(before) || now == fmt(after)) << now;
    for (int i = 0; i < 1000; ++i) cache.utcDate();
    EXPECT_LE(cache.formatCount(), 3u);
}

// Node's utcDate() keeps its text until a timer due at the next second boundary (in the loop's
// time) resets it: while the loop's time stands still the text stays; once it passed that
// boundary the next call reads the wall clock again.
TEST(DateCache, LoopTimeDeadline) {
    nodecc::Loop loop;
    DateCache& cache = DateCache::forLoop(loop);
    cache.utcDate();
    const std::uint64_t formats = cache.formatCount();
    for (int i = 0; i < 1000; ++i) cache.utcDate();
    EXPECT_EQ(cache.formatCount(), formats);  // the loop's time did not move
    std::string later;
    std::time_t before = 0;
    std::time_t after = 0;
    nodecc::setTimeout(
        [&] {
            before = std::time(nullptr);
            later = std::string(cache.utcDate());
            after = std::time(nullptr);
        },
        1100);
    loop.run();
    EXPECT_GT(cache.formatCount(), formats);
    EXPECT_TRUE(later == fmt(before) || later == fmt(after)) << later;
}

// keepAliveLines(): the bytes the head writes for Date + `Connection: keep-alive` +
// Keep-Alive (", max=" when maxRequestsPerSocket as an int32 is positive), rebuilt when the
// date or a setting changes.
TEST(DateCache, KeepAliveLines) {
    DateCache cache;
    cache.utcDate(1767225600);
    EXPECT_EQ(cache.keepAliveLines(5000, 0),
              "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\n");
    EXPECT_EQ(cache.keepAliveLines(65999, 0),
              "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=65\r\n");
    EXPECT_EQ(cache.keepAliveLines(500, 7),
              "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=0, max=7\r\n");
    EXPECT_EQ(cache.keepAliveLines(5000, std::int64_t{1} << 32),  // as an int32: 0
              "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\n");
    cache.utcDate(1767225601);
    EXPECT_EQ(cache.keepAliveLines(5000, 0),
              "Date: Thu, 01 Jan 2026 00:00:01 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\n");
    const std::string_view longest = cache.keepAliveLines(UINT64_MAX, INT32_MAX);
    EXPECT_EQ(longest,
              "Date: Thu, 01 Jan 2026 00:00:01 GMT\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=18446744073709551, max=2147483647\r\n");
    EXPECT_LE(longest.size(), DateCache::kKeepAliveLinesRoom);
}
