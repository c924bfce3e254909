// nodecc::http::ResponseHead — the response head and body framing of Node's
// ServerResponse, without I/O: writeHead's validation, _storeHeader's exact
// bytes and its keep-alive / framing decisions, chunk framing, trailers, and
// the canned replies the server writes on its own.
//
// A ServerResponse embeds one ResponseHead (its Node fields: statusCode,
// shouldKeepAlive, chunkedEncoding, _last, _hasBody …) and one OutgoingHeaders,
// and appends everything to its output buffer:
//
//     ResponseHead head;
//     head.reset({.isHead = false, .shouldKeepAlive = parserKeepAlive});  // new ServerResponse
//     headers.setHeader("Content-Type", "text/plain");
//     head.contentLength = body.size();          // end(body) before the head is built
//     head.writeHead(200, std::nullopt, headers, {}, {.date = dates.utcDate()}, out);
//     head.appendWrite(out, body);               // body bytes (chunk-framed if chunked)
//     head.appendEnd(out, trailer);              // "0\r\n<trailer>\r\n" when chunked
//     if (head.last) { /* end the socket after this response */ }
//
// Head layout (Node): "HTTP/1.1 <code> <msg>\r\n", user headers in JS key
// order, Date, Connection (+ Keep-Alive), Content-Length or
// Transfer-Encoding: chunked, "\r\n". See NODE-BEHAVIOUR.md §1.3.
//
// Threading: one loop. Cost: appends to the caller's buffer, allocates nothing
// once that buffer has capacity; errors (thrown nodecc::Error) allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nodecc/core/byte_string.hpp"
#include "nodecc/http/header_field.hpp"
#include "nodecc/http/outgoing_headers.hpp"
#include "nodecc/http/status_codes.hpp"

namespace nodecc::http {

/// Node: `(?:^|\W)<word>(?:$|\W)` case-insensitively — the shape of RE_CONN_CLOSE ("close"),
/// chunkExpression ("chunked") and continueExpression ("100-continue").
bool containsToken(std::string_view value, std::string_view word) noexcept;
inline bool isConnectionClose(std::string_view v) noexcept {
    return containsToken(v, "close");
}
inline bool isChunked(std::string_view v) noexcept {
    return containsToken(v, "chunked");
}
inline bool isContinue(std::string_view v) noexcept {
    return containsToken(v, "100-continue");
}

/// What the request tells the response (Node: ServerResponse constructor + parserOnIncoming).
struct RequestFacts {
    bool isHead = false;  ///< req.method === 'HEAD'
    int httpVersionMajor = 1;
    int httpVersionMinor = 1;
    bool shouldKeepAlive = true;  ///< the parser's llhttp_should_keep_alive
    bool teChunked = false;       ///< isChunked(req.headers.te), read for HTTP < 1.1 only
};

/// Per-server settings and the current Date (Node: res._keepAliveTimeout,
/// res._maxRequestsPerSocket, res[kUniqueHeaders], utcDate()).
struct HeadContext {
    std::string_view date;  ///< value of the Date header (DateCache::utcDate())
    std::uint64_t keepAliveTimeoutMs = 5000;
    std::int64_t maxRequestsPerSocket = 0;  ///< > 0 adds ", max=N" to Keep-Alive
    const UniqueHeaders* uniqueHeaders = nullptr;
    /// Optional: the Date, Connection and Keep-Alive lines that `date`, keepAliveTimeoutMs and
    /// maxRequestsPerSocket give on a keep-alive response (DateCache::keepAliveLines, at the
    /// start of DateCache::kKeepAliveLinesRoom readable bytes). When set, writeHead copies
    /// them as one block instead of writing the three lines; the bytes are the same.
    std::string_view keepAliveLines = {};
};

class ResponseHead {
  public:
    // ---- Node's OutgoingMessage / ServerResponse fields ----------------------------------
    int statusCode = 200;            ///< res.statusCode, as sent
    std::string_view statusMessage;  ///< as sent: the table's text or the caller's reason
    bool hasBody = true;             ///< _hasBody: false for HEAD, 204, 304, 1xx
    bool shouldKeepAlive = true;     ///< res.shouldKeepAlive
    bool useChunkedEncodingByDefault = true;
    bool sendDate = true;         ///< res.sendDate (false after removeHeader('date'))
    bool expectContinue = false;  ///< _expect_continue (server: Expect: 100-continue)
    bool sent100 = false;         ///< _sent100 (writeContinue ran)
    bool maxRequestsOnConnectionReached = false;
    /// _contentLength: set by end(data)/end() before the head is built (Node: end → write_).
    /// writeHead also sets it from a user Content-Length (`+value`).
    std::optional<std::uint64_t> contentLength;

