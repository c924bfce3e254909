// The echo document of tests/conformance/ECHO.md, byte for byte as Node's
// JSON.stringify writes it. Pure functions: the server part is in main.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace echo {

// A string from the request head: each byte is a latin-1 code point.
void appendLatin1Json(std::string& out, std::string_view bytes);
// A valid UTF-8 string (JSON.stringify escaping, non-ASCII kept as UTF-8).
void appendUtf8Json(std::string& out, std::string_view utf8);
// Node's buffer.isUtf8: well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF).
bool isUtf8(std::string_view bytes) noexcept;
void appendBase64(std::string& out, std::string_view bytes);

// One key of req.headers / req.trailers: a string, or an array (set-cookie).
struct HeaderField {
    std::string_view name;  // lower-case
    std::vector<std::string_view> values;
    bool isArray = false;
};

// A JS object literal of header fields, keys in JavaScript's property order:
// array-index keys (canonical decimal below 2^32-1) ascending first, then the
// rest in insertion order; "__proto__" is never an own key.
void appendHeadersObject(std::string& out, const std::vector<HeaderField>& fields);
// ["Name", "value", ...]
void appendRawArray(std::string& out, const std::vector<std::string_view>& flat);

}  // namespace echo
