#include "nodecc/http/response_head.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/status_codes.hpp"

namespace nodecc::http {

namespace {

constexpr std::string_view kCrlf = "\r\n";

bool isWordChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Node: `+value` for a Content-Length the user set (only strictContentLength reads it).
std::optional<std::uint64_t> parseContentLength(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    std::uint64_t n = 0;
    if (v.empty()) return n;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return std::nullopt;
    return n;
}

// Node: _storeHeader's `state`.
struct StoreState {
    bool connection = false;
    bool contLen = false;
    bool te = false;
    bool date = false;
    bool expect = false;
    bool trailer = false;
};

struct HeaderEffects {
    ResponseHead& head;
    StoreState& state;
    bool& defaultKeepAlive;
};

// Node: _http_outgoing.js matchHeader.
void matchHeader(HeaderEffects& fx, std::string_view field, std::string_view value) {
    switch (field.size()) {
        case 4:
            if (equalsIgnoreCase(field, "date")) fx.state.date = true;
            return;
        case 6:
            if (equalsIgnoreCase(field, "expect")) fx.state.expect = true;
            return;
        case 7:
            if (equalsIgnoreCase(field, "trailer")) fx.state.trailer = true;
            return;
        case 10:
            if (equalsIgnoreCase(field, "connection")) {
                fx.state.connection = true;
                if (isConnectionClose(value)) {
                    fx.head.last = true;
                } else {
                    fx.head.shouldKeepAlive = true;
                }
            } else if (equalsIgnoreCase(field, "keep-alive")) {
                fx.defaultKeepAlive = false;
            }
            return;
        case 14:
            if (equalsIgnoreCase(field, "content-length")) {
                fx.state.contLen = true;
                fx.head.contentLength = parseContentLength(value);
            }
            return;
        case 17:
            if (equalsIgnoreCase(field, "transfer-encoding")) {
                fx.state.te = true;
                if (isChunked(value)) fx.head.chunkedEncoding = true;
            }
            return;
        default:
            return;
    }
}

// The head is written into `out` in one pass: writeHead first reserves an upper bound of
// its size (every header as its own "name: value\r\n" line, the longest form), then writes
// through a pointer — no capacity check, no call per piece. `out` keeps its capacity across
// pooled responses, so in steady state nothing is allocated.
// Writes into room reserved up front for the head's upper bound; commit() keeps what was
// written, abandon() (a throw midway) leaves `out` as it was.
class HeadWriter {
  public:
    HeadWriter(std::string& out, std::size_t bound) : str_(&out), start_(out.size()) {
        out.resize(start_ + bound);
        p_ = out.data() + start_;
    }
    HeadWriter(nodecc::detail::ByteString& out, std::size_t bound)
        : bytes_(&out), start_(out.size()), p_(out.reserveTail(bound)) {}
    void put(std::string_view s) noexcept {
        nodecc::detail::copyBytes(p_, s.data(), s.size());
        p_ += s.size();
    }
    template <std::size_t N>
    void lit(const char (&s)[N]) noexcept {
        std::memcpy(p_, s, N - 1);
        p_ += N - 1;
    }
    // N bytes from `s` (N known at compile time: inline stores), of which `size` are kept.
    template <std::size_t N>
    void block(const char* s, std::size_t size) noexcept {
        if constexpr (N % 16 == 0) {
            nodecc::detail::copyBlock<N>(p_, s);
        } else {
            std::memcpy(p_, s, N);
        }
        p_ += size;
    }
    // Content-Length and the Keep-Alive timeout are short numbers: those digits are stored
    // directly.
    void decimal(std::uint64_t v) noexcept {
        if (v < 10) {
            *p_++ = static_cast<char>('0' + v);
        } else if (v < 100) {
            p_[0] = static_cast<char>('0' + v / 10);
            p_[1] = static_cast<char>('0' + v % 10);
            p_ += 2;
        } else if (v < 1000) {
            p_[0] = static_cast<char>('0' + v / 100);
            p_[1] = static_cast<char>('0' + v / 10 % 10);
            p_[2] = static_cast<char>('0' + v % 10);
            p_ += 3;
        } else {
            p_ = std::to_chars(p_, p_ + 20, v).ptr;
        }
    }
    char* pos() const noexcept { return p_; }
    void commit() {
        if (str_ != nullptr) {
            str_->resize(static_cast<std::size_t>(p_ - str_->data()));
        } else {
            bytes_->commitTail(p_);
        }
    }
    void abandon() {
        if (str_ != nullptr) {
            str_->resize(start_);
        } else {
            bytes_->truncate(start_);
        }
    }

