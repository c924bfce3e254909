// nodecc::http status codes — Node's `http.STATUS_CODES` table.
//
// The reason phrases Node v20 puts in a status line when the user gives none
// (`writeHead(404)` → "HTTP/1.1 404 Not Found"), "unknown" for codes it does
// not know (`writeHead(599)` → "HTTP/1.1 599 unknown").
//
//     std::string_view a = nodecc::http::statusMessage(418);   // "I'm a Teapot"
//     std::string_view b = nodecc::http::statusMessage(599);   // "unknown"
//     std::string_view c = nodecc::http::statusCodeText(599);  // "" (STATUS_CODES[599] undefined)
//     for (const auto& [code, text] : nodecc::http::statusCodes()) { /* 63 entries, ascending */ }
//
// Threading: constant data; safe from any thread. Cost: one table load, no allocation.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace nodecc::http {

struct StatusCodeEntry {
    int code;
    std::string_view text;
};

/// Node: `http.STATUS_CODES` — every (code, reason) pair, ascending by code.
std::span<const StatusCodeEntry> statusCodes() noexcept;

/// Node: `http.STATUS_CODES[code]`; empty when Node has no entry (undefined).
std::string_view statusCodeText(int code) noexcept;

/// Node: `STATUS_CODES[code] || 'unknown'`, the default statusMessage of writeHead().
/// For the response head writer: the status line "HTTP/1.1 <code> <STATUS_CODES[code]>\r\n"
/// of a code with a text. `bytes` starts kStatusLineRoom readable bytes (the line, then
/// padding), so that a writer with that much room copies the line as one fixed-size block.
/// Null `bytes` for a code without a text.
inline constexpr std::size_t kStatusLineRoom = 48;
struct StatusLine {
    const char* bytes = nullptr;
    std::size_t size = 0;
    std::string_view text;  ///< STATUS_CODES[code]
};
StatusLine statusLineOf(int code) noexcept;
namespace detail {
extern const StatusLine kOkStatusLine;  // "HTTP/1.1 200 OK\r\n"
}  // namespace detail
/// statusLineOf(code), with 200 (most responses) without the table lookup.
inline StatusLine statusLine(int code) noexcept {
    return code == 200 ? detail::kOkStatusLine : statusLineOf(code);
}

inline std::string_view statusMessage(int code) noexcept {
    const std::string_view text = statusCodeText(code);
    return text.empty() ? std::string_view("unknown") : text;
}

}  // namespace nodecc::http
