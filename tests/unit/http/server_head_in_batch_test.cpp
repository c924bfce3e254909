// A response ended while its request is being parsed has its head built straight into the
// socket's write batch, with the body behind it (OutgoingMessage::endImpl, directBatch). The
// same response ended later (from a timer) takes the other path: head in headBytes_, then
// send → writeRaw → the socket. Both must put the same bytes on the wire and give the same
// events and flags; each case here runs both ways and compares, and a few cases also check
// the bytes themselves.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

using Respond = std::function<void(IncomingMessage&, ServerResponse&)>;

// The responses to the requests in `request` (Date normalised), each ended inside the
// 'request' listener (`deferred` false) or from a timer.
std::string answer(const Respond& respond, const std::string& request, bool deferred,
                   http::ServerOptions options = {}) {
    Loop loop;
    auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
        if (!deferred) {
            respond(req, res);
            return;
        }
        Ref<IncomingMessage> q(&req);
        Ref<ServerResponse> r(&res);
        setTimeout([q, r, &respond] { respond(*q, *r); }, 1);
    });
    std::string got;
    EXPECT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(request);
        const bool head = request.starts_with("HEAD ");
        for (std::size_t at = request.find(" HTTP/1."); at != std::string::npos;
             at = request.find(" HTTP/1.", at + 1)) {
            got += c.readResponse(head);
        }
    }));
    return normalizeDate(got);
}

void expectSameBothWays(const Respond& respond, const std::string& request,
                        const std::string& expected = {}, http::ServerOptions options = {}) {
    const std::string direct = answer(respond, request, false, options);
    const std::string later = answer(respond, request, true, options);
    EXPECT_EQ(direct, later);
    if (!expected.empty()) {
        EXPECT_EQ(direct, expected);
    }
}

constexpr const char* kKa = "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n";

// What a handler does before end(body): the response API calls of these cases, as data.
struct Spec {
    int statusCode = 200;
    const char* statusMessage = nullptr;
    std::vector<http::HeaderField> set{};  // setHeader, in order
    std::vector<std::string_view> removed{};
    std::vector<std::string_view> cookies{};  // setHeader("Set-Cookie", [...]) when not empty
    std::vector<http::HeaderField> trailers{};
    bool sendDate = true;
    std::string body{};
};

Respond respondWith(Spec spec) {
    return [spec](auto&, ServerResponse& res) {
        res.statusCode = spec.statusCode;
        if (spec.statusMessage != nullptr) res.statusMessage = spec.statusMessage;
        res.sendDate = spec.sendDate;
        for (const http::HeaderField& h : spec.set) res.setHeader(h.name, h.value);
        if (!spec.cookies.empty()) {
            res.setHeader("Set-Cookie", std::span<const std::string_view>(spec.cookies));
        }
        for (std::string_view name : spec.removed) res.removeHeader(name);
        if (!spec.trailers.empty()) res.addTrailers(spec.trailers);
        res.end(spec.body);
    };
}

struct Case {
    const char* name;
    Spec spec;
    std::string request = kGet;
    std::string expected{};  // empty: only the same bytes both ways
};

std::string ka(const std::string& before, const std::string& after) {
    return before + kKa + after;
}

