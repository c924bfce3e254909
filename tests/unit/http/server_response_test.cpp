// http::ServerResponse on the wire: framing and the response API, byte-exact against
// Node v20 (each expected string was recorded from a Node server with the same handler).
// Ports: test-http-chunked, test-http-content-length, test-http-head-response-has-no-body,
// test-http-304, test-http-chunked-304, test-http-set-trailers, test-http-remove-header-
// stays-removed, test-http-date-header, test-http-flush-headers, test-http-write-head,
// test-http-write-head-after-set-header, test-http-response-status-message,
// test-http-server-write-after-end, test-http-content-length-mismatch, test-http-early-hints,
// test-http-expect-continue, test-http-expect-handling.
#include <string>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

struct FramingCase {
    const char* name;
    Handler handler;
    const char* request;
    const char* expected;
    bool noBody = false;
};

constexpr const char* kKa = "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n";

std::string ka(const std::string& before, const std::string& after) {
    return before + kKa + after;
}

class ServerFraming : public ::testing::TestWithParam<int> {};

std::vector<FramingCase>& framingCases() {
    static std::vector<FramingCase> cases = [] {
        std::vector<FramingCase> c;
        static std::vector<std::string> keep;  // owns the expected strings
        auto add = [&](const char* name, Handler h, const char* request, std::string expected,
                       bool noBody = false) {
            keep.push_back(std::move(expected));
            c.push_back({name, std::move(h), request, nullptr, noBody});
        };
        add(
            "EndWithBodyHasContentLength", [](auto&, auto& res) { res.end("hello"); }, kGet,
            ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 5\r\n\r\nhello"));
        add(
            "WriteHeadThenEndIsChunked",
            [](auto&, auto& res) {
                res.writeHead(200);
                res.end();
            },
            kGet,
            ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        add(
            "WriteHeadWithReasonAndHeaders",
            [](auto&, auto& res) {
                const http::HeaderField h[] = {{"X-A", "1"}};
                res.writeHead(201, "Yay", h);
                res.end("ab");
            },
            kGet,
            ka("HTTP/1.1 201 Yay\r\nX-A: 1\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"));
        add(
            "WriteHeadWithHeaderList",
            [](auto&, auto& res) {
                res.writeHead(200, {{"X-A", "1"}, {"X-B", "2"}});
                res.end();
            },
            kGet,
            ka("HTTP/1.1 200 OK\r\nX-A: 1\r\nX-B: 2\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        // test-http-write-head-after-set-header: setHeader values merge with writeHead's.
        add(
            "WriteHeadAfterSetHeaderMerges",
            [](auto&, auto& res) {
                res.setHeader("X-A", "1");
                res.writeHead(202, {{"X-B", "2"}});
                res.end("z");
            },
            kGet,
            ka("HTTP/1.1 202 Accepted\r\nX-A: 1\r\nX-B: 2\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"));
        // test-http-304 / 204: no body, no framing header, the connection stays.
        add(
            "NoContentDropsBody",
            [](auto&, auto& res) {
                res.statusCode = 204;
                res.end("body");
            },
            kGet, ka("HTTP/1.1 204 No Content\r\nDate: <DATE>\r\n", "\r\n"));
        add(
            "NotModified",
            [](auto&, auto& res) {
                res.statusCode = 304;
                res.end();
            },
            kGet, ka("HTTP/1.1 304 Not Modified\r\nDate: <DATE>\r\n", "\r\n"));
        // test-http-chunked-304: a user-set chunked TE on 304 forces Connection: close.
        add(
            "ChunkedNotModifiedCloses",
            [](auto&, auto& res) {
                res.setHeader("Transfer-Encoding", "chunked");
                res.writeHead(304);
                res.end();
            },
            kGet,
            "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nDate: <DATE>\r\n"
            "Connection: close\r\n\r\n");
        // test-http-head-response-has-no-body: no body, no Content-Length.
        add(
            "HeadGetsNoBodyNoLength", [](auto&, auto& res) { res.end("hello"); },
            "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "\r\n"),
            true);
        add(
            "HeadWriteHeadEnd",
            [](auto&, auto& res) {
                res.writeHead(200);
                res.end();
            },
            "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "\r\n"),
            true);
        // test-http-chunked: zero-length writes are skipped.
        add(
            "WritesAreChunks",
            [](auto&, auto& res) {
                res.write("a");
                res.write("");
                res.end("bc");
            },
            kGet,
            ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n2\r\nbc\r\n0\r\n\r\n"));
        // test-http-set-trailers.
        add(
            "TrailersWhenChunked",
            [](auto&, auto& res) {
                res.setHeader("Trailer", "X-T");
                res.addTrailers({{"X-T", "v"}});
                res.write("a");
                res.end();
            },
            kGet,
            ka("HTTP/1.1 200 OK\r\nTrailer: X-T\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: v\r\n\r\n"));
        add(
            "TrailersDroppedWithContentLength",
            [](auto&, auto& res) {
                res.addTrailers({{"X-T", "v"}});
                res.end("a");
            },
            kGet, ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 1\r\n\r\na"));
        // test-http-response-status-message: an unknown code gets "unknown".
        add(
            "UnknownStatusCode",
            [](auto&, auto& res) {
                res.writeHead(599);
                res.end();
            },
            kGet,
            ka("HTTP/1.1 599 unknown\r\nDate: <DATE>\r\n",
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        add(
            "UserContentLengthFirst",
            [](auto&, auto& res) {
                res.setHeader("Content-Length", 3);
                res.end("abc");
            },
            kGet, ka("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: <DATE>\r\n", "\r\nabc"));
        // test-http-remove-header-stays-removed / test-http-date-header.
        add(
            "RemovedDate",
            [](auto&, auto& res) {
                res.removeHeader("Date");
                res.end();
            },
            kGet, ka("HTTP/1.1 200 OK\r\n", "Content-Length: 0\r\n\r\n"));
        add(
            "SendDateFalseAndConnectionClose",
            [](auto&, auto& res) {
                res.sendDate = false;
                res.setHeader("Connection", "close");
                res.end("x");
            },
            kGet, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
        add(
            "SetCookieLinesCookieJoined",
            [](auto&, auto& res) {
                res.setHeader("Set-Cookie", {"a=1", "b=2"});
                res.setHeader("Cookie", {"c=1", "d=2"});
                res.end();
            },
            kGet,
            ka("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nCookie: c=1; d=2\r\n"
               "Date: <DATE>\r\n",
               "Content-Length: 0\r\n\r\n"));
        // test-http-1.0: close-delimited body, no framing header.
        add(
            "Http10IsCloseDelimited", [](auto&, auto& res) { res.end("hello"); },
            "GET / HTTP/1.0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello");
        // HTTP/1.0 with TE: chunked may get a chunked response; repeated TE fields count as
        // Node's joined req.headers.te; a token that only contains "chunked" does not.
        const auto helloInTwo = [](auto&, auto& res) {
            res.write("hel");
            res.end("lo");
        };
        add("Http10WithTeChunkedIsChunked", helloInTwo, "GET / HTTP/1.0\r\nTE: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
        add("Http10WithTwoTeFieldsIsChunked", helloInTwo,
            "GET / HTTP/1.0\r\nTE: trailers\r\nTE: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
        add("Http10WithOtherTeIsCloseDelimited", helloInTwo,
            "GET / HTTP/1.0\r\nTE: xchunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello");
        // test-http-1.0-keep-alive: with an explicit length the 1.0 connection is kept.
        add(
            "Http10KeepAliveWithLength",
            [](auto&, auto& res) {
                res.setHeader("Content-Length", 5);
                res.end("hello");
            },
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            ka("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <DATE>\r\n", "\r\nhello"));
        add(
            "Http10KeepAliveWithoutLengthCloses", [](auto&, auto& res) { res.end("hello"); },
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello");
        // test-http-early-hints.
        add(
            "EarlyHintsThenResponse",
            [](auto&, auto& res) {
                const http::HeaderField hints[] = {{"link", "</a.css>; rel=preload"},
                                                   {"x-foo", "bar"}};
                res.writeEarlyHints(hints);
                res.end("ok");
            },
            kGet, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nx-foo: bar\r\n\r\n");
        add(
            "Processing",
            [](auto&, auto& res) {
                res.writeProcessing();
                res.end();
            },
            kGet, "HTTP/1.1 102 Processing\r\n\r\n");
        add(
            "UserContentLengthWithoutBody",
            [](auto&, auto& res) {
                res.setHeader("Content-Length", 5);
                res.end();
            },
            kGet, ka("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: <DATE>\r\n", "\r\n"), true);
        add(
            "WriteHeadContentLength",
            [](auto&, auto& res) {
                res.writeHead(200, {{"Content-Length", "3"}});
                res.end("abc");
            },
            kGet, ka("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: <DATE>\r\n", "\r\nabc"));
        // Both framing headers removed: close-delimited (Node still says keep-alive).
        add(
            "RemovedFramingIsCloseDelimited",
            [](auto&, auto& res) {
                res.removeHeader("Content-Length");
                res.removeHeader("Transfer-Encoding");
                res.end("abc");
            },
            kGet, ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "\r\nabc"));
        add(
            "UserTransferEncodingNotChunked",
            [](auto&, auto& res) {
                res.setHeader("Transfer-Encoding", "gzip");
                res.end("abc");
            },
            kGet, ka("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nDate: <DATE>\r\n", "\r\nabc"));
        add(
            "SwitchingProtocolsHasNoBody",
            [](auto&, auto& res) {
                res.statusCode = 101;
                res.end();
            },
            kGet, ka("HTTP/1.1 101 Switching Protocols\r\nDate: <DATE>\r\n", "\r\n"));
        add(
            "UserConnectionHeaderKept",
            [](auto&, auto& res) {
                res.setHeader("Connection", "keep-alive, Upgrade");
                res.end("x");
            },
            kGet,
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nDate: <DATE>\r\n"
            "Content-Length: 1\r\n\r\nx");
        add(
            "RemovedConnectionHeader",
            [](auto&, auto& res) {
                res.removeHeader("Connection");
                res.end("x");
            },
            kGet, "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nContent-Length: 1\r\n\r\nx");
        // HTTP/0.9 request line: version 0.9, close-delimited answer with no framing.
        add(
            "Http09", [](auto&, auto& res) { res.end("hi"); }, "GET /\r\n\r\n",
            "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhi");
        for (std::size_t i = 0; i < c.size(); ++i) c[i].expected = keep[i].c_str();
        return c;
    }();
    return cases;
}

TEST_P(ServerFraming, BytesAreNodes) {
    const FramingCase& fc = framingCases()[static_cast<std::size_t>(GetParam())];
    SCOPED_TRACE(fc.name);
    Loop loop;
    auto server = http::createServer(fc.handler);
    EXPECT_EQ(roundTrip(loop, *server, fc.request, fc.noBody), fc.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, ServerFraming,
                         ::testing::Range(0, static_cast<int>(framingCases().size())),
                         [](const ::testing::TestParamInfo<int>& p) {
                             return std::string(
                                 framingCases()[static_cast<std::size_t>(p.param)].name);
                         });

// The informational response is followed by the final one on the same connection.
TEST(ServerResponse, EarlyHintsThenFinalResponse) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) {
        const http::HeaderField hints[] = {{"link", "</a.css>; rel=preload"}};
        res.writeEarlyHints(hints);
        res.end("ok");
    });
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        first = c.readResponse();
        second = normalizeDate(c.readResponse());
    }));
    EXPECT_EQ(first, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
    EXPECT_EQ(second, ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 2\r\n\r\nok"));
}

// test-http-flush-headers: the head leaves at once; the body then goes chunked.
TEST(ServerResponse, FlushHeadersSendsTheHeadBeforeTheBody) {
    Loop loop;
    Ref<ServerResponse> held;
    auto server = http::createServer([&](auto&, auto& res) {
        res.flushHeaders();
        EXPECT_TRUE(res.headersSent());
        held = Ref<ServerResponse>(&res);
    });
    std::string head, rest;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        head = normalizeDate(c.readResponse(true));
        onLoop(loop, [&] { held->end("x"); });
        rest = c.readExactly(11);
    }));
    EXPECT_EQ(head,
              ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Transfer-Encoding: chunked\r\n\r\n"));
    EXPECT_EQ(rest, "1\r\nx\r\n0\r\n\r\n");
}

// test-http-write-head / test-http-server-write-after-end.
TEST(ServerResponse, MisuseAfterEndReportsNodesErrors) {
    Loop loop;
    std::vector<std::string> seen;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        res.end("a");
        try {
            res.setHeader("X", "1");
        } catch (const Error& e) {
            seen.push_back(e.code() + ": " + e.message());
        }
        try {
            res.writeHead(200);
        } catch (const Error& e) {
            seen.push_back(e.code() + ": " + e.message());
        }
        res.on(events::kError, [&](const Error& e) { seen.push_back("error " + e.code()); });
        const bool ret = res.write("b", [&](const Error* e) {
            seen.push_back(std::string("cb ") + (e != nullptr ? e->code() : "null"));
        });
        seen.push_back(ret ? "true" : "false");
        res.end([&](const Error* e) {
            seen.push_back(std::string("end2 ") + (e != nullptr ? e->code() : "null"));
        });
    });
    EXPECT_EQ(roundTrip(loop, *server, kGet),
              ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 1\r\n\r\na"));
    const std::vector<std::string> want = {
        "ERR_HTTP_HEADERS_SENT: Cannot set headers after they are sent to the client",
        "ERR_HTTP_HEADERS_SENT: Cannot write headers after they are sent to the client",
        "false",
        "end2 ERR_STREAM_ALREADY_FINISHED",
        "cb ERR_STREAM_WRITE_AFTER_END",
        "error ERR_STREAM_WRITE_AFTER_END",
    };
    EXPECT_EQ(seen, want);
}

TEST(ServerResponse, InvalidStatusAndHeaderValuesThrow) {
    Loop loop;
    std::vector<std::string> codes;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        const auto attempt = [&](auto&& f) {
            try {
                f();
                codes.push_back("none");
            } catch (const Error& e) {
                codes.push_back(e.code());
            }
        };
        attempt([&] { res.setHeader("Bad Name", "x"); });
        attempt([&] { res.setHeader("X", "a\r\nb"); });
        attempt([&] { res.writeHead(99); });
        attempt([&] { res.writeHead(1000); });
        res.end();
    });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, kGet)), 200);
    const std::vector<std::string> want = {"ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_CHAR",
                                           "ERR_HTTP_INVALID_STATUS_CODE",
                                           "ERR_HTTP_INVALID_STATUS_CODE"};
    EXPECT_EQ(codes, want);
}

// test-http-content-length-mismatch (strictContentLength).
TEST(ServerResponse, StrictContentLengthMismatchThrows) {
    Loop loop;
    std::vector<std::string> codes;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        res.strictContentLength = true;
        res.setHeader("Content-Length", 2);
        // The length is known once the head is built (Node: _storeHeader sets _contentLength).
        const auto attempt = [&](auto&& f) {
            try {
                f();
                codes.push_back("ok");
            } catch (const Error& e) {
                codes.push_back(e.code());
            }
        };
        attempt([&] { res.write("a"); });
        attempt([&] { res.write("bc"); });
        attempt([&] { res.end("bc"); });
        attempt([&] { res.end("b"); });
    });
    EXPECT_EQ(roundTrip(loop, *server, kGet),
              ka("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: <DATE>\r\n", "\r\nab"));
    const std::vector<std::string> want = {"ok", "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
                                           "ERR_HTTP_CONTENT_LENGTH_MISMATCH", "ok"};
    EXPECT_EQ(codes, want);
}

