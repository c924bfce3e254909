#include "nodecc/http/date_cache.hpp"

#include <time.h>

#include <charconv>
#include <cstring>

namespace nodecc::http {

namespace {

constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void put2(char* p, unsigned v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void formatImfFixdate(std::int64_t unixSeconds, char* out) noexcept {
    // Civil-from-days (H. Hinnant), valid for the whole int64 day range we can meet.
    std::int64_t days = unixSeconds / 86400;
    std::int64_t secs = unixSeconds % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    const auto weekday = static_cast<unsigned>((days % 7 + 11) % 7);  // 1970-01-01 = Thursday
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0) year = 0;  // Node prints signed years; HTTP dates never get there.
    if (year > 9999) year = 9999;

    // "Thu, 01 Jan 2026 00:00:00 GMT"
    char* p = out;
    for (int i = 0; i < 3; ++i) *p++ = kDays[weekday][i];
    *p++ = ',';
    *p++ = ' ';
    put2(p, day);
    p += 2;
    *p++ = ' ';
    for (int i = 0; i < 3; ++i) *p++ = kMonths[month - 1][i];
    *p++ = ' ';
    const auto y = static_cast<unsigned>(year);
    put2(p, y / 100);
    put2(p + 2, y % 100);
    p += 4;
    *p++ = ' ';
    const auto s = static_cast<unsigned>(secs);
    put2(p, s / 3600);
    p[2] = ':';
    put2(p + 3, (s / 60) % 60);
    p[5] = ':';
    put2(p + 6, s % 60);
    p += 8;
    *p++ = ' ';
    *p++ = 'G';
    *p++ = 'M';
    *p++ = 'T';
}

DateCache::DateCache(Loop& loop) noexcept : loop_(&loop) {}

void DateCache::readClock() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (loop_ != nullptr) {
        // Node: setUnrefTimeout(resetCache, 1000 - d.getMilliseconds()) — due in the loop's
        // time, so the text is kept while the loop's time stands still, as Node keeps it.
        expiresAt_ = loop_->now() + 1000 - static_cast<std::uint64_t>(ts.tv_nsec / 1000000);
    }
    utcDate(static_cast<std::int64_t>(ts.tv_sec));
}

std::string_view DateCache::utcDate(std::int64_t unixSeconds) noexcept {
    if (unixSeconds != second_) {
        formatImfFixdate(unixSeconds, text_);
        second_ = unixSeconds;
        ++formats_;
    }
    return {text_, kImfFixdateLength};
}

void DateCache::buildKeepAliveLines(std::uint64_t keepAliveTimeoutMs,
                                    std::int64_t maxRequestsPerSocket) noexcept {
    // The bytes ResponseHead writes one by one for these lines (Node: _storeHeader).
    char* p = lines_;
    const auto put = [&p](std::string_view s) {
        std::memcpy(p, s.data(), s.size());
        p += s.size();
    };
    put("Date: ");
    put(std::string_view(text_, kImfFixdateLength));
    put("\r\nConnection: keep-alive\r\nKeep-Alive: timeout=");
    p = std::to_chars(p, p + 20, keepAliveTimeoutMs / 1000).ptr;
    if (static_cast<std::int32_t>(maxRequestsPerSocket) > 0) {
        put(", max=");
        p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(maxRequestsPerSocket)).ptr;
    }
    put("\r\n");
    linesSize_ = static_cast<std::size_t>(p - lines_);
    linesFormats_ = formats_;
    linesTimeoutMs_ = keepAliveTimeoutMs;
    linesMax_ = maxRequestsPerSocket;
}

}  // namespace nodecc::http
