// Response head bytes and framing decisions (Node: _http_server.js writeHead,
// _http_outgoing.js _storeHeader / write_ / end / addTrailers).
//
// The ResponseHead.* wire expectations below were recorded from Node v20.20.2's own
// ServerResponse (the bytes it queues in outputData, Date normalised), one case per
// rule of NODE-BEHAVIOUR.md §1.3/§1.4; each names the Node test or rule it covers.
#include "nodecc/http/response_head.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expect_node_error.hpp"
#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/outgoing_headers.hpp"

namespace {

using namespace nodecc::http;
using nodecc::test::expectNodeError;

constexpr std::string_view kDate = "Thu, 01 Jan 2026 00:00:00 GMT";

// A ServerResponse reduced to what the head builder needs, driven as Node drives it.
struct Res {
    ResponseHead head;
    OutgoingHeaders headers;
    UniqueHeaders unique;
    HeadContext ctx{.date = kDate};
    std::string out;
    std::string trailer;
    int statusCode = 200;
    std::string_view statusMessage;

    explicit Res(RequestFacts facts) { head.reset(facts); }

    void setHeader(std::string_view n, std::string_view v) { headers.setHeader(n, v); }
    void setHeader(std::string_view n, int v) { headers.setHeader(n, v); }
    void setHeader(std::string_view n, std::initializer_list<std::string_view> v) {
        headers.setHeader(n, v);
    }
    void setHeader(std::string_view n, std::span<const std::string_view> v) {
        headers.setHeader(n, v);
    }
    void appendHeader(std::string_view n, std::string_view v) { headers.appendHeader(n, v); }
    // Node: ServerResponse.removeHeader('date') also sets sendDate = false.
    void removeHeader(std::string_view n) {
        if (headers.removeHeader(n) == SpecialHeader::Date) head.sendDate = false;
    }
    // With a DateCache: the context carries its prebuilt Date / Connection / Keep-Alive lines,
    // as a server's response passes them (the head's other path when they apply).
    DateCache* dates = nullptr;

    void writeHead(int code, std::optional<std::string_view> reason,
                   std::initializer_list<HeaderField> fields) {
        if (dates != nullptr) {
            ctx.keepAliveLines =
                dates->keepAliveLines(ctx.keepAliveTimeoutMs, ctx.maxRequestsPerSocket);
        }
        head.writeHead(code, reason, headers, std::span(fields.begin(), fields.size()), ctx, out);
    }
    void writeHead(int code, std::initializer_list<HeaderField> fields = {}) {
        const auto reason =
            statusMessage.empty() ? std::nullopt : std::optional<std::string_view>(statusMessage);
        writeHead(code, reason, fields);
    }
    void implicitHeader() { writeHead(statusCode); }
    void write(std::string_view data) {
        if (!head.headersSent) implicitHeader();
        head.appendWrite(out, data);
    }
    void end(std::string_view data = {}) {
        if (!data.empty()) {
            if (!head.headersSent) {
                head.contentLength = data.size();
                implicitHeader();
            }
            head.appendWrite(out, data);
        } else if (!head.headersSent) {
            head.contentLength = 0;
            implicitHeader();
        }
        head.appendEnd(out, trailer);
    }
    void flushHeaders() {
        if (!head.headersSent) implicitHeader();
    }
    void addTrailers(std::initializer_list<HeaderField> fields) {
        nodecc::http::addTrailers(trailer, std::span(fields.begin(), fields.size()));
    }
    void automatic(AutomaticResponse which) {
        writeAutomaticResponse(which, head, headers, ctx, out);
    }
};

}  // namespace

// ---- recorded from Node ------------------------------------------------------------------

