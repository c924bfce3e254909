#include "nodecc/http/header_field.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace nodecc::http {

namespace {

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 4);
    out.append("[\"").append(s).append("\"]");
    return out;
}

}  // namespace

bool checkIsHttpToken(std::string_view name) noexcept {
    if (name.empty()) return false;
    // Branch-free over the bytes: names are short and almost always valid.
    bool ok = true;
    for (char c : name) ok &= isTokenChar(c);
    return ok;
}

namespace {
// A byte of `x` is below 0x20 or is 0x7f (SWAR: Hacker's Delight's "has less than" and
// "has zero byte" tests, eight bytes at a time).
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;
inline bool mayHaveCtl(std::uint64_t x) noexcept {
    const std::uint64_t below20 = (x - kOnes * 0x20) & ~x & kHighs;
    const std::uint64_t del = x ^ (kOnes * 0x7f);
    const std::uint64_t is7f = (del - kOnes) & ~del & kHighs;
    return (below20 | is7f) != 0;
}
inline bool isInvalidValueByte(unsigned char c) noexcept {
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
}  // namespace

bool checkInvalidHeaderChar(std::string_view value) noexcept {
    const char* p = value.data();
    std::size_t n = value.size();
    if (n >= 8) {
        // Eight bytes at a time, the last block overlapping the one before it.
        for (; n > 8; p += 8, n -= 8) {
            if (blockInvalid(p)) return true;
        }
        return blockInvalid(p + n - 8);
    }
    for (; n > 0; ++p, --n) {
        if (isInvalidValueByte(static_cast<unsigned char>(*p))) return true;
    }
    return false;
}

void validateHeaderName(std::string_view name, std::string_view label) {
    if (checkIsHttpToken(name)) return;
    std::string msg(label);
    msg.append(" must be a valid HTTP token ").append(quoted(name));
    throw Error("ERR_INVALID_HTTP_TOKEN", std::move(msg));
}

void validateHeaderValue(std::string_view name, std::string_view value) {
    if (checkInvalidHeaderChar(value)) throw invalidCharError("header content", name);
}

Error invalidHeaderValueError(std::string_view name) {
    std::string msg("Invalid value \"undefined\" for header \"");
    msg.append(name).append("\"");
    return Error("ERR_HTTP_INVALID_HEADER_VALUE", std::move(msg));
}

Error invalidCharError(std::string_view what, std::string_view field) {
    std::string msg("Invalid character in ");
    msg.append(what);
    if (!field.empty()) msg.append(" ").append(quoted(field));
    return Error("ERR_INVALID_CHAR", std::move(msg));
}

Error headersSentError(std::string_view verb) {
    std::string msg("Cannot ");
    msg.append(verb).append(" headers after they are sent to the client");
    return Error("ERR_HTTP_HEADERS_SENT", std::move(msg));
}

}  // namespace nodecc::http
