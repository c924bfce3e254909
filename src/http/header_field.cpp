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

void validateHeaderName(std::string_view name, std::string_view label) {
    if (checkIsHttpToken(name)) return;
    std::string msg(label);
    msg.append(" must be a valid HTTP token ").append(quoted(name));
    throw Error("ERR_INVALID_HTTP_TOKEN", std::move(msg));
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