TEST(ServerHeadInBatch, SameBytesBothWays) {
    const std::string h10 = "GET / HTTP/1.0\r\n\r\n";
    const http::HeaderField chunked{"Transfer-Encoding", "chunked"};
    const std::vector<Case> cases = {
        {"hello",
         {.set = {{"Content-Type", "text/plain"}}, .body = "Hello, World!"},
         kGet,
         ka("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <DATE>\r\n",
            "Content-Length: 13\r\n\r\nHello, World!")},
        {"200", {.statusCode = 200}},
        {"201", {.statusCode = 201}},
        {"204", {.statusCode = 204, .body = "dropped"}},
        {"304", {.statusCode = 304}},
        {"418", {.statusCode = 418}},
        {"500", {.statusCode = 500}},
        {"404",
         {.statusCode = 404, .body = "nope"},
         kGet,
         ka("HTTP/1.1 404 Not Found\r\nDate: <DATE>\r\n", "Content-Length: 4\r\n\r\nnope")},
        {"511",
         {.statusCode = 511},
         kGet,
         ka("HTTP/1.1 511 Network Authentication Required\r\nDate: <DATE>\r\n",
            "Content-Length: 0\r\n\r\n")},
        {"no text",
         {.statusCode = 299, .body = "x"},
         kGet,
         ka("HTTP/1.1 299 unknown\r\nDate: <DATE>\r\n", "Content-Length: 1\r\n\r\nx")},
        {"custom message",
         {.statusMessage = "Fine Thanks", .body = "x"},
         kGet,
         ka("HTTP/1.1 200 Fine Thanks\r\nDate: <DATE>\r\n", "Content-Length: 1\r\n\r\nx")},
        {"set and removed",
         {.set = {{"X-One", "1"}, {"X-Gone", "2"}},
          .removed = {"X-Gone", "Date"},
          .cookies = {"a=1", "b=2"},
          .body = "ok"},
         kGet,
         ka("HTTP/1.1 200 OK\r\nX-One: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n",
            "Content-Length: 2\r\n\r\nok")},
        {"no date, user length",
         {.set = {{"Content-Length", "3"}}, .sendDate = false, .body = "abc"},
         kGet,
         ka("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", "\r\nabc")},
        {"connection close",
         {.set = {{"Connection", "close"}}, .body = "bye"},
         kGet,
         "HTTP/1.1 200 OK\r\nConnection: close\r\nDate: <DATE>\r\nContent-Length: "
         "3\r\n\r\nbye"},
        {"HTTP/1.0",
         {.body = "old"},
         h10,
         "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nold"},
        {"HTTP/1.0 keep-alive", {.body = "ka"}, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
        {"client close", {.body = "x"}, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
        {"chunked",
         {.set = {chunked}, .body = "abc"},
         kGet,
         ka("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nDate: <DATE>\r\n",
            "\r\n3\r\nabc\r\n0\r\n\r\n")},
        {"chunked, trailers",
         {.set = {chunked, {"Trailer", "X-Sum"}},
          .trailers = {{"X-Sum", "42"}},
          .body = std::string(300, 'z')}},
        {"chunked, empty", {.set = {chunked}}},
        {"HEAD",
         {.body = "dropped"},
         "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
         ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "\r\n")},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        expectSameBothWays(respondWith(c.spec), c.request, c.expected);
    }
}

// res.statusMessage is the table's text once the head is built, the caller's when set.
TEST(ServerHeadInBatch, StatusMessageAfterEnd) {
    std::vector<std::string> seen;
    int next = 0;
    const int codes[] = {404, 200, 410, 418, 200, 299};
    const Respond respond = [&](auto&, ServerResponse& res) {
        seen.push_back(res.statusMessage);
        res.statusCode = codes[next++ % 6];
        if (res.statusCode == 299) res.statusMessage = "Mine";
        res.end();
        seen.push_back(res.statusMessage);
    };
    answer(respond, kGet, false);
    std::string five;  // the next ones reuse pooled responses
    for (int i = 0; i < 5; ++i) five += kGet;
    answer(respond, five, false);
    const std::vector<std::string> want = {"", "Not Found",    "", "OK", "", "Gone",
                                           "", "I'm a Teapot", "", "OK", "", "Mine"};
    EXPECT_EQ(seen, want);
}

// A body that would take the batch to the socket's high-water mark is not gathered: the head
// goes the other way, in front of it.
TEST(ServerHeadInBatch, BodiesAroundTheHighWaterMark) {
    for (std::size_t size : {16000u, 16300u, 16384u, 20000u, 100000u}) {
        SCOPED_TRACE(size);
        expectSameBothWays([size](auto&, ServerResponse& res) { res.end(std::string(size, 'b')); },
                           kGet);
        expectSameBothWays(
            [size](auto&, ServerResponse& res) {
                res.setHeader("Transfer-Encoding", "chunked");
                res.end(std::string(size, 'c'));
            },
            kGet);
    }
}

TEST(ServerHeadInBatch, PipelinedBurst) {
    std::string burst;
    for (int i = 0; i < 20; ++i)
        burst += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    expectSameBothWays(
        [](IncomingMessage& req, ServerResponse& res) {
            res.setHeader("Content-Type", "text/plain");
            res.end(std::string(req.url()) + std::string(1000, '.'));
        },
        burst);
}

// A throw after the head was built (strictContentLength) leaves it built, unsent: the next
// end() sends it in front of the body, as when the head was built outside the batch.
TEST(ServerHeadInBatch, ThrowAfterTheHeadKeepsItForTheNextEnd) {
    std::vector<std::string> codes;
    const Respond respond = [&codes](auto&, ServerResponse& res) {
        res.strictContentLength = true;
        res.setHeader("Content-Length", "2");
        try {
            res.end("abc");
        } catch (const Error& e) {
            codes.push_back(e.code());
        }
        codes.push_back(res.headersSent() ? "headersSent" : "no head");
        res.strictContentLength = false;
        res.end("ab");
    };
    expectSameBothWays(
        respond, kGet,
        std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: <DATE>\r\n") + kKa + "\r\nab");
    const std::vector<std::string> want = {"ERR_HTTP_CONTENT_LENGTH_MISMATCH", "headersSent",
                                           "ERR_HTTP_CONTENT_LENGTH_MISMATCH", "headersSent"};
    EXPECT_EQ(codes, want);
}

// Events and flags: 'prefinish' at end(), 'finish' when the bytes are out, the end callback,
// then 'close'; flags as Node's after end().
TEST(ServerHeadInBatch, EventsAndFlags) {
    std::vector<std::string> events;
    const Respond respond = [&events](auto&, ServerResponse& res) {
        res.on(http::kPrefinish, [&events] { events.push_back("prefinish"); });
        res.on(http::kFinish, [&events] { events.push_back("finish"); });
        res.on(http::kResponseClose, [&events] { events.push_back("close"); });
        res.end("x", [&events](const Error* e) { events.push_back(e ? "cb error" : "cb"); });
        events.push_back(std::string("ended ") + (res.writableEnded() ? "E" : "-") +
                         (res.finished() ? "F" : "-") + (res.headersSent() ? "H" : "-"));
    };
    answer(respond, kGet, false);
    const std::vector<std::string> direct = events;
    events.clear();
    answer(respond, kGet, true);
    EXPECT_EQ(direct, events);
    const std::vector<std::string> want = {"prefinish", "ended EFH", "finish", "cb", "close"};
    EXPECT_EQ(direct, want);
}

}  // namespace
}  // namespace nodecc::test
