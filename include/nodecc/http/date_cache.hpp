// nodecc::http::DateCache — the per-loop `Date` header value.
//
// Node formats `new Date().toUTCString()` (IMF-fixdate, RFC 9110 §5.6.7:
// "Thu, 01 Jan 2026 00:00:00 GMT") at most once per second and reuses it
// (internal/http.js utcDate, reset by an unref'd timer due at the next second
// boundary). Here the cache is a loop extension that keeps the same deadline in
// the loop's time (the clock Node's timer runs on): a call before it returns the
// cached text, the first call after it reads the wall clock. No timer.
//
//     auto& dates = nodecc::http::DateCache::forLoop(nodecc::Loop::current());
//     std::string_view date = dates.utcDate();   // same bytes for the whole second
//     head.writeHead(200, headers, {.date = date}, out);
//     // Date + Connection + Keep-Alive as one block (Node's default keep-alive head lines):
//     std::string_view lines = dates.keepAliveLines(5000, 0);
//
//     char buf[nodecc::http::kImfFixdateLength];
//     nodecc::http::formatImfFixdate(0, buf);      // "Thu, 01 Jan 1970 00:00:00 GMT"
//
// Threading: one DateCache per loop; use it on that loop's thread only. The
// returned view is valid until the next call in a later second.
// Cost: a read of the loop's cached time per call; a wall-clock read and formatting once per
// second; no allocation.
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

    /// Node: internal/http.js utcDate(): the current second, formatted once per second. Of a
    /// DateCache made for a loop, valid until the loop's time reaches the next second boundary
    /// seen at the last formatting (Node: `setUnrefTimeout(resetCache, 1000 -
    /// d.getMilliseconds())`); otherwise the wall clock's second at each call.
    std::string_view utcDate() noexcept {
        if (loop_ == nullptr || loop_->now() >= expiresAt_) [[unlikely]]
            readClock();
        return {text_, kImfFixdateLength};
    }
    /// The same for a given clock reading (tests, or a caller that already has the time).
    std::string_view utcDate(std::int64_t unixSeconds) noexcept;

    /// How many times the value was formatted (tests check the once-per-second rule).
    std::uint64_t formatCount() const noexcept { return formats_; }

    /// The head lines Node's _storeHeader writes after the user's headers on a keep-alive
    /// response that sets none of Date, Connection or Keep-Alive itself, for the date of the
    /// last utcDate() call: "Date: <date>\r\nConnection: keep-alive\r\nKeep-Alive:
    /// timeout=<keepAliveTimeoutMs / 1000>[, max=<maxRequestsPerSocket>]\r\n" (", max=" only
    /// when maxRequestsPerSocket as an int32 is > 0). Rebuilt when the date or the settings
    /// change; the view is valid until the next call. ResponseHead copies it as one block
    /// (HeadContext::keepAliveLines). The text lies at the start of kKeepAliveLinesRoom
    /// readable bytes.
    std::string_view keepAliveLines(std::uint64_t keepAliveTimeoutMs,
                                    std::int64_t maxRequestsPerSocket) noexcept {
        if (linesFormats_ != formats_ || linesTimeoutMs_ != keepAliveTimeoutMs ||
            linesMax_ != maxRequestsPerSocket) [[unlikely]] {
            buildKeepAliveLines(keepAliveTimeoutMs, maxRequestsPerSocket);
        }
        return {lines_, linesSize_};
    }
    static constexpr std::size_t kKeepAliveLinesRoom = 160;

  private:
    [[gnu::noinline]] void readClock() noexcept;
    [[gnu::noinline]] void buildKeepAliveLines(std::uint64_t keepAliveTimeoutMs,
                                               std::int64_t maxRequestsPerSocket) noexcept;

    Loop* loop_ = nullptr;
    std::uint64_t expiresAt_ = 0;  // loop time (ms) from which the text is stale
    std::int64_t second_ = INT64_MIN;
    std::uint64_t formats_ = 0;
    char text_[kImfFixdateLength] = {};
    // keepAliveLines(): the formatCount() and the settings they were built for.
    std::uint64_t linesFormats_ = ~std::uint64_t{0};
    std::uint64_t linesTimeoutMs_ = 0;
    std::int64_t linesMax_ = 0;
    std::size_t linesSize_ = 0;
    char lines_[kKeepAliveLinesRoom] = {};
};

}  // namespace nodecc::http
