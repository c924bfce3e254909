// http::IncomingMessage through a real request: Node's header join rules, rawHeaders,
// trailers, maxHeadersCount, body back-pressure, abort, custom types (NODE-BEHAVIOUR §1.5).
// Ports: test-http-incoming-matchKnownFields, test-http-multiple-headers,
// test-http-server-multiheaders, test-http-server-multiheaders2,
// test-http-server-de-chunked-trailer, test-http-server-non-utf8-header,
// test-http-server-options-incoming-message, test-http-max-headers-count.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

std::vector<std::string> flatten(std::span<const http::HeaderField> raw) {
    std::vector<std::string> out;
    for (const auto& f : raw) {
        out.emplace_back(f.name);
        out.emplace_back(f.value);
    }
    return out;
}

// "key=value|…" in Node's key order; arrays as [a,b].
std::string describe(const http::IncomingHeaders& headers) {
    std::string out;
    headers.forEach([&](const http::IncomingHeaders::Entry& e) {
        if (!out.empty()) out += "|";
        out += std::string(e.key()) + "=";
        if (e.isArray()) {
            out += "[";
            for (std::size_t i = 0; i < e.values().size(); ++i) {
                out += (i ? "," : "") + std::string(e.values()[i]);
            }
            out += "]";
        } else {
            out += std::string(e.value());
        }
    });
    return out;
}

// The fields the server acts on (Host, Expect) are found in any case, also when the name
// comes in pieces across reads, and not by a name that only shares their length.
TEST(ServerRequest, HostAndExpectFoundInAnyCaseAndAcrossReads) {
    Loop loop;
    auto server = http::createServer([](auto&, ServerResponse& res) { res.end("x"); });
    std::string split, upper, lookalike, expect;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\nHo");
        c.readFor(50);  // the server reads the first piece on its own (else one read: still valid)
        c.send("St: x\r\nEx");
        c.readFor(50);
        c.send("PECT: 100-continue\r\n\r\n");
        split = c.readResponse();
        c.send("GET / HTTP/1.1\r\nHOST: x\r\n\r\n");
        upper = c.readResponse();
    }));
    EXPECT_EQ(statusOf(split), 100);
    EXPECT_EQ(statusOf(upper), 200);
    EXPECT_EQ(statusOf(untilClose(loop, *server, "GET / HTTP/1.1\r\nHose: x\r\nx-host: y\r\n\r\n")),
              400);
}

// test-http-incoming-matchKnownFields / test-http-multiple-headers / -multiheaders2:
// first-wins, set-cookie array, cookie "; ", others ", " (recorded from Node v20).
TEST(ServerRequest, DuplicateHeadersFollowNodesRules) {
    Loop loop;
    std::string headers, distinct;
    std::vector<std::string> raw;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        headers = describe(req.headers());
        raw = flatten(req.rawHeaders());
        req.headers().forEachDistinct([&](const http::IncomingHeaders::Entry& e) {
            distinct += std::string(e.key()) + ":" + std::to_string(e.values().size()) + " ";
        });
        res.end();
    });
    roundTrip(loop, *server,
              "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nSet-Cookie: s1\r\nset-cookie: s2\r\n"
              "Cookie: c=1\r\nCOOKIE: d=2\r\nAccept: x\r\naccept: y\r\nFoo-Bar: f1\r\n"
              "FOO-BAR: f2\r\nX-E:\r\nX-E: e\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n"
              "X-Trail: v  \t\r\n\r\n");
    EXPECT_EQ(headers,
              "host=a|set-cookie=[s1,s2]|cookie=c=1; d=2|accept=x, y|foo-bar=f1, f2|x-e=, e|"
              "user-agent=u1|x-trail=v");
    const std::vector<std::string> wantRaw = {
        "Host",   "a",   "Host",   "b", "Set-Cookie", "s1", "set-cookie", "s2", "Cookie",  "c=1",
        "COOKIE", "d=2", "Accept", "x", "accept",     "y",  "Foo-Bar",    "f1", "FOO-BAR", "f2",
        "X-E",    "",    "X-E",    "e", "User-Agent", "u1", "User-Agent", "u2", "X-Trail", "v"};
    EXPECT_EQ(raw, wantRaw);
    EXPECT_EQ(distinct,
              "host:2 set-cookie:2 cookie:2 accept:2 foo-bar:2 x-e:2 user-agent:2 x-trail:1 ");
}

