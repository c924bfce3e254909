#include "nodecc/http/methods.hpp"

#include <array>

namespace nodecc::http {

namespace {

// Indexed by the llhttp method number.
constexpr std::array<std::string_view, kMethodCount> kNames = {
    "DELETE",        "GET",      "HEAD",       "POST",     "PUT",    "CONNECT",   "OPTIONS",
    "TRACE",         "COPY",     "LOCK",       "MKCOL",    "MOVE",   "PROPFIND",  "PROPPATCH",
    "SEARCH",        "UNLOCK",   "BIND",       "REBIND",   "UNBIND", "ACL",       "REPORT",
    "MKACTIVITY",    "CHECKOUT", "MERGE",      "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
    "PATCH",         "PURGE",    "MKCALENDAR", "LINK",     "UNLINK", "SOURCE",    "PRI",
    "DESCRIBE",      "ANNOUNCE", "SETUP",      "PLAY",     "PAUSE",  "TEARDOWN",  "GET_PARAMETER",
    "SET_PARAMETER", "REDIRECT", "RECORD",     "FLUSH",    "QUERY",
};

}  // namespace

std::string_view methodName(Method method) noexcept {
    const auto index = static_cast<std::size_t>(method);
    return index < kNames.size() ? kNames[index] : std::string_view{};
}

std::optional<Method> methodFromName(std::string_view name) noexcept {
    if (name.empty()) return std::nullopt;
    // Candidates share the first letter; the table is small enough for a linear probe per letter.
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i].size() == name.size() && kNames[i][0] == name[0] && kNames[i] == name) {
            return static_cast<Method>(i);
        }
    }
    return std::nullopt;
}

bool isNodeMethod(Method method) noexcept {
    return static_cast<std::uint8_t>(method) <= static_cast<std::uint8_t>(Method::Source) ||
           method == Method::Query;
}

bool isRtspMethod(Method method) noexcept {
    switch (method) {
        case Method::Options:
        case Method::Describe:
        case Method::Announce:
        case Method::Setup:
        case Method::Play:
        case Method::Pause:
        case Method::Teardown:
        case Method::GetParameter:
        case Method::SetParameter:
        case Method::Redirect:
        case Method::Record:
        case Method::Flush:
        case Method::Get:
        case Method::Post:
            return true;
        default:
            return false;
    }
}

}  // namespace nodecc::http