    // ---- decisions, valid after writeHead -------------------------------------------------
    bool headersSent = false;      ///< Node: headersSent (the head is built)
    bool chunkedEncoding = false;  ///< body chunks need hex framing
    bool last = false;             ///< _last: close the connection after this response
    bool flushHeadNow = false;     ///< the user set `Expect`: Node sends the head at once

    /// Node: new ServerResponse(req) + parserOnIncoming's `res.shouldKeepAlive = keepAlive`.
    /// HTTP < 1.1: chunked by default only if the request had `TE: chunked`.
    void reset(const RequestFacts& req) noexcept;

    /// Node: res.writeHead(statusCode[, statusMessage][, headers]) → _storeHeader. Appends the
    /// head to `out`. `statusMessage` nullopt = the table's text (Node: STATUS_CODES[code] ||
    /// 'unknown'); pass the user's res.statusMessage when set. `fields` are writeHead's header
    /// argument: when `headers.used()` they are merged with setHeader (empty names skipped, as
    /// Node), otherwise they are sent as given and validated. Marks `headers` sent.
    /// Throws (Node's codes): ERR_HTTP_HEADERS_SENT, ERR_HTTP_INVALID_STATUS_CODE ("Invalid
    /// status code: <code>", when code|0 is outside 100..999), ERR_INVALID_HTTP_TOKEN,
    /// ERR_INVALID_CHAR (header value, or "Invalid character in statusMessage"),
    /// ERR_HTTP_TRAILER_INVALID. On a throw nothing is appended.
    void writeHead(std::int64_t code, std::optional<std::string_view> reason,
                   OutgoingHeaders& headers, std::span<const HeaderField> fields,
                   const HeadContext& ctx, std::string& out);
    void writeHead(std::int64_t code, std::optional<std::string_view> reason,
                   OutgoingHeaders& headers, std::span<const HeaderField> fields,
                   const HeadContext& ctx, nodecc::detail::ByteString& out);
    void writeHead(std::int64_t code, OutgoingHeaders& headers, const HeadContext& ctx,
                   std::string& out) {
        writeHead(code, std::nullopt, headers, {}, ctx, out);
    }

    /// Node: write_'s framing after the head: nothing when !hasBody (Node ignores the write),
    /// "<hex>\r\n<data>\r\n" when chunked (an empty chunk is skipped), else the raw bytes.
    /// Returns false when the data was dropped because the response has no body.
    bool appendWrite(std::string& out, std::string_view data) const;

    /// Node: end()'s tail: "0\r\n<trailer>\r\n" when hasBody && chunked, else nothing.
    void appendEnd(std::string& out, std::string_view trailer = {}) const;

  private:
    template <class Out>
    void writeKeepAliveHead(int status, const StatusLine& line, OutgoingHeaders& headers,
                            const HeadContext& ctx, Out& out);
    template <class Out>
    void writeHeadTo(std::int64_t code, std::optional<std::string_view> reason,
                     OutgoingHeaders& headers, std::span<const HeaderField> fields,
                     const HeadContext& ctx, Out& out);