TEST(ServerRequest, JoinDuplicateHeadersJoinsFirstWinsFields) {
    Loop loop;
    http::ServerOptions options;
    options.joinDuplicateHeaders = true;
    std::string headers;
    auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
        headers = describe(req.headers());
        res.end();
    });
    roundTrip(loop, *server,
              "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n\r\n");
    EXPECT_EQ(headers, "host=a, b|user-agent=u1, u2");
}

// test-http-max-headers-count: maxHeadersCount limits req.headers, rawHeaders keeps the
// 31-field blocks Node's parser hands over (4 of 4 here; 1023 of 1500 by default).
TEST(ServerRequest, MaxHeadersCount) {
    Loop loop;
    std::vector<std::pair<std::size_t, std::size_t>> seen;  // (keys, raw fields)
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        seen.emplace_back(req.headers().size(), req.rawHeaders().size());
        res.end();
    });
    std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 1500; ++i)
        many += "H" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
    many += "\r\n";
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient a(port);
        a.send(many);
        a.readResponse();
        onLoop(loop, [&] { server->maxHeadersCount = 2; });
        RawClient b(port);  // the limit applies to connections accepted after the change
        b.send("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        b.readResponse();
    }));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], (std::pair<std::size_t, std::size_t>{1000, 1023}));
    EXPECT_EQ(seen[1], (std::pair<std::size_t, std::size_t>{2, 4}));
}

// test-http-server-de-chunked-trailer: trailers and rawTrailers are there on 'end'.
TEST(ServerRequest, TrailersOnEnd) {
    Loop loop;
    std::string trailers, body;
    std::vector<std::string> rawTrailers;
    bool completeAtEnd = false, completeAtRequest = true;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        completeAtRequest = req.complete();
        Ref<ServerResponse> r(&res);
        Ref<IncomingMessage> q(&req);
        req.on(http::kData, [&](std::string_view d) { body.append(d); });
        req.on(http::kEnd, [&, r, q] {
            trailers = describe(q->trailers());
            rawTrailers = flatten(q->rawTrailers());
            completeAtEnd = q->complete();
            r->end();
        });
    });
    roundTrip(loop, *server,
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
              "0\r\nX-T: 1\r\nx-t: 2\r\nSet-Cookie: a\r\n\r\n");
    EXPECT_EQ(body, "abc");
    EXPECT_EQ(trailers, "x-t=1, 2|set-cookie=[a]");
    EXPECT_EQ(rawTrailers, (std::vector<std::string>{"X-T", "1", "x-t", "2", "Set-Cookie", "a"}));
    EXPECT_FALSE(completeAtRequest);
    EXPECT_TRUE(completeAtEnd);
}

// test-http-server-non-utf8-header: header bytes are kept as they came (latin1).
TEST(ServerRequest, NonUtf8HeaderBytesKept) {
    Loop loop;
    std::string value;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        value = std::string(req.headers().get("x-name")->value());
        res.setHeader("Content-Disposition", "attachment; filename=caf\xe9.txt");
        res.end();
    });
    const std::string got =
        roundTrip(loop, *server, "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xe9\r\n\r\n");
    EXPECT_EQ(value, "caf\xe9");
    EXPECT_NE(got.find("Content-Disposition: attachment; filename=caf\xe9.txt\r\n"),
              std::string::npos);
}

TEST(ServerRequest, MethodUrlAndVersion) {
    Loop loop;
    std::vector<std::string> seen;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        seen.push_back(std::string(req.method()) + " " + std::string(req.url()) + " " +
                       std::string(req.httpVersion()) + " " +
                       std::to_string(req.httpVersionMajor()) +
                       std::to_string(req.httpVersionMinor()));
        res.setHeader("Content-Length", 0);
        res.end();
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET http://x/hello?a=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        c.readResponse();
        c.send("DELETE /a/../b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        c.readResponse();
        c.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        c.readResponse();
    }));
    EXPECT_EQ(seen, (std::vector<std::string>{"GET http://x/hello?a=1 1.1 11",
                                              "DELETE /a/../b 1.0 10", "OPTIONS * 1.1 11"}));
}