// rejectNonStandardBodyWrites: a body on HEAD/204/304 throws instead of being ignored.
TEST(ServerResponse, RejectNonStandardBodyWrites) {
    Loop loop;
    http::ServerOptions options;
    options.rejectNonStandardBodyWrites = true;
    std::string code;
    auto server = http::createServer(options, [&](auto&, ServerResponse& res) {
        res.statusCode = 204;
        try {
            res.write("x");
        } catch (const Error& e) {
            code = e.code();
        }
        res.end();
    });
    EXPECT_EQ(roundTrip(loop, *server, kGet),
              ka("HTTP/1.1 204 No Content\r\nDate: <DATE>\r\n", "\r\n"));
    EXPECT_EQ(code, "ERR_HTTP_BODY_NOT_ALLOWED");
}

// Node: end() emits 'finish' when the bytes are written, the end callback, then 'close'
// on a later tick; the request's 'end' and 'close' come with its body.
TEST(ServerResponse, FinishThenEndCallbackThenClose) {
    Loop loop;
    std::vector<std::string> events;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        res.on(http::kFinish, [&] { events.push_back("finish"); });
        res.on(http::kResponseClose, [&] { events.push_back("close"); });
        res.end("x", [&](const Error*) { events.push_back("end cb"); });
        events.push_back("after end");
    });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, kGet)), 200);
    const std::vector<std::string> want = {"after end", "finish", "end cb", "close"};
    EXPECT_EQ(events, want);
}