namespace {

struct RecordedCase {
    const char* name;  // what the case shows; the comment above it names the Node test or rule
    RequestFacts facts;
    void (*run)(Res&);
    std::string_view wire;
    bool last, chunked, keepAlive;
};

const RecordedCase kRecorded[] = {
    // ECHO.md §4.1
    {"EchoDefaultRoute", {},
     [](Res& r) {  r.setHeader("Content-Type", "application/json"); r.setHeader("Content-Length", 2); r.end("{}"); },
     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n{}",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-content-length.js
    {"ImplicitContentLength", {},
     [](Res& r) {  r.end("hello"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nhello",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-content-length.js
    {"EndEmptyGivesContentLengthZero", {},
     [](Res& r) {  r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-chunked.js
    {"WriteThenEndIsChunked", {},
     [](Res& r) {  r.write("hello"); r.write(""); r.write("world!"); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // NODE-BEHAVIOUR §1.3 (writeHead(200); end())
    {"WriteHeadThenEndIsChunked", {},
     [](Res& r) {  r.writeHead(200); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-chunked.js
    {"WriteHeadThenEndDataIsChunked", {},
     [](Res& r) {  r.writeHead(200); r.end("abc"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-head-response-has-no-body.js
    {"HeadRequestHasNoContentLength", {.isHead = true},
     [](Res& r) {  r.end("hello"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // ECHO.md §4.1 (HEAD)
    {"HeadRequestKeepsUserContentLength", {.isHead = true},
     [](Res& r) {  r.setHeader("Content-Length", "5"); r.end("hello"); },
     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-head-response-has-no-body.js
    {"HeadRequestWriteHeadEnd", {.isHead = true},
     [](Res& r) {  r.writeHead(200); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-304.js / 204
    {"Status204HasNoFraming", {},
     [](Res& r) {  r.statusCode = 204; r.end("ignored"); },
     "HTTP/1.1 204 No Content\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-304.js
    {"Status304HasNoFraming", {},
     [](Res& r) {  r.writeHead(304); r.end(); },
     "HTTP/1.1 304 Not Modified\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-chunked-304.js (204)
    {"Chunked204DropsChunkingAndCloses", {},
     [](Res& r) {  r.writeHead(204, {{"Transfer-Encoding", "chunked"}}); r.end(); },
     "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\n",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-chunked-304.js (304)
    {"Chunked304DropsChunkingAndCloses", {},
     [](Res& r) {  r.setHeader("Transfer-Encoding", "chunked"); r.writeHead(304); r.end(); },
     "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\n",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // ECHO.md §5 (upgrade head)
    {"Informational101", {},
     [](Res& r) {  r.writeHead(101, {{"Connection", "Upgrade"}, {"Upgrade", "echo"}}); r.end(); },
     "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-1.0.js
    {"Http10CloseDelimited", {.httpVersionMajor = 1, .httpVersionMinor = 0, .shouldKeepAlive = false},
     [](Res& r) {  r.end("hello"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\nhello",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-1.0-keep-alive.js
    {"Http10KeepAliveWithoutLengthCloses", {.httpVersionMajor = 1, .httpVersionMinor = 0},
     [](Res& r) {  r.end("hello"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\nhello",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-1.0-keep-alive.js
    {"Http10KeepAliveWithUserLength", {.httpVersionMajor = 1, .httpVersionMinor = 0},
     [](Res& r) {  r.setHeader("Content-Length", 5); r.end("hello"); },
     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // NODE-BEHAVIOUR §1.3 (1.0 + TE: chunked)
    {"Http10WithTeChunked", {.httpVersionMajor = 1, .httpVersionMinor = 0, .shouldKeepAlive = false, .teChunked = true},
     [](Res& r) {  r.write("a"); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
     /*last=*/true, /*chunked=*/true, /*keepAlive=*/false},
    // NODE-BEHAVIOUR §1.5 (HTTP/0.9)
    {"Http09", {.httpVersionMajor = 0, .httpVersionMinor = 9, .shouldKeepAlive = false},
     [](Res& r) {  r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\nx",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-keep-alive-close-on-header.js
    {"RequestConnectionClose", {.shouldKeepAlive = false},
     [](Res& r) {  r.end("abc"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-keep-alive-close-on-header.js
    {"UserConnectionCloseToken", {},
     [](Res& r) {  r.setHeader("Connection", "Keep-Alive, CLOSE"); r.end(); },
     "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/true},
    // RE_CONN_CLOSE needs a word boundary
    {"UserConnectionNotCloseWord", {},
     [](Res& r) {  r.setHeader("Connection", "closed"); r.end(); },
     "HTTP/1.1 200 OK\r\nConnection: closed\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // _storeHeader matchHeader
    {"UserConnectionKeepAliveRevivesKeepAlive", {.shouldKeepAlive = false},
     [](Res& r) {  r.setHeader("Connection", "keep-alive"); r.end(); },
     "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // ECHO.md §4.4
    {"EchoCloseRoute", {},
     [](Res& r) {  r.setHeader("Content-Type", "application/json"); r.setHeader("Content-Length", 2); r.setHeader("Connection", "close"); r.end("{}"); },
     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n{}",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-remove-header-stays-removed.js
    {"RemovedConnectionKeepAlive", {},
     [](Res& r) {  r.removeHeader("Connection"); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-remove-header-stays-removed.js
    {"RemovedConnectionNotKeepAlive", {.shouldKeepAlive = false},
     [](Res& r) {  r.removeHeader("connection"); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-remove-header-stays-removed.js
    {"RemovedContentLengthGivesChunked", {},
     [](Res& r) {  r.removeHeader("Content-Length"); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-remove-header-stays-removed.js
    {"RemovedBothFramingHeadersCloses", {},
     [](Res& r) {  r.removeHeader("content-length"); r.removeHeader("transfer-encoding"); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nx",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-remove-header-stays-removed.js
    {"RemovedDate", {},
     [](Res& r) {  r.removeHeader("Date"); r.end("x"); },
     "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // matchHeader clears _removedContLen
    {"RemoveThenSetContentLength", {},
     [](Res& r) {  r.removeHeader("Content-Length"); r.setHeader("content-length", "2"); r.end("hi"); },
     "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhi",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-date-header.js
    {"SendDateFalse", {},
     [](Res& r) {  r.head.sendDate = false; r.end("x"); },
     "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-date-header.js
    {"UserDateHeaderReplacesAutomatic", {},
     [](Res& r) {  r.setHeader("Date", "Mon, 01 Jan 2024 00:00:00 GMT"); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-keep-alive-max-requests.js
    {"MaxRequestsReachedSendsCloseButKeepsSocket", {},
     [](Res& r) { r.ctx.maxRequestsPerSocket = 3; r.head.maxRequestsOnConnectionReached = true; r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-keep-alive-max-requests.js
    {"KeepAliveMax", {},
     [](Res& r) { r.ctx.maxRequestsPerSocket = 3; r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=3\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-keep-alive-timeout-custom.js
    {"KeepAliveTimeoutFloor", {},
     [](Res& r) { r.ctx.keepAliveTimeoutMs = 1500; r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // NODE-BEHAVIOUR §1.3 (500 ms → timeout=0)
    {"KeepAliveTimeoutBelowOneSecond", {},
     [](Res& r) { r.ctx.keepAliveTimeoutMs = 500; r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=0\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-server-keep-alive-timeout.js
    {"KeepAliveTimeoutZeroOmitsHeader", {},
     [](Res& r) { r.ctx.keepAliveTimeoutMs = 0; r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // matchHeader keep-alive
    {"UserKeepAliveHeader", {},
     [](Res& r) {  r.setHeader("Keep-Alive", "timeout=9"); r.end(); },
     "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=9\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-expect-continue.js
    {"ExpectContinueWithout100Closes", {},
     [](Res& r) {  r.head.expectContinue = true; r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/false},
    // test-http-expect-continue.js
    {"ExpectContinueAfter100KeepsAlive", {},
     [](Res& r) {  r.head.expectContinue = true; r.head.sent100 = true; r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-set-trailers.js
    {"TrailersWhenChunked", {},
     [](Res& r) {  r.setHeader("Trailer", "X-Echo-Chunks"); r.write("chunk 0\n"); r.addTrailers({{"X-Echo-Chunks", "1"}}); r.end(); },
     "HTTP/1.1 200 OK\r\nTrailer: X-Echo-Chunks\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nchunk 0\n\r\n0\r\nX-Echo-Chunks: 1\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-set-trailers.js
    {"TrailersIgnoredWhenNotChunked", {},
     [](Res& r) {  r.addTrailers({{"X-A", "1"}}); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 1\r\n\r\nx",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-set-trailers.js
    {"TrailerHeaderPreventsContentLength", {},
     [](Res& r) {  r.setHeader("Trailer", "X"); r.end("abc"); },
     "HTTP/1.1 200 OK\r\nTrailer: X\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-chunked.js
    {"UserTransferEncodingChunked", {},
     [](Res& r) {  r.setHeader("Transfer-Encoding", "chunked"); r.end("hi"); },
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // matchHeader transfer-encoding
    {"UserTransferEncodingGzipNotFramed", {},
     [](Res& r) {  r.setHeader("Transfer-Encoding", "gzip"); r.end("hi"); },
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhi",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // ECHO.md §4.3 (599 unknown)
    {"StatusUnknown599", {},
     [](Res& r) {  r.writeHead(599); r.end(); },
     "HTTP/1.1 599 unknown\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-response-status-message.js
    {"StatusMessageProperty", {},
     [](Res& r) {  r.statusCode = 404; r.statusMessage = "Custom Not Found"; r.end(); },
     "HTTP/1.1 404 Custom Not Found\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-response-status-message.js
    {"WriteHeadReason", {},
     [](Res& r) {  r.writeHead(201, std::string_view("Fine"), {{"x", "y"}}); r.end(); },
     "HTTP/1.1 201 Fine\r\nx: y\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // writeHead(code, '')
    {"WriteHeadEmptyReason", {},
     [](Res& r) {  r.writeHead(200, std::string_view(""), {}); r.end(); },
     "HTTP/1.1 200 \r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-write-head-after-set-header.js
    {"WriteHeadAfterSetHeaderMerges", {},
     [](Res& r) {  r.setHeader("test", "1"); r.writeHead(200, {{"test", "2"}, {"foo", "bar"}}); r.end(); },
     "HTTP/1.1 200 OK\r\ntest: 2\r\nfoo: bar\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-write-head.js (array headers)
    {"WriteHeadFastPathKeepsDuplicates", {},
     [](Res& r) {  r.writeHead(200, {{"a", "1"}, {"A", "2"}, {"set-cookie", "x"}, {"set-cookie", "y"}}); r.end(); },
     "HTTP/1.1 200 OK\r\na: 1\r\nA: 2\r\nset-cookie: x\r\nset-cookie: y\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // writeHead with kOutHeaders
    {"WriteHeadSlowPathSkipsEmptyNames", {},
     [](Res& r) {  r.setHeader("b", "0"); r.writeHead(200, {{"a", "1"}, {"A", "2"}, {"", "zz"}}); r.end(); },
     "HTTP/1.1 200 OK\r\nb: 0\r\nA: 2\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // kOutHeaders exists but empty
    {"WriteHeadSlowPathAfterRemoveAll", {},
     [](Res& r) {  r.setHeader("a", "0"); r.removeHeader("a"); r.writeHead(200, {{"b", "1"}, {"B", "2"}}); r.end(); },
     "HTTP/1.1 200 OK\r\nB: 2\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-multiple-headers.js
    {"MultipleSetCookieLines", {},
     [](Res& r) {  r.setHeader("Set-Cookie", {"a=1", "b=2"}); r.appendHeader("set-cookie", "c=3"); r.end(); },
     "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nSet-Cookie: c=3\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // processHeader isCookieField
    {"CookieListJoined", {},
     [](Res& r) {  r.setHeader("Cookie", {"a=1", "b=2"}); r.setHeader("x", {"1"}); r.end(); },
     "HTTP/1.1 200 OK\r\nCookie: a=1; b=2\r\nx: 1\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // server option uniqueHeaders (wire observed with http.createServer({uniqueHeaders}))
    {"UniqueHeadersJoined", {},
     [](Res& r) { r.unique = UniqueHeaders{"x-u"}; r.ctx.uniqueHeaders = &r.unique; r.setHeader("X-U", {"a", "b"}); r.setHeader("X-V", {"a", "b"}); r.end(); },
     "HTTP/1.1 200 OK\r\nX-U: a; b\r\nX-V: a\r\nX-V: b\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // setHeader(name, [])
    {"EmptyListSendsNothing", {},
     [](Res& r) {  r.setHeader("X-Empty", std::span<const std::string_view>()); r.end(); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // JS key order: array-index names first
    {"HeaderOrderIsJsObjectOrder", {},
     [](Res& r) {  r.setHeader("x-a", "1"); r.setHeader("123", "2"); r.setHeader("X-B", "3"); r.setHeader("X-A", "4"); r.setHeader("7", "5"); r.end("hi"); },
     "HTTP/1.1 200 OK\r\n7: 5\r\n123: 2\r\nX-A: 4\r\nX-B: 3\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nhi",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // JS delete + assign
    {"RemoveAndSetMovesToEnd", {},
     [](Res& r) {  r.setHeader("a", "1"); r.setHeader("b", "2"); r.removeHeader("a"); r.setHeader("A", "3"); r.end(); },
     "HTTP/1.1 200 OK\r\nb: 2\r\nA: 3\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
     /*last=*/false, /*chunked=*/false, /*keepAlive=*/true},
    // NODE-BEHAVIOUR §1.4 / ECHO.md §6
    {"MissingHostAutomatic", {},
     [](Res& r) {  r.automatic(AutomaticResponse::MissingHost); },
     "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/true, /*chunked=*/true, /*keepAlive=*/true},
    // ECHO.md §6 (HEAD)
    {"MissingHostAutomaticHead", {.isHead = true},
     [](Res& r) {  r.automatic(AutomaticResponse::MissingHost); },
     "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n",
     /*last=*/true, /*chunked=*/false, /*keepAlive=*/true},
    // test-http-expect-handling.js
    {"ExpectationFailedAutomatic", {},
     [](Res& r) {  r.automatic(AutomaticResponse::ExpectationFailed); },
     "HTTP/1.1 417 Expectation Failed\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-keep-alive-drop-requests.js
    {"RequestsLimitAutomatic", {},
     [](Res& r) { r.ctx.maxRequestsPerSocket = 1; r.head.maxRequestsOnConnectionReached = true; r.automatic(AutomaticResponse::RequestsLimit); },
     "HTTP/1.1 503 Service Unavailable\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
    // test-http-flush-headers.js
    {"FlushHeadersThenEnd", {},
     [](Res& r) {  r.flushHeaders(); r.end("x"); },
     "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
     /*last=*/false, /*chunked=*/true, /*keepAlive=*/true},
};

}  // namespace

namespace {
// Every recorded case; with `dates`, the context carries its prebuilt lines.
void expectRecordedBytes(DateCache* dates) {
    for (const RecordedCase& c : kRecorded) {
        SCOPED_TRACE(c.name);
        Res r(c.facts);
        r.dates = dates;
        c.run(r);
        EXPECT_EQ(r.out, c.wire);
        EXPECT_EQ(r.head.last, c.last);
        EXPECT_EQ(r.head.chunkedEncoding, c.chunked);
        EXPECT_EQ(r.head.shouldKeepAlive, c.keepAlive);
    }
}
}  // namespace

TEST(ResponseHead, RecordedFromNode) {
    expectRecordedBytes(nullptr);
}

// The same cases with the context's prebuilt Date / Connection / Keep-Alive lines (a server's
// responses): the head written from them — and its decisions — are Node's bytes too.
TEST(ResponseHead, RecordedFromNodeWithKeepAliveLines) {
    DateCache dates;
    ASSERT_EQ(dates.utcDate(1767225600), kDate);
    expectRecordedBytes(&dates);
}

// A keep-alive response whose headers are all plain lines is written from the stored lines and
// the prebuilt block; every variation around it takes the general path. Both give the same
// head, the same decisions and the same statusCode / statusMessage.
TEST(ResponseHead, PrebuiltLinesMatchTheGeneralPath) {
    const std::string longValue(70, 'v');
    struct Case {
        const char* name;
        RequestFacts facts;
        std::function<void(Res&)> run;
    };
    // clang-format off
    const Case cases[] = {
        {"OneHeader", {}, [](Res& r) { r.setHeader("Content-Type", "text/plain"); r.end("Hello"); }},
        {"NoHeaders", {}, [](Res& r) { r.end("x"); }},
        {"EmptyBody", {}, [](Res& r) { r.setHeader("x-a", "1"); r.end(); }},
        {"ManyHeaders", {}, [&](Res& r) {
             r.setHeader("Content-Type", "text/html; charset=utf-8");
             r.setHeader("x-lower", "");
             r.setHeader("X-Long", longValue);
             r.setHeader("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
             r.setHeader("ETag", "\"abc\"");
             r.end("body"); }},
        {"Status404", {}, [](Res& r) { r.statusCode = 404; r.setHeader("a", "b"); r.end("no"); }},
        {"Status201", {}, [](Res& r) { r.statusCode = 201; r.end("made"); }},
        {"Status204", {}, [](Res& r) { r.statusCode = 204; r.end(); }},
        {"Status304", {}, [](Res& r) { r.statusCode = 304; r.end(); }},
        {"Status599Unknown", {}, [](Res& r) { r.statusCode = 599; r.end("u"); }},
        {"OwnMessage", {}, [](Res& r) { r.statusMessage = "Fine"; r.end("m"); }},
        {"Head", {.isHead = true}, [](Res& r) { r.setHeader("a", "b"); r.end("x"); }},
        {"Http10", {.httpVersionMinor = 0, .shouldKeepAlive = false}, [](Res& r) { r.end("x"); }},
        {"Http10KeepAlive", {.httpVersionMinor = 0}, [](Res& r) { r.end("x"); }},
        {"NotKeepAlive", {.shouldKeepAlive = false}, [](Res& r) { r.end("x"); }},
        {"UserDate", {}, [](Res& r) { r.setHeader("Date", "then"); r.end("x"); }},
        {"UserConnection", {}, [](Res& r) { r.setHeader("Connection", "keep-alive"); r.end("x"); }},
        {"UserKeepAlive", {}, [](Res& r) { r.setHeader("Keep-Alive", "timeout=9"); r.end("x"); }},
        {"UserContentLength", {}, [](Res& r) { r.setHeader("content-length", "1"); r.end("x"); }},
        {"UserTransferEncoding", {}, [](Res& r) { r.setHeader("Transfer-Encoding", "chunked"); r.end("x"); }},
        {"UserExpect", {}, [](Res& r) { r.setHeader("Expect", "x"); r.end("x"); }},
        {"RemovedDate", {}, [](Res& r) { r.removeHeader("Date"); r.end("x"); }},
        {"RemovedOther", {}, [](Res& r) { r.setHeader("a", "1"); r.setHeader("b", "2"); r.removeHeader("a"); r.end("x"); }},
        {"RemovedConnection", {}, [](Res& r) { r.removeHeader("connection"); r.end("x"); }},
        {"Replaced", {}, [](Res& r) { r.setHeader("a", "1"); r.setHeader("b", "2"); r.setHeader("A", "3"); r.end("x"); }},
        {"List", {}, [](Res& r) { r.setHeader("Set-Cookie", {"a=1", "b=2"}); r.end("x"); }},
        {"Appended", {}, [](Res& r) { r.setHeader("a", "1"); r.appendHeader("a", "2"); r.end("x"); }},
        {"ArrayIndexName", {}, [](Res& r) { r.setHeader("b", "1"); r.setHeader("12", "2"); r.end("x"); }},
        {"Chunked", {}, [](Res& r) { r.setHeader("a", "1"); r.write("x"); r.end("y"); }},
        {"WriteHeadFields", {}, [](Res& r) { r.writeHead(200, {{"a", "1"}}); r.end("x"); }},
        {"NoKeepAliveTimeout", {}, [](Res& r) { r.ctx.keepAliveTimeoutMs = 0; r.end("x"); }},
        {"LongKeepAliveTimeout", {}, [](Res& r) { r.ctx.keepAliveTimeoutMs = 123456789012; r.end("x"); }},
        {"MaxRequests", {}, [](Res& r) { r.ctx.maxRequestsPerSocket = 100; r.end("x"); }},
        {"HugeSettings", {}, [](Res& r) {
             r.ctx.keepAliveTimeoutMs = 18446744073709551615u;
             r.ctx.maxRequestsPerSocket = 2147483647;
             r.end("x"); }},
        {"MaxRequestsReached", {}, [](Res& r) {
             r.ctx.maxRequestsPerSocket = 3;
             r.head.maxRequestsOnConnectionReached = true;
             r.end("x"); }},
        {"ExpectContinue", {}, [](Res& r) { r.head.expectContinue = true; r.end("x"); }},
        {"ExpectContinueSent100", {}, [](Res& r) { r.head.expectContinue = true; r.head.sent100 = true; r.end("x"); }},
        {"NoSendDate", {}, [](Res& r) { r.head.sendDate = false; r.end("x"); }},
    };
    // clang-format on
    DateCache dates;
    dates.utcDate(1767225600);
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Res general(c.facts);
        c.run(general);
        Res prebuilt(c.facts);
        prebuilt.dates = &dates;
        c.run(prebuilt);
        EXPECT_EQ(prebuilt.out, general.out);
        EXPECT_EQ(prebuilt.head.statusCode, general.head.statusCode);
        EXPECT_EQ(prebuilt.head.statusMessage, general.head.statusMessage);
        EXPECT_EQ(prebuilt.head.hasBody, general.head.hasBody);
        EXPECT_EQ(prebuilt.head.last, general.head.last);
        EXPECT_EQ(prebuilt.head.chunkedEncoding, general.head.chunkedEncoding);
        EXPECT_EQ(prebuilt.head.shouldKeepAlive, general.head.shouldKeepAlive);
        EXPECT_EQ(prebuilt.head.flushHeadNow, general.head.flushHeadNow);
        EXPECT_EQ(prebuilt.head.contentLength, general.head.contentLength);
        EXPECT_TRUE(prebuilt.headers.headersSent());
    }
    // The common case, byte for byte (the lines copied as stored, the block, Content-Length).
    Res r({});
    r.dates = &dates;
    r.setHeader("Content-Type", "text/plain");
    r.end("Hello, World!");
    EXPECT_EQ(r.out,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan 2026 00:00:00 "
              "GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: "
              "13\r\n\r\nHello, World!");
}

// ---- API errors and helpers ---------------------------------------------------------------

// test-http-write-head.js: status code validation (`code |= 0`, 100..999).
TEST(ResponseHeadApi, InvalidStatusCodes) {
    expectNodeError([] { validateStatusCode(1000); }, "ERR_HTTP_INVALID_STATUS_CODE",
                    "Invalid status code: 1000");
    expectNodeError([] { validateStatusCode(99); }, "ERR_HTTP_INVALID_STATUS_CODE",
                    "Invalid status code: 99");
    expectNodeError([] { validateStatusCode(-200); }, "ERR_HTTP_INVALID_STATUS_CODE",
                    "Invalid status code: -200");
    EXPECT_EQ(validateStatusCode(100), 100);
    EXPECT_EQ(validateStatusCode(999), 999);
    EXPECT_EQ(validateStatusCode((1LL << 32) + 200), 200);  // ToInt32, as `|0`
}

TEST(ResponseHeadApi, InvalidStatusCodeAppendsNothing) {
    Res r({});
    expectNodeError([&] { r.writeHead(1000); }, "ERR_HTTP_INVALID_STATUS_CODE",
                    "Invalid status code: 1000");
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(r.head.headersSent);
}

// test-http-response-status-message.js: a reason with CTL characters is rejected.
TEST(ResponseHeadApi, StatusMessageWithCrlfRejected) {
    Res r({});
    expectNodeError([&] { r.writeHead(200, std::string_view("OK\r\nX-Evil: 1"), {}); },
                    "ERR_INVALID_CHAR", "Invalid character in statusMessage");
    EXPECT_EQ(r.out, "");
}

// test-http-response-splitting.js: CRLF injection through header values is rejected.
TEST(ResponseHeadApi, ResponseSplittingRejected) {
    Res r({});
    expectNodeError([&] { r.setHeader("Location", "/x\r\nSet-Cookie: evil=1"); },
                    "ERR_INVALID_CHAR", "Invalid character in header content [\"Location\"]");
    expectNodeError(
        [&] {
            r.writeHead(302, {{"Location", "/x\r\n\r\n<html>"}});
        },
        "ERR_INVALID_CHAR", "Invalid character in header content [\"Location\"]");
    EXPECT_EQ(r.out, "");
    expectNodeError(
        [&] {
            r.writeHead(200, {{"Bad Name", "v"}});
        },
        "ERR_INVALID_HTTP_TOKEN", "Header name must be a valid HTTP token [\"Bad Name\"]");
    EXPECT_EQ(r.out, "");
    r.writeHead(200, {{"Location", "/ok"}});
    EXPECT_NE(r.out.find("Location: /ok\r\n"), std::string::npos);
}

// test-http-write-head.js: writeHead twice, set/remove after the head.
TEST(ResponseHeadApi, HeadersSentErrors) {
    Res r({});
    r.writeHead(200);
    expectNodeError([&] { r.writeHead(200); }, "ERR_HTTP_HEADERS_SENT",
                    "Cannot write headers after they are sent to the client");
    expectNodeError([&] { r.setHeader("a", "b"); }, "ERR_HTTP_HEADERS_SENT",
                    "Cannot set headers after they are sent to the client");
    expectNodeError([&] { r.appendHeader("a", "b"); }, "ERR_HTTP_HEADERS_SENT",
                    "Cannot append headers after they are sent to the client");
    expectNodeError([&] { r.removeHeader("a"); }, "ERR_HTTP_HEADERS_SENT",
                    "Cannot remove headers after they are sent to the client");
}

// test-http-set-trailers.js: a Trailer header on a message that is not chunked.
TEST(ResponseHeadApi, TrailerHeaderWithContentLengthThrows) {
    Res r({});
    r.setHeader("Trailer", "x");
    r.setHeader("Content-Length", "5");
    expectNodeError([&] { r.writeHead(200); }, "ERR_HTTP_TRAILER_INVALID",
                    "Trailers are invalid with this transfer encoding");
    EXPECT_EQ(r.out, "");
    Res head({.isHead = true});
    head.setHeader("Trailer", "x");
    expectNodeError([&] { head.end(); }, "ERR_HTTP_TRAILER_INVALID",
                    "Trailers are invalid with this transfer encoding");
}

TEST(ResponseHeadApi, AddTrailersValidation) {
    std::string t;
    const HeaderField badName[] = {{"x y", "1"}};
    expectNodeError([&] { addTrailers(t, badName); }, "ERR_INVALID_HTTP_TOKEN",
                    "Trailer name must be a valid HTTP token [\"x y\"]");
    const HeaderField badValue[] = {{"x", "a\n"}};
    expectNodeError([&] { addTrailers(t, badValue); }, "ERR_INVALID_CHAR",
                    "Invalid character in trailer content [\"x\"]");
    const HeaderField ok[] = {{"X-A", "1"}, {"X-A", "2"}};
    t = "stale";
    addTrailers(t, ok);
    EXPECT_EQ(t, "X-A: 1\r\nX-A: 2\r\n");
}

// Node: addTrailers({name: [values]}) — repeated lines, or "; " for uniqueHeaders; cookie is
// not special in trailers.
TEST(ResponseHeadApi, AddTrailersFromStore) {
    OutgoingHeaders fields;
    fields.setHeader("X-List", {"a", "b"});
    fields.setHeader("X-U", {"a", "b"});
    fields.setHeader("Cookie", {"c", "d"});
    fields.setHeader("X-One", {"z"});
    fields.setHeader("X-S", "s");
    const UniqueHeaders unique{"x-u"};
    std::string t;
    addTrailers(t, fields, &unique);
    EXPECT_EQ(t,
              "X-List: a\r\nX-List: b\r\nX-U: a; b\r\nCookie: c\r\nCookie: d\r\nX-One: z\r\n"
              "X-S: s\r\n");
}

TEST(ResponseHeadApi, ChunkFraming) {
    std::string out;
    appendChunkHeader(out, 0x1f);
    EXPECT_EQ(out, "1f\r\n");
    out.clear();
    appendChunkHeader(out, 65536);
    EXPECT_EQ(out, "10000\r\n");
    out.clear();
    appendLastChunk(out, "X: 1\r\n");
    EXPECT_EQ(out, "0\r\nX: 1\r\n\r\n");
}

TEST(ResponseHeadApi, WriteIgnoredWithoutBody) {
    Res r({.isHead = true});
    r.writeHead(200);
    const std::size_t headSize = r.out.size();
    EXPECT_FALSE(r.head.appendWrite(r.out, "body"));
    r.head.appendEnd(r.out);
    EXPECT_EQ(r.out.size(), headSize);
}

// ECHO.md §6 / NODE-BEHAVIOUR §2.1: socketOnError's canned replies.
TEST(ResponseHeadApi, ClientErrorResponses) {
    EXPECT_EQ(clientErrorResponse("HPE_INVALID_METHOD"),
              "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(clientErrorResponse("HPE_HEADER_OVERFLOW"),
              "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(clientErrorResponse("HPE_CHUNK_EXTENSIONS_OVERFLOW"),
              "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(clientErrorResponse("ERR_HTTP_REQUEST_TIMEOUT"),
              "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(clientErrorResponse("ECONNRESET"), kBadRequestResponse);
    EXPECT_EQ(kContinueResponse, "HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_EQ(kProcessingResponse, "HTTP/1.1 102 Processing\r\n\r\n");
}

// _http_common.js chunkExpression / continueExpression, _http_outgoing.js RE_CONN_CLOSE.
TEST(ResponseHeadApi, TokenExpressions) {
    EXPECT_TRUE(isConnectionClose("close"));
    EXPECT_TRUE(isConnectionClose("Keep-Alive, CLOSE"));
    EXPECT_TRUE(isConnectionClose("x-close"));  // '-' is \W
    EXPECT_FALSE(isConnectionClose("closed"));
    EXPECT_FALSE(isConnectionClose("enclose"));
    EXPECT_FALSE(isConnectionClose("close_x"));
    EXPECT_TRUE(isChunked("gzip, chunked"));
    EXPECT_FALSE(isChunked("chunkedx"));
    EXPECT_TRUE(isContinue("100-Continue"));
    EXPECT_FALSE(isContinue("100-continued"));
    EXPECT_FALSE(isContinue(""));
}

// A pooled response: reset() + clear() give the same bytes for the next request.
TEST(ResponseHeadApi, ReuseAcrossRequests) {
    Res r({});
    for (int i = 0; i < 3; ++i) {
        r.out.clear();
        r.headers.clear();
        r.head.reset({.shouldKeepAlive = i != 1});
        r.setHeader("Content-Type", "text/plain");
        r.end("ok");
        EXPECT_EQ(r.out, i != 1
                             ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan "
                               "2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: "
                               "timeout=5\r\nContent-Length: 2\r\n\r\nok"
                             : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan "
                               "2026 00:00:00 GMT\r\nConnection: close\r\nContent-Length: "
                               "2\r\n\r\nok");
    }
}

// Content-Length and the Keep-Alive timeout as decimal digits, at each digit count.
TEST(ResponseHeadApi, DecimalNumbers) {
    for (std::uint64_t length : {0ull, 7ull, 9ull, 10ull, 42ull, 99ull, 100ull, 999ull, 1000ull,
                                 65536ull, 18446744073709551615ull}) {
        Res r({});
        r.head.contentLength = length;
        r.writeHead(200);
        EXPECT_NE(r.out.find("\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n"),
                  std::string::npos)
            << r.out;
    }
    for (std::uint64_t ms :
         {1000ull, 9999ull, 10000ull, 99000ull, 100000ull, 1000000ull, 123456789000ull}) {
        Res r({});
        r.ctx.keepAliveTimeoutMs = ms;
        r.ctx.maxRequestsPerSocket = 1000;
        r.end("x");
        EXPECT_NE(
            r.out.find("\r\nKeep-Alive: timeout=" + std::to_string(ms / 1000) + ", max=1000\r\n"),
            std::string::npos)
            << r.out;
    }
}

// A status code without a text, the caller's reason, and the Date a context gives of another
// length than an IMF-fixdate.
TEST(ResponseHeadApi, StatusLineAndDateForms) {
    Res a({});
    a.end();
    EXPECT_TRUE(a.out.starts_with("HTTP/1.1 200 OK\r\nDate: " + std::string(kDate) + "\r\n"));
    Res b({});
    b.writeHead(599);
    EXPECT_TRUE(b.out.starts_with("HTTP/1.1 599 unknown\r\n")) << b.out;
    EXPECT_EQ(b.head.statusMessage, "unknown");
    Res c({});
    c.statusMessage = "Very Fine Indeed";
    c.writeHead(200);
    EXPECT_TRUE(c.out.starts_with("HTTP/1.1 200 Very Fine Indeed\r\n")) << c.out;
    Res d({});
    d.ctx.date = "now";
    d.end();
    EXPECT_TRUE(d.out.starts_with("HTTP/1.1 200 OK\r\nDate: now\r\nConnection:")) << d.out;
}

TEST(ResponseHeadApi, UserContentLengthIsRecorded) {
    Res r({});
    r.setHeader("Content-Length", " 42 ");
    r.writeHead(200);
    ASSERT_TRUE(r.head.contentLength.has_value());
    EXPECT_EQ(*r.head.contentLength, 42u);
    EXPECT_EQ(r.head.statusMessage, "OK");
}

TEST(ResponseHeadApi, UserExpectHeaderFlushesHead) {
    Res r({});
    r.setHeader("Expect", "100-continue");
    r.writeHead(200);
    EXPECT_TRUE(r.head.flushHeadNow);
}

// A uniqueHeaders name with an empty list still sends one (empty) line: `[].join('; ')`.
// Observed with http.createServer({uniqueHeaders: ['x-u']}).
TEST(ResponseHeadApi, UniqueHeaderEmptyList) {
    Res r({});
    r.unique = UniqueHeaders{"x-u"};
    r.ctx.uniqueHeaders = &r.unique;
    r.head.sendDate = false;
    r.setHeader("X-U", std::span<const std::string_view>());
    r.end();
    EXPECT_EQ(r.out,
              "HTTP/1.1 200 OK\r\nX-U: \r\nConnection: keep-alive\r\nKeep-Alive: "
              "timeout=5\r\nContent-Length: 0\r\n\r\n");
}

// Many empty unique lists and long list values: the room the writer reserves holds them.
TEST(ResponseHeadApi, ManyListHeadersFitTheReservedRoom) {
    Res r({});
    r.unique = UniqueHeaders{};
    std::string expected = "HTTP/1.1 200 OK\r\n";
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i) names.push_back("X-Unique-Name-" + std::to_string(i));
    for (const std::string& n : names) r.unique.add(n);
    r.ctx.uniqueHeaders = &r.unique;
    r.head.sendDate = false;
    for (const std::string& n : names) {
        r.setHeader(n, std::span<const std::string_view>());
        expected += n + ": \r\n";
    }
    const std::string_view values[] = {"a", "bb", "ccc"};
    for (int i = 0; i < 20; ++i) {
        const std::string n = "L" + std::to_string(i);
        r.setHeader(n, std::span<const std::string_view>(values));
        expected += n + ": a\r\n" + n + ": bb\r\n" + n + ": ccc\r\n";
    }
    r.end();
    EXPECT_EQ(r.out, expected +
                         "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: "
                         "0\r\n\r\n");
}

// test-http-early-hints.js; bytes and errors from Node v20.20.2's writeEarlyHints.
TEST(ResponseHeadApi, EarlyHints) {
    std::string out;
    const std::string_view one[] = {"</a.css>; rel=preload"};
    const HeaderField foo[] = {{"x-foo", "bar"}};
    appendEarlyHints(out, one, foo);
    EXPECT_EQ(out, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nx-foo: bar\r\n\r\n");
    out.clear();
    const std::string_view two[] = {"</a.css>; rel=preload", "</b.js>; rel=preload; as=\"script\""};
    appendEarlyHints(out, two);
    EXPECT_EQ(out,
              "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload, </b.js>; rel=preload; "
              "as=\"script\"\r\n\r\n");
    out.clear();
    appendEarlyHints(out, {});
    EXPECT_EQ(out, "");
    const std::string_view bad[] = {"bad"};
    expectNodeError([&] { appendEarlyHints(out, bad); }, "ERR_INVALID_ARG_VALUE",
                    "The argument 'hints' must be an array or string of format \"</styles.css>; "
                    "rel=preload; as=style\". Received 'bad'");
    const std::string_view injected[] = {"</a>\n; x"};  // Node lets this through
    EXPECT_THROW(appendEarlyHints(out, injected), nodecc::Error);
    EXPECT_EQ(out, "");
}

TEST(ResponseHeadApi, LinkHeaderFormat) {
    EXPECT_TRUE(isValidLinkHeaderValue("</a>;rel=preload;crossorigin"));
    EXPECT_TRUE(isValidLinkHeaderValue("</a>; x==\"b\""));
    EXPECT_TRUE(isValidLinkHeaderValue("<>"));
    EXPECT_FALSE(isValidLinkHeaderValue("</a>;  rel=\"x y\""));
    EXPECT_FALSE(isValidLinkHeaderValue("</a>; a=\"b"));
    EXPECT_FALSE(isValidLinkHeaderValue("</a>; =\"b\""));
    EXPECT_FALSE(isValidLinkHeaderValue("</a> ; x = y"));
    EXPECT_FALSE(isValidLinkHeaderValue("</a>; x "));
    EXPECT_FALSE(isValidLinkHeaderValue("</a"));
    EXPECT_FALSE(isValidLinkHeaderValue(""));
}
