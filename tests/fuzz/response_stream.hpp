// What a client reads from an http::Server, checked as a sequence of HTTP/1.1 responses
// (fuzz_server). Header-only: the fuzz target and tests include it.
//
//   ResponseStream rs = readResponses(bytes, {"GET", "HEAD"});
//   if (!rs.ok) puts(rs.problem.c_str());
//
// Each response is a status line "HTTP/1.1 NNN reason", header lines "name: value"
// and a body framed as Node frames it: none (1xx, 204, 304, a HEAD request),
// Content-Length, chunked, or up to the end of the connection. 101 and a 2xx to
// CONNECT end the HTTP part of the stream. Node's canned error reply ("HTTP/1.1
// 4xx …\r\nConnection: close\r\n\r\n" and nothing else) is counted on its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nodecc::fuzz {

struct ResponseStream {
    bool ok = true;
    std::string problem;
    std::size_t finals = 0;       // final (non-1xx) responses, canned replies included
    std::size_t canned = 0;       // Node's canned error replies
    std::size_t interim = 0;      // 1xx other than 101
    bool partial = false;         // the bytes end inside a response
    bool tunnel = false;          // a 101 / 2xx to CONNECT ended the HTTP part
    bool closeDelimited = false;  // the last body ran to the end of the connection
};

namespace detail {

inline bool isToken(char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

inline bool equalsLower(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
        if (c != lower[i]) return false;
    }
    return true;
}

// Reads one CRLF-terminated line at `pos`; false if the bytes end first.
inline bool line(std::string_view s, std::size_t& pos, std::string_view& out) {
    const std::size_t end = s.find("\r\n", pos);
    if (end == std::string_view::npos) return false;
    out = s.substr(pos, end - pos);
    pos = end + 2;
    return true;
}

}  // namespace detail

// `methods`: the method of each request the server dispatched, in order.
inline ResponseStream readResponses(std::string_view s, const std::vector<std::string>& methods) {
    using namespace detail;
    ResponseStream r;
    const auto fail = [&r](std::string why) {
        r.ok = false;
        r.problem = std::move(why);
        return r;
    };
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t start = pos;
        std::string_view status;
        if (!line(s, pos, status)) {
            // A prefix of a status line is a truncated response, anything else is garbage.
            const std::string_view rest = s.substr(start);
            const std::string_view proto = "HTTP/1.1 ";
            if (proto.substr(0, rest.size()) != rest.substr(0, proto.size())) {
                return fail("not a status line at " + std::to_string(start));
            }
            r.partial = true;
            return r;
        }
        if (status.size() < 13 || status.substr(0, 9) != "HTTP/1.1 " || status[12] != ' ') {
            return fail("bad status line at " + std::to_string(start) + ": " +
                        std::string(status.substr(0, 80)));
        }
        int code = 0;
        for (std::size_t i = 9; i < 12; ++i) {
            if (status[i] < '0' || status[i] > '9') return fail("bad status code");
            code = code * 10 + (status[i] - '0');
        }
        if (code < 100) return fail("status code < 100");
        bool chunked = false;
        bool hasLength = false;
        bool connectionClose = false;
        std::size_t fields = 0;
        std::size_t length = 0;
        bool headEnded = false;
        std::string_view field;
        while (line(s, pos, field)) {
            if (field.empty()) {
                headEnded = true;
                break;
            }
            ++fields;
            const std::size_t colon = field.find(':');
            if (colon == 0 || colon == std::string_view::npos) return fail("bad header line");
            const std::string_view name = field.substr(0, colon);
            for (char c : name) {
                if (!isToken(c)) return fail("bad header name: " + std::string(name));
            }
            std::string_view value = field.substr(colon + 1);
            if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
            for (char c : value) {
                if (c == '\r' || c == '\n' || c == '\0') return fail("bad header value");
            }
            if (equalsLower(name, "transfer-encoding")) {
                chunked = equalsLower(value, "chunked");
                if (!chunked) return fail("transfer-encoding other than chunked");
            } else if (equalsLower(name, "content-length")) {
                if (hasLength) return fail("two content-length fields");
                hasLength = true;
                if (value.empty() || value.size() > 12) return fail("bad content-length");
                for (char c : value) {
                    if (c < '0' || c > '9') return fail("bad content-length");
                    length = length * 10 + static_cast<std::size_t>(c - '0');
                }
            } else if (equalsLower(name, "connection") && equalsLower(value, "close")) {
                connectionClose = true;
            }
        }
        if (!headEnded) {
            r.partial = true;
            return r;
        }
        if (chunked && hasLength) return fail("both content-length and chunked");
        if (code == 101) {
            r.tunnel = true;
            ++r.finals;
            return r;
        }
        if (code < 200) {
            if (chunked || hasLength) return fail("framed 1xx");
            ++r.interim;
            continue;
        }
        const std::size_t index = r.finals++;
        const bool canned = fields == 1 && connectionClose && code >= 400;
        if (canned) ++r.canned;
        const std::string_view method =
            !canned && index < methods.size() ? std::string_view(methods[index]) : "";
        if (method == "CONNECT" && code < 300) {
            r.tunnel = true;
            return r;
        }
        if (method == "HEAD" || code == 204 || code == 304) {
            if (code == 204 && (chunked || hasLength)) return fail("framed 204");
            continue;
        }
        if (hasLength) {
            if (s.size() - pos < length) {
                r.partial = true;
                return r;
            }
            pos += length;
            continue;
        }
        if (chunked) {
            for (;;) {
                std::string_view size;
                if (!line(s, pos, size)) {
                    r.partial = true;
                    return r;
                }
                if (size.empty() || size.size() > 8) return fail("bad chunk size line");
                std::size_t n = 0;
                for (char c : size) {
                    int d = -1;
                    if (c >= '0' && c <= '9') d = c - '0';
                    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
                    if (d < 0) return fail("bad chunk size: " + std::string(size));
                    n = n * 16 + static_cast<std::size_t>(d);
                }
                if (n == 0) break;
                if (s.size() - pos < n + 2) {
                    r.partial = true;
                    return r;
                }
                if (s.substr(pos + n, 2) != "\r\n") return fail("chunk without CRLF");
                pos += n + 2;
            }
            // Trailers, then the empty line.
            std::string_view trailer;
            bool done = false;
            while (line(s, pos, trailer)) {
                if (trailer.empty()) {
                    done = true;
                    break;
                }
                if (trailer.find(':') == std::string_view::npos) return fail("bad trailer");
            }
            if (!done) {
                r.partial = true;
                return r;
            }
            continue;
        }
        // No framing: the body runs to the end of the connection.
        r.closeDelimited = true;
        return r;
    }
    return r;
}

}  // namespace nodecc::fuzz