// Body back-pressure: a paused request stops the socket once its buffer is full; resume()
// delivers the rest.
TEST(ServerRequest, PausedBodyStopsReadingTheSocket) {
    Loop loop;
    constexpr std::size_t kSize = 8u << 20;
    std::size_t received = 0;
    std::uint64_t bytesReadWhilePaused = 0;
    Ref<IncomingMessage> held;
    bool ended = false;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        held = Ref<IncomingMessage>(&req);
        Ref<ServerResponse> r(&res);
        req.pause();
        req.on(http::kData, [&](std::string_view d) { received += d.size(); });
        req.on(http::kEnd, [&, r] {
            ended = true;
            r->end(std::to_string(received));
        });
    });
    std::string got;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            RawClient c(port);
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kSize) +
                   "\r\n\r\n");
            std::thread writer([&] { c.send(std::string(kSize, 'b')); });
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            onLoop(loop, [&] {
                bytesReadWhilePaused = held->socket()->bytesRead();
                EXPECT_EQ(received, 0u);
                held->resume();
            });
            writer.join();
            got = c.readResponse(false, 5000);
        },
        10000));
    EXPECT_LT(bytesReadWhilePaused, 16384u + 2 * 65536u + 100u);
    EXPECT_TRUE(ended);
    EXPECT_EQ(got.substr(got.find("\r\n\r\n") + 4), std::to_string(kSize));
}

// Client reset mid-body: 'aborted', the response's 'close', the request's 'error'
// (ECONNRESET "aborted", only with a listener) and 'close' — Node's order.
TEST(ServerRequest, ResetMidBodyAbortsTheRequest) {
    Loop loop;
    std::vector<std::string> events;
    Latch gotData;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        Ref<IncomingMessage> q(&req);
        Ref<ServerResponse> r(&res);
        req.on(http::kAborted, [&, q] {
            events.push_back(std::string("req aborted ") + (q->aborted() ? "true" : "false") +
                             " complete=" + (q->complete() ? "true" : "false"));
        });
        req.on(events::kError, [&](const Error& e) {
            events.push_back("req error " + e.code() + " " + e.message());
        });
        req.on(http::kClose, [&] { events.push_back("req close"); });
        req.on(http::kEnd, [&] { events.push_back("req end"); });
        req.on(http::kData, [&](std::string_view d) {
            events.push_back("data " + std::to_string(d.size()));
            gotData.signal();
        });
        res.on(http::kResponseClose, [&, r] {
            events.push_back(std::string("res close ended=") + (r->writableEnded() ? "1" : "0"));
        });
        res.on(http::kFinish, [&] { events.push_back("res finish"); });
    });
    server->on(http::kClientError,
               [&](const Error& e, net::Socket&) { events.push_back("clientError " + e.code()); });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        gotData.wait();
        c.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }));
    EXPECT_EQ(events, (std::vector<std::string>{
                          "data 3", "clientError ECONNRESET", "req aborted true complete=false",
                          "res close ended=0", "req error ECONNRESET aborted", "req close"}));
}

// Client FIN mid-body with a 'clientError' listener: the listener owns the socket; nothing
// is aborted until it acts (Node: socketOnEnd → parser.finish() error → clientError).
TEST(ServerRequest, FinMidBodyGoesToClientError) {
    Loop loop;
    std::vector<std::string> events;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse&) {
        req.on(http::kData,
               [&](std::string_view d) { events.push_back("data " + std::to_string(d.size())); });
        req.on(http::kAborted, [&] { events.push_back("req aborted"); });
    });
    server->on(http::kClientError, [&](const Error& e, net::Socket& s) {
        events.push_back("clientError " + e.code());
        s.destroy();
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        c.shutdownWrite();
        c.readAll();
    }));
    EXPECT_EQ(events, (std::vector<std::string>{"data 3", "clientError HPE_INVALID_EOF_STATE",
                                                "req aborted"}));
}

// test-http-server-options-incoming-message: custom IncomingMessage / ServerResponse types.
class MyRequest : public IncomingMessage {
  public:
    using IncomingMessage::IncomingMessage;
    std::string tag = "custom-req";
};
class MyResponse : public ServerResponse {
  public:
    using ServerResponse::ServerResponse;
    std::string tag = "custom-res";
};

TEST(ServerRequest, CustomRequestAndResponseTypes) {
    Loop loop;
    http::ServerOptions options;
    options.incomingMessage = [](net::Socket* s) -> Ref<IncomingMessage> {
        return makeRef<MyRequest>(s);
    };
    options.serverResponse = [](IncomingMessage& req) -> Ref<ServerResponse> {
        return makeRef<MyResponse>(req);
    };
    std::string tags;
    auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
        auto* q = dynamic_cast<MyRequest*>(&req);
        auto* r = dynamic_cast<MyResponse*>(&res);
        tags = (q ? q->tag : "none") + " " + (r ? r->tag : "none");
        res.end();
    });
    EXPECT_EQ(statusOf(roundTrip(loop, *server, kGet)), 200);
    EXPECT_EQ(tags, "custom-req custom-res");
}

}  // namespace
}  // namespace nodecc::test