  private:
    std::string* str_ = nullptr;
    nodecc::detail::ByteString* bytes_ = nullptr;
    std::size_t start_;
    char* p_;
};

// Room for one header line, "name: value\r\n".
constexpr std::size_t lineBound(std::string_view name, std::string_view value) noexcept {
    return name.size() + value.size() + 4;
}

// Node: storeHeader.
void storeLine(HeaderEffects& fx, HeadWriter& w, std::string_view key, std::string_view value) {
    w.put(key);
    w.lit(": ");
    w.put(value);
    w.lit("\r\n");
    matchHeader(fx, key, value);
}

bool isUnique(const UniqueHeaders* unique, std::string_view key) noexcept {
    return unique != nullptr && unique->contains(key);
}

// Node: processHeader for a list value: repeated lines, or one line joined with "; " for
// `cookie` (2+ values) and uniqueHeaders names.
void storeList(HeaderEffects& fx, HeadWriter& w, std::string_view key,
               const OutgoingHeaders::ValueRange& values, std::size_t count,
               const UniqueHeaders* unique) {
    if ((count < 2 || !equalsIgnoreCase(key, "cookie")) && !isUnique(unique, key)) {
        for (std::string_view v : values) storeLine(fx, w, key, v);
        return;
    }
    w.put(key);
    w.lit(": ");
    const char* valueStart = w.pos();
    bool first = true;
    for (std::string_view v : values) {
        if (!first) w.lit("; ");
        w.put(v);
        first = false;
    }
    const char* valueEnd = w.pos();
    w.lit("\r\n");
    // matchHeader reads the joined value where it now sits in the head (no copy).
    matchHeader(fx, key,
                std::string_view(valueStart, static_cast<std::size_t>(valueEnd - valueStart)));
}

// The longest head the fixed parts can add: status line without the message, Date,
// Connection + Keep-Alive with two 20-digit numbers, Content-Length or Transfer-Encoding,
// the blank line.
constexpr std::size_t kFixedHeadBound =
    13 + 2 + (6 + 2) + 24 + (20 + 20 + 6 + 20 + 2) + (16 + 20 + 2) + 2;
// The status line is copied as one block of kStatusLineRoom bytes into the room reserved.
static_assert(kFixedHeadBound >= kStatusLineRoom);
// HeadContext::keepAliveLines up to this size are copied as one block of this size (the room
// for Date + Connection + Keep-Alive in kFixedHeadBound, which the DateCache's storage has).
constexpr std::size_t kKeepAliveLinesBlock = 96;
static_assert(kKeepAliveLinesBlock <= DateCache::kKeepAliveLinesRoom);
static_assert(kKeepAliveLinesBlock <= kFixedHeadBound - kStatusLineRoom);

}  // namespace

bool containsToken(std::string_view value, std::string_view word) noexcept {
    if (word.empty() || value.size() < word.size()) return false;
    for (std::size_t p = 0; p + word.size() <= value.size(); ++p) {
        if (p > 0 && isWordChar(value[p - 1])) continue;
        const std::size_t e = p + word.size();
        if (e < value.size() && isWordChar(value[e])) continue;
        if (equalsIgnoreCase(value.substr(p, word.size()), word)) return true;
    }
    return false;
}

int validateStatusCode(std::int64_t statusCode) {
    // Node: `statusCode |= 0` (ToInt32), then 100..999.
    const auto code = static_cast<std::int32_t>(static_cast<std::uint32_t>(statusCode));
    if (code < 100 || code > 999) {
        std::string msg("Invalid status code: ");
        msg.append(std::to_string(statusCode));
        throw Error("ERR_HTTP_INVALID_STATUS_CODE", std::move(msg));
    }
    return code;
}

void ResponseHead::reset(const RequestFacts& req) noexcept {
    // Field by field: `*this = ResponseHead()` builds a temporary with byte stores and reloads
    // it wide, a store-forwarding stall measurable on the hot path.
    statusCode = 200;
    statusMessage = {};
    hasBody = !req.isHead;
    // HTTP < 1.1: chunked only if the request had `TE: chunked`. parserOnIncoming then
    // overwrites the constructor's `shouldKeepAlive = false` with the parser's answer.
    useChunkedEncodingByDefault =
        !(req.httpVersionMajor < 1 || req.httpVersionMinor < 1) || req.teChunked;
    shouldKeepAlive = req.shouldKeepAlive;
    sendDate = true;
    expectContinue = false;
    sent100 = false;
    maxRequestsOnConnectionReached = false;
    contentLength.reset();
    headersSent = false;
    chunkedEncoding = false;
    last = false;
    flushHeadNow = false;
    defaultKeepAlive_ = true;
}

void ResponseHead::writeHead(std::int64_t code, std::optional<std::string_view> message,
                             OutgoingHeaders& headers, std::span<const HeaderField> fields,
                             const HeadContext& ctx, std::string& out) {
    writeHeadTo(code, message, headers, fields, ctx, out);
}

void ResponseHead::writeHead(std::int64_t code, std::optional<std::string_view> message,
                             OutgoingHeaders& headers, std::span<const HeaderField> fields,
                             const HeadContext& ctx, nodecc::detail::ByteString& out) {
    writeHeadTo(code, message, headers, fields, ctx, out);
}

template <class Out>
void ResponseHead::writeHeadTo(std::int64_t code, std::optional<std::string_view> message,
                               OutgoingHeaders& headers, std::span<const HeaderField> fields,
                               const HeadContext& ctx, Out& out) {
    // Node: _http_server.js writeHead.
    if (headersSent) throw headersSentError("write");
    const int status = validateStatusCode(code);
    const StatusLine line = message ? StatusLine() : statusLine(status);
    if (line.bytes != nullptr && fields.empty() && headers.plainLines() && status >= 200 &&
        status != 204 && status != 304 && hasBody && contentLength && sendDate && shouldKeepAlive &&
        useChunkedEncodingByDefault && !maxRequestsOnConnectionReached &&
        !(expectContinue && !sent100) && ctx.keepAliveTimeoutMs != 0 &&
        !ctx.keepAliveLines.empty()) {
        writeKeepAliveHead(status, line, headers, ctx, out);
        return;
    }
    const std::string_view msg =
        message ? *message : (line.bytes != nullptr ? line.text : http::statusMessage(status));
    const bool slowPath = headers.used();
    if (slowPath) {
        for (const HeaderField& f : fields) {
            if (!f.name.empty()) headers.setHeader(f.name, f.value);
        }
    }
    statusCode = status;
    statusMessage = msg;
    // The table's texts are valid; only the caller's reason is checked.
    if (message && checkInvalidHeaderChar(msg)) throw invalidCharError("statusMessage");
    if (status == 204 || status == 304 || (status >= 100 && status <= 199)) hasBody = false;
    // Don't keep alive connections where the client expects 100 Continue but we sent a final
    // status; they may put extra bytes on the wire.
    if (expectContinue && !sent100) shouldKeepAlive = false;

    // Node: _storeHeader(statusLine, headers).
    std::size_t bound = kFixedHeadBound + msg.size() + ctx.date.size() + ctx.keepAliveLines.size();
    if (slowPath) {
        bound += headers.headLinesBound();
    } else {
        for (const HeaderField& f : fields) bound += lineBound(f.name, f.value);
    }
    HeadWriter w(out, bound);
    try {
        StoreState state;
        HeaderEffects fx{*this, state, defaultKeepAlive_};
        if (line.bytes != nullptr) {
            w.block<kStatusLineRoom>(line.bytes, line.size);
        } else {
            const char start[13] = {'H',
                                    'T',
                                    'T',
                                    'P',
                                    '/',
                                    '1',
                                    '.',
                                    '1',
                                    ' ',
                                    static_cast<char>('0' + status / 100),
                                    static_cast<char>('0' + status / 10 % 10),
                                    static_cast<char>('0' + status % 10),
                                    ' '};
            w.put(std::string_view(start, sizeof start));
            w.put(msg);
            w.lit("\r\n");
        }

        if (slowPath) {
            headers.forEach([&](const OutgoingHeaders::Header& h) {
                if (h.isArray()) {
                    storeList(fx, w, h.name(), h.values(), h.size(), ctx.uniqueHeaders);
                } else {
                    storeLine(fx, w, h.name(), h.value());
                }
            });
        } else {
            for (const HeaderField& f : fields) {
                validateHeaderName(f.name);
                validateHeaderValue(f.name, f.value);
                storeLine(fx, w, f.name, f.value);
            }
        }

        // matchHeader clears _removed* when the header is present.
        const bool removedConnection = headers.removedConnection() && !state.connection;
        const bool removedContLen = headers.removedContentLength() && !state.contLen;
        const bool removedTE = headers.removedTransferEncoding() && !state.te;

        // A chunked 204/304 (user Transfer-Encoding) would confuse proxies: drop the zero
        // chunk and close instead.
        if (chunkedEncoding && (statusCode == 204 || statusCode == 304)) {
            chunkedEncoding = false;
            shouldKeepAlive = false;
        }

        const bool writeDate = sendDate && !state.date;
        if (writeDate && !removedConnection && !state.connection && shouldKeepAlive &&
            (state.contLen || useChunkedEncodingByDefault) && !maxRequestsOnConnectionReached &&
            ctx.keepAliveTimeoutMs != 0 && defaultKeepAlive_ && !ctx.keepAliveLines.empty()) {
            // Date, `Connection: keep-alive` and Keep-Alive, as the branches below write them.
            if (ctx.keepAliveLines.size() <= kKeepAliveLinesBlock) {
                w.block<kKeepAliveLinesBlock>(ctx.keepAliveLines.data(), ctx.keepAliveLines.size());
            } else {
                w.put(ctx.keepAliveLines);
            }
        } else {
            if (writeDate) {
                w.lit("Date: ");
                if (ctx.date.size() == kImfFixdateLength) {
                    w.block<kImfFixdateLength>(ctx.date.data(), kImfFixdateLength);
                } else {
                    w.put(ctx.date);
                }
                w.lit("\r\n");
            }
            // keep-alive logic
            if (removedConnection) {
                last = !shouldKeepAlive;
            } else if (!state.connection) {
                const bool shouldSendKeepAlive =
                    shouldKeepAlive && (state.contLen || useChunkedEncodingByDefault);
                if (shouldSendKeepAlive && maxRequestsOnConnectionReached) {
                    // Observed (NODE-BEHAVIOUR §3.4): `Connection: close` but _last stays false.
                    w.lit("Connection: close\r\n");
                } else if (shouldSendKeepAlive) {
                    w.lit("Connection: keep-alive\r\n");
                    if (ctx.keepAliveTimeoutMs != 0 && defaultKeepAlive_) {
                        w.lit("Keep-Alive: timeout=");
                        w.decimal(ctx.keepAliveTimeoutMs / 1000);
                        if (static_cast<std::int32_t>(ctx.maxRequestsPerSocket) > 0) {
                            w.lit(", max=");
                            w.decimal(static_cast<std::uint64_t>(ctx.maxRequestsPerSocket));
                        }
                        w.lit("\r\n");
                    }
                } else {
                    last = true;
                    w.lit("Connection: close\r\n");
                }
            }
        }

        if (!state.contLen && !state.te) {
            if (!hasBody) {
                chunkedEncoding = false;
            } else if (!useChunkedEncodingByDefault) {
                last = true;  // close-delimited body
            } else if (!state.trailer && !removedContLen && contentLength) {
                w.lit("Content-Length: ");
                w.decimal(*contentLength);
                w.lit("\r\n");
            } else if (!removedTE) {
                w.lit("Transfer-Encoding: chunked\r\n");
                chunkedEncoding = true;
            } else {
                // Both removed: the body runs until the connection closes.
                last = true;
            }
        }

        // A message that is not chunked ends at the blank line and cannot carry trailers.
        if (!chunkedEncoding && state.trailer) {
            throw Error("ERR_HTTP_TRAILER_INVALID",
                        "Trailers are invalid with this transfer encoding");
        }
        w.lit("\r\n");
        flushHeadNow = state.expect;
    } catch (...) {
        w.abandon();
        throw;
    }
    w.commit();
    headersSent = true;
    headers.markHeadersSent();
}

// The head the general path below writes for a keep-alive response with a Content-Length
// (the table's status text, plain header lines, Date, Connection and Keep-Alive of the
// context), written without its decisions: every header is a line copied as it is stored, the
// Date, Connection and Keep-Alive lines are one block. The decisions keep their reset() values
// (not chunked, not last, no early flush). tests/unit/http/response_head_test.cpp holds the
// two paths' bytes against each other.
template <class Out>
void ResponseHead::writeKeepAliveHead(int status, const StatusLine& line, OutgoingHeaders& headers,
                                      const HeadContext& ctx, Out& out) {
    statusCode = status;
    statusMessage = line.text;
    const std::size_t blockRoom = std::max(ctx.keepAliveLines.size(), kKeepAliveLinesBlock);
    HeadWriter w(out, kStatusLineRoom + headers.headLinesBound() + blockRoom + 16 + 20 + 4);
    w.block<kStatusLineRoom>(line.bytes, line.size);
    headers.forEachLine([&w](std::string_view l) { w.put(l); });
    if (ctx.keepAliveLines.size() <= kKeepAliveLinesBlock) {
        w.block<kKeepAliveLinesBlock>(ctx.keepAliveLines.data(), ctx.keepAliveLines.size());
    } else {
        w.put(ctx.keepAliveLines);
    }
    w.lit("Content-Length: ");
    w.decimal(*contentLength);
    w.lit("\r\n\r\n");
    w.commit();
    headersSent = true;
    headers.markHeadersSent();
}

bool ResponseHead::appendWrite(std::string& out, std::string_view data) const {
    if (!hasBody) return false;
    if (chunkedEncoding && !data.empty()) {
        appendChunkHeader(out, data.size());
        out.append(data).append(kCrlf);
    } else {
        out.append(data);
    }
    return true;
}

void ResponseHead::appendEnd(std::string& out, std::string_view trailer) const {
    if (hasBody && chunkedEncoding) appendLastChunk(out, trailer);
}

void appendChunkHeader(std::string& out, std::size_t length) {
    char buf[20];
    const auto r = std::to_chars(buf, buf + sizeof buf, length, 16);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf)).append(kCrlf);
}