// res.write returns false at the high-water mark and 'drain' follows (NODE-BEHAVIOUR §3.3).
TEST(ServerResponse, WriteReturnsFalseAtHighWaterMarkThenDrain) {
    Loop loop;
    std::vector<std::string> events;
    Ref<ServerResponse> held;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        held = Ref<ServerResponse>(&res);
        events.push_back(res.write(std::string(100, 'x')) ? "true" : "false");
        // Big enough that the kernel cannot take it all while the client is not reading.
        const bool ret = res.write(std::string(8 << 20, 'y'));
        events.push_back(ret ? "true" : "false");
        events.push_back(res.writableNeedDrain() ? "needDrain" : "noNeedDrain");
        res.on(http::kDrain, [&] {
            events.push_back("drain");
            held->end();
        });
    });
    std::size_t bodyBytes = 0;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            RawClient c(port);
            c.send(kGet);
            const std::string r = c.readResponse(false, 8000);
            bodyBytes = r.size();
        },
        10000));
    const std::vector<std::string> want = {"true", "false", "needDrain", "drain"};
    EXPECT_EQ(events, want);
    EXPECT_GT(bodyBytes, std::size_t{8 << 20});
}

// Sends a request with Expect: 100-continue, then its body once the 100 arrived.
std::pair<std::string, std::string> continueExchange(Loop& loop, http::Server& server) {
    std::string cont, final;
    EXPECT_TRUE(runClient(loop, server, [&](int port) {
        RawClient c(port);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        cont = c.readResponse();
        c.send("abc");
        final = normalizeDate(c.readResponse());
    }));
    return {cont, final};
}

