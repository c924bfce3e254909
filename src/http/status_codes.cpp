#include "nodecc/http/status_codes.hpp"

#include <array>
#include <cstdint>

namespace nodecc::http {

namespace {

// Node v20: lib/_http_server.js STATUS_CODES (checked with
// `node -p "JSON.stringify(require('http').STATUS_CODES)"`).
constexpr StatusCodeEntry kStatusCodes[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM Used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Payload Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a Teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Entity"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {509, "Bandwidth Limit Exceeded"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
};

constexpr int kFirst = 100;
constexpr int kLast = 511;

// code - kFirst → index + 1 into kStatusCodes (0 = no entry).
constexpr std::array<std::uint8_t, kLast - kFirst + 1> makeIndex() {
    std::array<std::uint8_t, kLast - kFirst + 1> index{};
    for (std::size_t i = 0; i < std::size(kStatusCodes); ++i) {
        index[static_cast<std::size_t>(kStatusCodes[i].code - kFirst)] =
            static_cast<std::uint8_t>(i + 1);
    }
    return index;
}
constexpr auto kIndex = makeIndex();

struct PaddedStatusLine {
    char bytes[kStatusLineRoom];
    std::size_t size;
};

constexpr std::array<PaddedStatusLine, std::size(kStatusCodes)> makeStatusLines() {
    std::array<PaddedStatusLine, std::size(kStatusCodes)> lines{};
    for (std::size_t i = 0; i < std::size(kStatusCodes); ++i) {
        const StatusCodeEntry& e = kStatusCodes[i];
        std::size_t n = 0;
        char* p = lines[i].bytes;
        for (char c : std::string_view("HTTP/1.1 ")) p[n++] = c;
        p[n++] = static_cast<char>('0' + e.code / 100);
        p[n++] = static_cast<char>('0' + e.code / 10 % 10);
        p[n++] = static_cast<char>('0' + e.code % 10);
        p[n++] = ' ';
        for (char c : e.text) p[n++] = c;
        p[n++] = '\r';
        p[n++] = '\n';
        lines[i].size = n;
    }
    return lines;
}
constexpr auto kStatusLines = makeStatusLines();

constexpr bool linesFit() {
    for (const StatusCodeEntry& e : kStatusCodes) {
        if (9 + 4 + e.text.size() + 2 > kStatusLineRoom) return false;
    }
    return true;
}
static_assert(linesFit(), "a status line is longer than kStatusLineRoom");

constexpr StatusLine lineOf(int code) noexcept {
    if (code < kFirst || code > kLast) return {};
    const std::uint8_t i = kIndex[static_cast<std::size_t>(code - kFirst)];
    if (i == 0) return {};
    return {kStatusLines[i - 1].bytes, kStatusLines[i - 1].size, kStatusCodes[i - 1].text};
}

}  // namespace

StatusLine statusLineOf(int code) noexcept {
    return lineOf(code);
}

constinit const StatusLine detail::kOkStatusLine = lineOf(200);

std::span<const StatusCodeEntry> statusCodes() noexcept {
    return kStatusCodes;
}

std::string_view statusCodeText(int code) noexcept {
    if (code < kFirst || code > kLast) return {};
    const std::uint8_t i = kIndex[static_cast<std::size_t>(code - kFirst)];
    return i == 0 ? std::string_view() : kStatusCodes[i - 1].text;
}

}  // namespace nodecc::http
