// Character classes of the HTTP/1.1 grammar, as llhttp spells them
// (llhttp src/llhttp/constants.ts), plus nodecc's RFC 3986 request-target set.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace nodecc::http::detail {

using CharTable = std::array<bool, 256>;

constexpr bool isAlpha(unsigned c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool isDigit(unsigned c) {
    return c >= '0' && c <= '9';
}

constexpr CharTable makeTable(bool alnum, std::string_view extra) {
    CharTable table{};
    for (unsigned c = 0; c < 256; ++c) table[c] = alnum && (isAlpha(c) || isDigit(c));
    for (char c : extra) table[static_cast<unsigned char>(c)] = true;
    return table;
}

// RFC 9110 §5.6.2 tchar.
inline constexpr CharTable kToken = makeTable(true, "!#$%&'*+-.^_`|~");

// RFC 9110 §5.5 field-vchar / obs-text, SP and HTAB (llhttp HEADER_CHARS: DEL excluded).
constexpr CharTable makeHeaderValueTable() {
    CharTable table{};
    table['\t'] = true;
    for (unsigned c = 0x20; c < 256; ++c) table[c] = c != 0x7f;
    return table;
}
inline constexpr CharTable kHeaderValue = makeHeaderValueTable();

// llhttp CONNECTION_TOKEN_CHARS: HEADER_CHARS without ','.
constexpr CharTable makeConnectionTokenTable() {
    CharTable table = makeHeaderValueTable();
    table[','] = false;
    return table;
}
inline constexpr CharTable kConnectionToken = makeConnectionTokenTable();

// llhttp STRICT_URL_CHAR (what Node v20 accepts in a path, query and fragment).
inline constexpr CharTable kUrlChar = makeTable(true, "!\"$%&'()*+,-./:;<=>@[\\]^_`{|}~");

// RFC 3986 pchar + "/" (unreserved, pct-encoded, sub-delims, ":" "@"), plus "[" "]"
// which browsers send unencoded in queries (docs/CONFORMANCE.md).
inline constexpr CharTable kRfcUrlChar = makeTable(true, "-._~%!$&'()*+,;=:@/[]");

// llhttp USERINFO_CHARS + "[" "]": the authority of absolute-form and CONNECT targets.
inline constexpr CharTable kServerChar = makeTable(true, "-_.!~*'()%;:&=+$,[]");

// RFC 9112 §7.1.1 qdtext (chunk-ext quoted values).
constexpr CharTable makeQdtextTable() {
    CharTable table{};
    table['\t'] = table[' '] = table['!'] = true;
    for (unsigned c = 0x23; c <= 0x5b; ++c) table[c] = true;
    for (unsigned c = 0x5d; c <= 0x7e; ++c) table[c] = true;
    for (unsigned c = 0x80; c < 256; ++c) table[c] = true;
    return table;
}
inline constexpr CharTable kQdtext = makeQdtextTable();

// quoted-pair's second byte: HTAB / SP / VCHAR / obs-text, the same set as header values.
inline constexpr const CharTable& kQuotedPair = kHeaderValue;

// Hex digit value, or -1.
constexpr std::array<std::int8_t, 256> makeHexTable() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table) v = -1;
    for (int c = '0'; c <= '9'; ++c)
        table[static_cast<unsigned>(c)] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        table[static_cast<unsigned>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c)
        table[static_cast<unsigned>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
    return table;
}
inline constexpr std::array<std::int8_t, 256> kHexValue = makeHexTable();

inline bool in(const CharTable& table, char c) {
    return table[static_cast<unsigned char>(c)];
}

}  // namespace nodecc::http::detail