// Observed in Node: the owning response returns false once the socket's buffered length
// (counting the new chunk) passes the high-water mark, even if the kernel took the bytes.
TEST(ServerResponse, WriteOf20000BytesReturnsFalse) {
    Loop loop;
    std::vector<std::string> events;
    auto server = http::createServer([&](auto&, ServerResponse& res) {
        events.push_back(res.write(std::string(100, 'x')) ? "true" : "false");
        events.push_back(res.write(std::string(20000, 'y')) ? "true" : "false");
        events.push_back(res.writableNeedDrain() ? "needDrain" : "noNeedDrain");
        Ref<ServerResponse> r(&res);
        res.on(http::kDrain, [&events, r] {
            events.push_back("drain");
            r->end();
        });
    });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, kGet)), 200);
    EXPECT_EQ(events, (std::vector<std::string>{"true", "false", "needDrain", "drain"}));
}

// A queued (pipelined) response buffers: false once its output reaches the high-water mark
// (Node: outputSize 20147 ≥ 16384), 'drain' once it owns the socket and flushed.
TEST(ServerResponse, QueuedResponseWriteReturnsFalseThenDrain) {
    Loop loop;
    std::vector<std::string> events;
    Ref<ServerResponse> first;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (req.url() == "/1") {
            first = Ref<ServerResponse>(&res);
            setTimeout([&first] { first->end("first"); }, 50);
            return;
        }
        events.push_back(res.write(std::string(10000, 'a')) ? "true" : "false");
        events.push_back(res.write(std::string(10000, 'b')) ? "true" : "false");
        events.push_back(res.writableNeedDrain() ? "needDrain" : "noNeedDrain");
        events.push_back(std::to_string(res.writableLength()));
        Ref<ServerResponse> r(&res);
        res.on(http::kDrain, [&events, r] {
            events.push_back("drain");
            r->end();
        });
    });
    std::string a, b;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
        a = c.readResponse();
        b = c.readResponse();
    }));
    EXPECT_EQ(statusOf(a), 200);
    EXPECT_EQ(statusOf(b), 200);
    EXPECT_EQ(events, (std::vector<std::string>{"true", "false", "needDrain", "20147", "drain"}));
}

