// nodecc::http::Method — the request methods the parser recognises.
//
// The numbering is llhttp's (`llhttp_method_t`), so a method value means the
// same thing in nodecc and in Node's parser binding (`allMethods[n]`). Node's
// `require('http').METHODS` is the 35 methods for which `isNodeMethod()` is
// true; the RTSP methods and PRI exist only so the parser can reproduce
// llhttp's behaviour in Node-compatible mode (see docs/CONFORMANCE.md).
//
//     using nodecc::http::Method;
//     auto m = nodecc::http::methodFromName("PATCH");   // std::optional<Method>
//     if (m && *m == Method::Patch) {
//         std::string_view name = nodecc::http::methodName(*m);   // "PATCH"
//     }
//
// Threading: pure functions over constant tables; safe from any thread.
// Cost: no allocation; methodFromName() is a switch plus one short compare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nodecc::http {

enum class Method : std::uint8_t {
    Delete = 0,
    Get = 1,
    Head = 2,
    Post = 3,
    Put = 4,
    Connect = 5,
    Options = 6,
    Trace = 7,
    Copy = 8,
    Lock = 9,
    Mkcol = 10,
    Move = 11,
    Propfind = 12,
    Proppatch = 13,
    Search = 14,
    Unlock = 15,
    Bind = 16,
    Rebind = 17,
    Unbind = 18,
    Acl = 19,
    Report = 20,
    Mkactivity = 21,
    Checkout = 22,
    Merge = 23,
    MSearch = 24,
    Notify = 25,
    Subscribe = 26,
    Unsubscribe = 27,
    Patch = 28,
    Purge = 29,
    Mkcalendar = 30,
    Link = 31,
    Unlink = 32,
    Source = 33,
    Pri = 34,
    Describe = 35,
    Announce = 36,
    Setup = 37,
    Play = 38,
    Pause = 39,
    Teardown = 40,
    GetParameter = 41,
    SetParameter = 42,
    Redirect = 43,
    Record = 44,
    Flush = 45,
    Query = 46,
};

/// Number of values of Method (llhttp's table size).
inline constexpr std::size_t kMethodCount = 47;

/// The method's wire name ("GET", "M-SEARCH", "GET_PARAMETER").
std::string_view methodName(Method method) noexcept;

/// The method whose wire name is exactly `name` (case-sensitive, as on the wire).
std::optional<Method> methodFromName(std::string_view name) noexcept;

/// True for the 35 methods of Node's `require('http').METHODS`.
bool isNodeMethod(Method method) noexcept;

/// True for the methods llhttp accepts after `RTSP/` (Node-compatible mode only).
bool isRtspMethod(Method method) noexcept;

}  // namespace nodecc::http
