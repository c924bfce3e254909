#include "echo_json.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace echo {
namespace {

void appendEscapedCodePoint(std::string& out, unsigned char c) {
    switch (c) {
        case '"':
            out += "\\\"";
            return;
        case '\\':
            out += "\\\\";
            return;
        case '\b':
            out += "\\b";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\f':
            out += "\\f";
            return;
        case '\r':
            out += "\\r";
            return;
        default:
            break;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    out += buf;
}

bool needsEscape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\';
}

// JS: an array index is a canonical decimal integer below 2^32 - 1.
bool isArrayIndex(std::string_view key, std::uint64_t& value) {
    if (key.empty() || key.size() > 10) return false;
    if (key.size() > 1 && key[0] == '0') return false;
    value = 0;
    for (char c : key) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value < 4294967295ull;
}

}  // namespace

void appendLatin1Json(std::string& out, std::string_view bytes) {
    out += '"';
    for (unsigned char c : bytes) {
        if (needsEscape(c)) {
            appendEscapedCodePoint(out, c);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    out += '"';
}

void appendUtf8Json(std::string& out, std::string_view utf8) {
    out += '"';
    for (unsigned char c : utf8) {
        if (needsEscape(c)) {
            appendEscapedCodePoint(out, c);
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

bool isUtf8(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (end - p < n + 1) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (int i = 2; i <= n; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF) return false;
        }
        p += n + 1;
    }
    return true;
}

void appendBase64(std::string& out, std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::size_t i = 0;
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = at(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
}

void appendHeadersObject(std::string& out, const std::vector<HeaderField>& fields) {
    std::vector<std::pair<std::uint64_t, const HeaderField*>> indexKeys;
    std::vector<const HeaderField*> otherKeys;
    for (const auto& f : fields) {
        std::uint64_t index = 0;
        if (f.name == "__proto__") continue;
        if (isArrayIndex(f.name, index)) {
            indexKeys.emplace_back(index, &f);
        } else {
            otherKeys.push_back(&f);
        }
    }
    std::stable_sort(indexKeys.begin(), indexKeys.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    bool first = true;
    const auto emit = [&](const HeaderField& f) {
        if (!first) out += ',';
        first = false;
        appendLatin1Json(out, f.name);
        out += ':';
        if (f.isArray) {
            out += '[';
            for (std::size_t i = 0; i < f.values.size(); ++i) {
                if (i != 0) out += ',';
                appendLatin1Json(out, f.values[i]);
            }
            out += ']';
        } else {
            appendLatin1Json(out, f.values.empty() ? std::string_view() : f.values.front());
        }
    };
    for (const auto& [index, f] : indexKeys) emit(*f);
    for (const auto* f : otherKeys) emit(*f);
    out += '}';
}

void appendRawArray(std::string& out, const std::vector<std::string_view>& flat) {
    out += '[';
    for (std::size_t i = 0; i < flat.size(); ++i) {
        if (i != 0) out += ',';
        appendLatin1Json(out, flat[i]);
    }
    out += ']';
}

}  // namespace echo