// test-http-expect-continue: no checkContinue listener → 100 Continue, then 'request'.
TEST(ServerExpect, ContinueWithoutListener) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, ServerResponse& res) {
        auto body = std::make_shared<std::string>();
        req.on(http::kData, [body](std::string_view d) { body->append(d); });
        Ref<ServerResponse> r(&res);
        req.on(http::kEnd, [body, r] { r->end(*body); });
    });
    const auto [cont, final] = continueExchange(loop, *server);
    EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_EQ(final, ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 3\r\n\r\nabc"));
}

// A checkContinue listener decides; a final status without 100 forces Connection: close.
TEST(ServerExpect, CheckContinueListenerRejects) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("no"); });
    int checks = 0;
    server->on(http::kCheckContinue, [&](IncomingMessage&, ServerResponse& res) {
        ++checks;
        res.writeHead(403);
        res.end();
    });
    const std::string got = untilClose(
        loop, *server,
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    EXPECT_EQ(checks, 1);
    EXPECT_EQ(got,
              "HTTP/1.1 403 Forbidden\r\nDate: <DATE>\r\nConnection: close\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST(ServerExpect, CheckContinueListenerAccepts) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("never"); });
    server->on(http::kCheckContinue, [&](IncomingMessage& req, ServerResponse& res) {
        res.writeContinue();
        Ref<ServerResponse> r(&res);
        req.on(http::kData, [](std::string_view) {});
        req.on(http::kEnd, [r] { r->end("ok"); });
    });
    const auto [cont, final] = continueExchange(loop, *server);
    EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_EQ(final, ka("HTTP/1.1 200 OK\r\nDate: <DATE>\r\n", "Content-Length: 2\r\n\r\nok"));
}

// test-http-expect-handling: another expectation → 417, the connection stays open.
TEST(ServerExpect, UnknownExpectationIs417) {
    Loop loop;
    int requests = 0;
    auto server = http::createServer([&](auto&, auto& res) {
        ++requests;
        res.end();
    });
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n");
        first = normalizeDate(c.readResponse());
        c.send(kGet);
        second = normalizeDate(c.readResponse());
    }));
    EXPECT_EQ(first, ka("HTTP/1.1 417 Expectation Failed\r\nDate: <DATE>\r\n",
                        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    EXPECT_EQ(statusOf(second), 200);
    EXPECT_EQ(requests, 1);
}

TEST(ServerExpect, CheckExpectationListener) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("never"); });
    std::string expect;
    server->on(http::kCheckExpectation, [&](IncomingMessage& req, ServerResponse& res) {
        expect = std::string(req.headers().get("expect")->value());
        res.writeHead(402);
        res.end();
    });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, "GET / HTTP/1.1\r\nHost: x\r\nExpect: x\r\n\r\n")),
              402);
    EXPECT_EQ(expect, "x");
}