void appendLastChunk(std::string& out, std::string_view trailer) {
    out.append("0\r\n").append(trailer).append(kCrlf);
}

void addTrailers(std::string& trailer, std::span<const HeaderField> fields) {
    // Node: addTrailers validates everything before it is stored; `_trailer` is rebuilt.
    for (const HeaderField& f : fields) {
        validateHeaderName(f.name, "Trailer name");
        if (checkInvalidHeaderChar(f.value)) throw invalidCharError("trailer content", f.name);
    }
    trailer.clear();
    for (const HeaderField& f : fields) {
        trailer.append(f.name).append(": ").append(f.value).append(kCrlf);
    }
}

void addTrailers(std::string& trailer, const OutgoingHeaders& fields, const UniqueHeaders* unique) {
    trailer.clear();
    fields.forEach([&](const OutgoingHeaders::Header& h) {
        if (h.isArray() && h.size() > 1 && !isUnique(unique, h.key())) {
            for (std::string_view v : h.values()) {
                trailer.append(h.name()).append(": ").append(v).append(kCrlf);
            }
            return;
        }
        trailer.append(h.name()).append(": ");
        bool first = true;
        for (std::string_view v : h.values()) {
            if (!first) trailer.append("; ");
            trailer.append(v);
            first = false;
        }
        trailer.append(kCrlf);
    });
}

