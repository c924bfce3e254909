// nodecc::http::HeaderField and the header validation Node applies to
// outgoing headers (setHeader, writeHead, addTrailers).
//
// One (name, value) pair as it stands on the wire, and the checks of Node's
// _http_common.js / _http_outgoing.js, thrown as nodecc::Error with Node's
// code and message text:
//
//     using nodecc::http::HeaderField;
//     const HeaderField fields[] = {{"Content-Type", "text/plain"}, {"X-Id", "7"}};
//     nodecc::http::validateHeaderName("x y");
//     // throws ERR_INVALID_HTTP_TOKEN "Header name must be a valid HTTP token ["x y"]"
//     bool bad = nodecc::http::checkInvalidHeaderChar("a\r\nb");  // true
//     bool same = nodecc::http::equalsIgnoreCase("Host", "host");  // true
//
// Threading: pure functions on constant tables; safe from any thread.
// Cost: a table lookup per byte; the throwing paths allocate (error text).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "nodecc/core/error.hpp"

namespace nodecc::http {

/// A header line: name as given (case kept) and value. Both are views.
struct HeaderField {
    std::string_view name;
    std::string_view value;
};

namespace detail {
// Node: _http_common.js tokenRegExp's characters.
constexpr std::array<bool, 256> makeTokenTable() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<unsigned>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned>(c)] = true;
    for (char c : std::string_view("^_`-!#$%&'*+.|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
inline constexpr std::array<bool, 256> kTokenChars = makeTokenTable();
}  // namespace detail

/// A character of an HTTP token (a header name, a method).
constexpr bool isTokenChar(char c) noexcept {
    return detail::kTokenChars[static_cast<unsigned char>(c)];
}

/// Node: _http_common.js checkIsHttpToken, /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/ (empty → false).
bool checkIsHttpToken(std::string_view name) noexcept;

namespace detail {
// A byte of `x` is below 0x20 or is 0x7f (SWAR: Hacker's Delight's "has less than" and
// "has zero byte" tests, eight bytes at a time).
constexpr bool mayHaveCtl(std::uint64_t x) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    constexpr std::uint64_t kHighs = 0x8080808080808080ull;
    const std::uint64_t below20 = (x - kOnes * 0x20) & ~x & kHighs;
    const std::uint64_t del = x ^ (kOnes * 0x7f);
    const std::uint64_t is7f = (del - kOnes) & ~del & kHighs;
    return (below20 | is7f) != 0;
}
constexpr bool isInvalidValueByte(unsigned char c) noexcept {
    return (c < 0x20 && c != '\t') || c == 0x7f;
}
// Eight bytes; a block that may hold a control byte (a tab is one) is checked byte by byte.
inline bool blockInvalid(const char* p) noexcept {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    if (!mayHaveCtl(x)) [[likely]]
        return false;
    for (int i = 0; i < 8; ++i) {
        if (isInvalidValueByte(static_cast<unsigned char>(p[i]))) return true;
    }
    return false;
}
}  // namespace detail

/// Node: _http_common.js checkInvalidHeaderChar, /[^\t\x20-\x7e\x80-\xff]/: true when `value`
/// holds a CTL byte (other than HTAB) or DEL. Bytes ≥ 0x80 are allowed, as in Node's latin1.
/// Inline: a value known at compile time (a literal given to setHeader) is checked by the
/// compiler.
inline bool checkInvalidHeaderChar(std::string_view value) noexcept {
    const char* p = value.data();
    std::size_t n = value.size();
    if (n >= 8) {
        // Eight bytes at a time, the last block overlapping the one before it.
        for (; n > 8; p += 8, n -= 8) {
            if (detail::blockInvalid(p)) return true;
        }
        return detail::blockInvalid(p + n - 8);
    }
    for (; n > 0; ++p, --n) {
        if (detail::isInvalidValueByte(static_cast<unsigned char>(*p))) return true;
    }
    return false;
}

/// Node: validateHeaderName(name, label): ERR_INVALID_HTTP_TOKEN
/// "<label> must be a valid HTTP token ["<name>"]". `label` is "Header name" or "Trailer name".
void validateHeaderName(std::string_view name, std::string_view label = "Header name");

/// Node: ERR_HTTP_INVALID_HEADER_VALUE, `setHeader(name, undefined)`:
/// "Invalid value "undefined" for header "<name>"". C++ callers reach it with a null value.
Error invalidHeaderValueError(std::string_view name);

/// Node: ERR_INVALID_CHAR "Invalid character in <what>[ ["<field>"]]".
Error invalidCharError(std::string_view what, std::string_view field = {});

/// Node: validateHeaderValue(name, value): ERR_INVALID_CHAR
/// "Invalid character in header content ["<name>"]".
inline void validateHeaderValue(std::string_view name, std::string_view value) {
    if (checkInvalidHeaderChar(value)) [[unlikely]] {
        throw invalidCharError("header content", name);
    }
}

/// Node: ERR_HTTP_HEADERS_SENT "Cannot <verb> headers after they are sent to the client"
/// (verb: "set", "append", "remove", "write", "render").
Error headersSentError(std::string_view verb);

/// ASCII lowercase of one byte.
constexpr char toLowerAscii(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// ASCII case-insensitive equality (header names are ASCII tokens).
constexpr bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (toLowerAscii(a[i]) != toLowerAscii(b[i])) return false;
    }
    return true;
}

/// True if `name` has an ASCII uppercase letter (so its lowercase form differs).
constexpr bool hasUpperAscii(std::string_view name) noexcept {
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
}

/// JavaScript object key order: a key that is an array index (canonical decimal below
/// 2^32 - 1: "0", "123", not "01") sorts before every other key, in numeric order.
/// Returns the index, or -1 when `key` is not one.
constexpr long long arrayIndexKey(std::string_view key) noexcept {
    if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return -1;
    long long v = 0;
    for (char c : key) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v < 4294967295LL ? v : -1;
}

}  // namespace nodecc::http