    bool defaultKeepAlive_ = true;  // Node: _defaultKeepAlive (false once a Keep-Alive is sent)
};

/// Node: `code |= 0` and the 100..999 check of writeHead: returns the code or throws
/// ERR_HTTP_INVALID_STATUS_CODE "Invalid status code: <original>".
int validateStatusCode(std::int64_t statusCode);

// ---- chunked framing --------------------------------------------------------------------

/// "<lowercase hex len>\r\n" (Node: len.toString(16) + CRLF).
void appendChunkHeader(std::string& out, std::size_t length);
/// "0\r\n<trailer>\r\n" — the last chunk.
void appendLastChunk(std::string& out, std::string_view trailer);

/// Node: res.addTrailers([[name, value], ...]): replaces `trailer` with "name: value\r\n"
/// lines. Throws ERR_INVALID_HTTP_TOKEN ("Trailer name must be …") or ERR_INVALID_CHAR
/// ("Invalid character in trailer content ["name"]"). Sent only when chunked.
void addTrailers(std::string& trailer, std::span<const HeaderField> fields);
/// Node: res.addTrailers({name: value | [values]}): list values with more than one element
/// are repeated lines unless the name is in `unique` (then joined with "; "). Names and
/// values were validated by setHeader (so their errors say "Header name"/"header content").
void addTrailers(std::string& trailer, const OutgoingHeaders& fields,
                 const UniqueHeaders* unique = nullptr);

// ---- replies the server writes on its own -----------------------------------------------

/// Node: _http_server.js socketOnError's canned replies (then the socket is destroyed).
inline constexpr std::string_view kBadRequestResponse =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
inline constexpr std::string_view kRequestTimeoutResponse =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
inline constexpr std::string_view kRequestHeaderFieldsTooLargeResponse =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";
inline constexpr std::string_view kPayloadTooLargeResponse =
    "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n";

/// Node: socketOnError's choice by err.code: HPE_HEADER_OVERFLOW → 431,
/// HPE_CHUNK_EXTENSIONS_OVERFLOW → 413, ERR_HTTP_REQUEST_TIMEOUT → 408, anything else → 400.
std::string_view clientErrorResponse(std::string_view errorCode) noexcept;

/// Node: res.writeContinue() / res.writeProcessing().
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";
inline constexpr std::string_view kProcessingResponse = "HTTP/1.1 102 Processing\r\n\r\n";

/// Node: validateLinkHeaderValue's format check,
/// /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/
/// ("</styles.css>; rel=preload; as=style"). \s is ASCII whitespace here.
bool isValidLinkHeaderValue(std::string_view link) noexcept;

/// Node: res.writeEarlyHints({link, ...others}): appends
/// "HTTP/1.1 103 Early Hints\r\nLink: <links joined ", ">\r\n<other lines>\r\n"; appends
/// nothing when `links` is empty. A bad link throws ERR_INVALID_ARG_VALUE "The argument 'hints'
/// must be an array or string of format "</styles.css>; rel=preload; as=style". Received
/// '<link>'". Stricter than Node: CTL characters in a link, and invalid `others` names/values
/// (Node writes them unchecked), are rejected (ERR_INVALID_ARG_VALUE / ERR_INVALID_HTTP_TOKEN /
/// ERR_INVALID_CHAR), so no hint can split the response.
void appendEarlyHints(std::string& out, std::span<const std::string_view> links,
                      std::span<const HeaderField> others = {});

/// The responses parserOnIncoming sends without calling the application (NODE-BEHAVIOUR §1.4).
enum class AutomaticResponse : std::uint8_t {
    MissingHost,        ///< HTTP/1.1 without Host: writeHead(400, ['Connection','close']); end()
    ExpectationFailed,  ///< unknown Expect, no 'checkExpectation' listener: writeHead(417); end()
    RequestsLimit,      ///< over maxRequestsPerSocket ('dropRequest'): writeHead(503); end()
};

/// Builds one of them on a fresh `head` (reset() done; for RequestsLimit the server has set
/// maxRequestsOnConnectionReached) and empty `headers`, as Node's writeHead + end() would.
void writeAutomaticResponse(AutomaticResponse which, ResponseHead& head, OutgoingHeaders& headers,
                            const HeadContext& ctx, std::string& out);

}  // namespace nodecc::http