std::string_view clientErrorResponse(std::string_view errorCode) noexcept {
    if (errorCode == "HPE_HEADER_OVERFLOW") return kRequestHeaderFieldsTooLargeResponse;
    if (errorCode == "HPE_CHUNK_EXTENSIONS_OVERFLOW") return kPayloadTooLargeResponse;
    if (errorCode == "ERR_HTTP_REQUEST_TIMEOUT") return kRequestTimeoutResponse;
    return kBadRequestResponse;
}

bool isValidLinkHeaderValue(std::string_view v) noexcept {
    // JS \s over ASCII; [^;"\s] is a "link char".
    const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    const auto linkChar = [&](char c) { return c != ';' && c != '"' && !space(c); };
    if (v.empty() || v[0] != '<') return false;
    std::size_t i = v.find('>', 1);
    if (i == std::string_view::npos) return false;
    ++i;
    const std::size_t n = v.size();
    while (i < n) {
        while (i < n && space(v[i])) ++i;
        if (i == n || v[i] != ';') return false;
        ++i;
        while (i < n && space(v[i])) ++i;
        const std::size_t start = i;
        while (i < n && linkChar(v[i])) ++i;
        if (i == start) return false;
        if (i < n && v[i] == '"') {
            // `name="value"`: the run before the quote is the name plus '='.
            if (i - start < 2 || v[i - 1] != '=') return false;
            ++i;
            while (i < n && linkChar(v[i])) ++i;
            if (i == n || v[i] != '"') return false;
            ++i;
        }
    }
    return true;
}

