// nodecc::http::DateCache — the per-loop `Date` header value.
//
// Node formats `new Date().toUTCString()` (IMF-fixdate, RFC 9110 §5.6.7:
// "Thu, 01 Jan 2026 00:00:00 GMT") at most once per second and reuses it
// (internal/http.js utcDate, reset by an unref'd timer). Here the cache is a
// loop extension that compares the wall clock's second on each call: no timer.
//
//     auto& dates = nodecc::http::DateCache::forLoop(nodecc::Loop::current());
//     std::string_view date = dates.utcDate();   // same bytes for the whole second
//     head.writeHead(200, headers, {.date = date}, out);
//
//     char buf[nodecc::http::kImfFixdateLength];
//     nodecc::http::formatImfFixdate(0, buf);      // "Thu, 01 Jan 1970 00:00:00 GMT"
//
// Threading: one DateCache per loop; use it on that loop's thread only. The
// returned view is valid until the next call in a later second.
// Cost: one coarse clock read (vDSO, a few ns) per call; formatting once per second; no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nodecc/process/loop.hpp"

namespace nodecc::http {

inline constexpr std::size_t kImfFixdateLength = 29;

/// Node: Date.prototype.toUTCString() for `unixSeconds` (proleptic Gregorian, UTC). Writes
/// exactly kImfFixdateLength bytes, no terminator.
void formatImfFixdate(std::int64_t unixSeconds, char* out) noexcept;

class DateCache final : public ::nodecc::detail::LoopExtension {
  public:
    static constexpr std::size_t kLoopSlot = ::nodecc::detail::kDateCacheSlot;
    explicit DateCache(Loop& loop) noexcept;
    DateCache() noexcept = default;

    /// The cache of `loop` (Node: one per process; here one per loop).
    static DateCache& forLoop(Loop& loop) { return loop.extension<DateCache>(); }

    /// Node: internal/http.js utcDate(): the current second, formatted once per second.
    std::string_view utcDate() noexcept;
    /// The same for a given clock reading (tests, or a caller that already has the time).
    std::string_view utcDate(std::int64_t unixSeconds) noexcept;

    /// How many times the value was formatted (tests check the once-per-second rule).
    std::uint64_t formatCount() const noexcept { return formats_; }

  private:
    std::int64_t second_ = INT64_MIN;
    std::uint64_t formats_ = 0;
    char text_[kImfFixdateLength] = {};
};

}  // namespace nodecc::http