// A user Date header replaces the automatic one; a Trailer header without chunking throws.
TEST(ServerResponse, UserDateAndInvalidTrailer) {
    Loop loop;
    std::string code;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (req.url() == "/trailer") {
            res.setHeader("Content-Length", 2);
            res.setHeader("Trailer", "X");
            try {
                res.end("ab");
            } catch (const Error& e) {
                code = e.code();
                res.removeHeader("Trailer");
                res.end("ab");
            }
            return;
        }
        res.setHeader("Date", "custom");
        res.end();
    });
    std::string date, trailer;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        date = c.readResponse();
        c.send("GET /trailer HTTP/1.1\r\nHost: x\r\n\r\n");
        trailer = c.readResponse();
    }));
    EXPECT_EQ(date, ka("HTTP/1.1 200 OK\r\nDate: custom\r\n", "Content-Length: 0\r\n\r\n"));
    EXPECT_EQ(code, "ERR_HTTP_TRAILER_INVALID");
    EXPECT_EQ(statusOf(trailer), 200);
}

// Http/1.1 without Host → 400 with Node's bytes; HTTP/1.0 without Host is fine.
TEST(ServerResponse, MissingHostIs400) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    EXPECT_EQ(untilClose(loop, *server, "GET / HTTP/1.1\r\n\r\n"),
              "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: <DATE>\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST(ServerResponse, RequireHostHeaderFalseAcceptsIt) {
    Loop loop;
    http::ServerOptions options;
    options.requireHostHeader = false;
    auto server = http::createServer(options, [](auto&, auto& res) { res.end("x"); });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, "GET / HTTP/1.1\r\n\r\n")), 200);
}

}  // namespace
}  // namespace nodecc::test