void appendEarlyHints(std::string& out, std::span<const std::string_view> links,
                      std::span<const HeaderField> others) {
    for (std::string_view link : links) {
        if (!isValidLinkHeaderValue(link) || checkInvalidHeaderChar(link)) {
            std::string msg(
                "The argument 'hints' must be an array or string of format \"</styles.css>; "
                "rel=preload; as=style\". Received '");
            msg.append(link).append("'");
            throw Error("ERR_INVALID_ARG_VALUE", std::move(msg));
        }
    }
    for (const HeaderField& f : others) {
        validateHeaderName(f.name);
        validateHeaderValue(f.name, f.value);
    }
    if (links.empty()) return;
    out.append("HTTP/1.1 103 Early Hints\r\nLink: ");
    for (std::size_t i = 0; i < links.size(); ++i) {
        if (i != 0) out.append(", ");
        out.append(links[i]);
    }
    out.append(kCrlf);
    for (const HeaderField& f : others)
        out.append(f.name).append(": ").append(f.value).append(kCrlf);
    out.append(kCrlf);
}

void writeAutomaticResponse(AutomaticResponse which, ResponseHead& head, OutgoingHeaders& headers,
                            const HeadContext& ctx, std::string& out) {
    static constexpr HeaderField kClose[] = {{"Connection", "close"}};
    switch (which) {
        case AutomaticResponse::MissingHost:
            head.writeHead(400, std::nullopt, headers, kClose, ctx, out);
            break;
        case AutomaticResponse::ExpectationFailed:
            head.writeHead(417, headers, ctx, out);
            break;
        case AutomaticResponse::RequestsLimit:
            head.writeHead(503, headers, ctx, out);
            break;
    }
    head.appendEnd(out);
}

}  // namespace nodecc::http
