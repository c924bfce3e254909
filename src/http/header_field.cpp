#include "nodecc/http/header_field.hpp"

#include <array>
#include <string>

namespace nodecc::http {

namespace {

// Node: _http_common.js tokenRegExp.
constexpr std::array<bool, 256> makeTokenTable() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<unsigned>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned>(c)] = true;
    for (char c : std::string_view("^_`-!#$%&'*+.|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr std::array<bool, 256> kToken = makeTokenTable();

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 4);
    out.append("[\"").append(s).append("\"]");
    return out;
}

}  // namespace

bool checkIsHttpToken(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (char c : name) {
        if (!kToken[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

bool checkInvalidHeaderChar(std::string_view value) noexcept {
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
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
