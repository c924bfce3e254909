// headersTimeout / requestTimeout through the one periodic check per server, and the
// socket inactivity timeout (server.timeout). NODE-BEHAVIOUR §4. Short timeouts and a
// 50 ms connectionsCheckingInterval keep these fast. Ports:
// test-http-server-headers-timeout-delayed-headers, -interrupted-headers, -keepalive,
// -pipelining; test-http-server-request-timeout-delayed-body, -delayed-headers,
// -interrupted-body, -interrupted-headers, -keepalive, -upgrade;
// test-http-server-request-timeouts-mixed; test-http-server-connections-checking-leak;
// test-http-set-timeout-server; test-http-server-consumed-timeout.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

const char* const k408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";

void sleepMs(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// A request handler that holds the response and ends it with `body` after `ms`.
auto endLater(Ref<ServerResponse>& held, const char* body, double ms) {
    return [&held, body, ms](auto&, ServerResponse& res) {
        held = Ref<ServerResponse>(&res);
        setTimeout([&held, body] { held->end(body); }, ms);
    };
}

// test-http-server-request-timeout-delayed-headers: a connection that sends nothing gets
// 408 once headersTimeout passed (accept time counts as the message start).
TEST(ServerTimeouts, SilentConnectionGets408) {
    Loop loop;
    auto server = http::createServer(fastChecks(300, 600), [](auto&, auto& res) { res.end(); });
    std::string got;
    long long after = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        const long long start = monotonicMs();
        RawClient c(port);
        got = c.readAll(3000);
        if (c.peerClosed()) after = monotonicMs() - start;
    }));
    EXPECT_EQ(got, k408);
    EXPECT_GE(after, 300);
    EXPECT_LE(after, 1000);
}

// test-http-server-headers-timeout-interrupted-headers / -delayed-headers: trickling header
// bytes does not restart the clock.
TEST(ServerTimeouts, TrickledHeadersGet408) {
    Loop loop;
    int requests = 0;
    auto server = http::createServer(fastChecks(300, 2000), [&](auto&, auto& res) {
        ++requests;
        res.end();
    });
    std::string got;
    long long after = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        const long long start = monotonicMs();
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 8 && !c.waitClosed(80); ++i) c.send("X-A: b\r\n");
        got = c.readAll(3000);
        if (c.peerClosed()) after = monotonicMs() - start;
    }));
    EXPECT_EQ(got, k408);
    EXPECT_EQ(requests, 0);
    EXPECT_GE(after, 300);
    EXPECT_LE(after, 1000);
}

// test-http-server-request-timeout-delayed-body / -interrupted-body: headers done, body
// stalled → 408 after requestTimeout (the response has not started).
TEST(ServerTimeouts, StalledBodyGets408AfterRequestTimeout) {
    Loop loop;
    bool aborted = false;
    auto server = http::createServer(fastChecks(200, 500), [&](IncomingMessage& req, auto& res) {
        req.on(http::kData, [](std::string_view) {});
        req.on(http::kAborted, [&] { aborted = true; });
        Ref<ServerResponse> r(&res);
        req.on(http::kEnd, [r] { r->end("done"); });
    });
    std::string got;
    long long after = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        const long long start = monotonicMs();
        RawClient c(port);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        got = c.readAll(3000);
        if (c.peerClosed()) after = monotonicMs() - start;
    }));
    EXPECT_EQ(got, k408);
    EXPECT_TRUE(aborted);
    EXPECT_GE(after, 500);
    EXPECT_LE(after, 1200);
}

// Observed in Node: a complete request whose handler is slow is not timed out (the
// connection is passed over in the active set once its message completed).
TEST(ServerTimeouts, SlowHandlerAfterCompleteRequestGetsNo408) {
    Loop loop;
    Ref<ServerResponse> held;
    auto server = http::createServer(fastChecks(100, 200), endLater(held, "slow", 500));
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        got = c.readResponse(false, 3000);
    }));
    EXPECT_EQ(statusOf(got), 200);
    EXPECT_NE(got.find("slow"), std::string::npos);
}

// test-http-server-headers-timeout-keepalive / request-timeout-keepalive: the clock of the
// second request on a kept-alive connection starts at its first byte.
TEST(ServerTimeouts, SecondRequestOnKeptAliveConnectionIsTimedFromItsStart) {
    Loop loop;
    auto server = http::createServer(fastChecks(300, 600), [](auto&, auto& res) { res.end("x"); });
    std::string first, second;
    long long after = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        sleepMs(200);  // idle before the first request: only headersTimeout counts from accept
        c.send(kGet);
        first = c.readResponse();
        sleepMs(400);  // idle between requests is not timed by headersTimeout
        const long long start = monotonicMs();
        c.send("GET / HTTP/1.1\r\nHost");
        second = c.readAll(3000);
        if (c.peerClosed()) after = monotonicMs() - start;
    }));
    EXPECT_EQ(statusOf(first), 200);
    EXPECT_EQ(second, k408);
    EXPECT_GE(after, 300);
    EXPECT_LE(after, 1000);
}

// test-http-server-headers-timeout-pipelining: a pipelined partial second request after a
// complete one is timed too; the first response still arrives.
TEST(ServerTimeouts, PipelinedPartialRequestGets408) {
    Loop loop;
    auto server = http::createServer(fastChecks(300, 600), [](auto&, auto& res) { res.end("x"); });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost");
        got = normalizeDate(c.readAll(3000));
    }));
    EXPECT_EQ(
        got,
        "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
        "Content-Length: 1\r\n\r\nx" +
            std::string(k408));
}

// A 'clientError' listener receives ERR_HTTP_REQUEST_TIMEOUT and owns the socket.
TEST(ServerTimeouts, ClientErrorListenerGetsTheTimeout) {
    Loop loop;
    auto server = http::createServer(fastChecks(200, 400), [](auto&, auto& res) { res.end(); });
    std::vector<std::string> codes;
    server->on(http::kClientError, [&](const Error& e, net::Socket& s) {
        codes.push_back(e.code());
        s.end("HTTP/1.1 499 Custom\r\n\r\n");
    });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        got = c.readAll(3000);
    }));
    EXPECT_EQ(got, "HTTP/1.1 499 Custom\r\n\r\n");
    EXPECT_EQ(codes, std::vector<std::string>{"ERR_HTTP_REQUEST_TIMEOUT"});
}

// test-http-server-request-timeouts-mixed: only the stalled connections are timed out.
TEST(ServerTimeouts, MixedConnectionsOnlyStalledOnesExpire) {
    Loop loop;
    auto server = http::createServer(fastChecks(300, 600), [](auto&, auto& res) { res.end("x"); });
    std::string stalled, fine;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient a(port);
        RawClient b(port);
        a.send("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 6; ++i) {
            b.send(kGet);
            fine += b.readResponse().empty() ? "-" : "+";
            sleepMs(100);
        }
        stalled = a.readAll(2000);
    }));
    EXPECT_EQ(stalled, k408);
    EXPECT_EQ(fine, "++++++");
}

// A connection whose request completed but whose response is still pending stays in the
// checked set, passed over, until it is idle. When its next (pipelined) request begins
// behind a younger one of another connection, it moves behind that one: both partial
// requests are timed from their own start, whichever path the bookkeeping takes (Node v20,
// the same exchange: b's 408 at ~640 ms, a's at ~1060 ms). PipelinedPartialRequestGets408
// is the other path: the connection is still the youngest when its next request begins.
TEST(ServerTimeouts, PipelinedRequestBehindAnswerInProgressIsTimedInOrder) {
    Loop loop;
    Ref<ServerResponse> held;
    auto server = http::createServer(fastChecks(600, 1200), endLater(held, "late", 2500));
    std::string first, second;
    long long firstAfter = -1, secondAfter = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient a(port);
        RawClient b(port);
        a.send(kGet);  // answered late: `a` keeps its state
        sleepMs(50);
        const long long start = monotonicMs();
        b.send("GET / HTTP/1.1\r\nHost");  // younger than a's first request
        sleepMs(450);
        a.send("GET / HTTP/1.1\r\nHost");  // begins behind b's
        first = b.readAll(3000);
        if (b.peerClosed()) firstAfter = monotonicMs() - start;
        second = a.readAll(3000);
        if (a.peerClosed()) secondAfter = monotonicMs() - start;
    }));
    EXPECT_EQ(first, k408);
    EXPECT_EQ(second, k408);
    // Were `a` left ahead of `b` with its new start, b's 408 would wait for a's (≥ 1050).
    EXPECT_GE(firstAfter, 550);
    EXPECT_LE(firstAfter, 1000);
    EXPECT_GE(secondAfter, 1000);
    EXPECT_LE(secondAfter, 1800);
}

// Timeouts of 0 disable the check.
TEST(ServerTimeouts, ZeroDisablesTheCheck) {
    Loop loop;
    auto server = http::createServer(fastChecks(0, 0), [](auto&, auto& res) { res.end("x"); });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\n");
        got = c.readFor(400);
        EXPECT_FALSE(c.peerClosed());
        c.send("Host: x\r\n\r\n");
        got += c.readResponse();
    }));
    EXPECT_EQ(statusOf(got), 200);
}

TEST(ServerTimeouts, HeadersTimeoutAboveRequestTimeoutThrows) {
    Loop loop;
    http::ServerOptions o;
    o.requestTimeout = 1000;
    o.headersTimeout = 2000;
    try {
        http::createServer(o);
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "ERR_OUT_OF_RANGE");
    }
}

// test-http-server-request-timeout-upgrade: an upgraded socket is no longer timed.
TEST(ServerTimeouts, UpgradedSocketIsNotTimedOut) {
    Loop loop;
    auto server = http::createServer(fastChecks(200, 300), [](auto&, auto& res) { res.end(); });
    server->on(http::kUpgrade, [](IncomingMessage&, net::Socket& s, std::string_view) {
        s.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n");
        s.on(net::Socket::kData, [&s](std::string_view d) { s.write(d); });
    });
    std::string head, echo;
    bool closed = true;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n");
        head = c.readResponse();
        sleepMs(600);
        c.send("ping");
        echo = c.readExactly(4);
        closed = c.peerClosed();
    }));
    EXPECT_EQ(statusOf(head), 101);
    EXPECT_EQ(echo, "ping");
    EXPECT_FALSE(closed);
}

// test-http-set-timeout-server: server.timeout with a 'timeout' listener: it is told, nothing
// is closed.
TEST(ServerTimeouts, ServerTimeoutListenerIsTold) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    int timeouts = 0;
    server->setTimeout(150, [&](net::Socket& s) {
        ++timeouts;
        s.destroy();
    });
    std::string got;
    long long after = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        const long long start = monotonicMs();
        got = c.readAll(2000);
        if (c.peerClosed()) after = monotonicMs() - start;
    }));
    EXPECT_EQ(timeouts, 1);
    EXPECT_EQ(got, "");
    EXPECT_GE(after, 140);
    EXPECT_LE(after, 800);
}

// The read restarts a consumed socket's timeout after the parser ran (Node: onParserExecute
// → socket._unrefTimer()), so a handler that blocks the loop is not timed from the read: the
// timeout fires server.timeout after the handler returned.
TEST(ServerTimeouts, ServerTimeoutCountsFromTheEndOfTheHandler) {
    Loop loop;
    long long handlerDone = -1;
    auto server = http::createServer([&](auto&, auto&) {
        sleepMs(300);  // never answers
        handlerDone = monotonicMs();
    });
    long long firedAfter = -1;
    server->setTimeout(200, [&](net::Socket& s) {
        firedAfter = monotonicMs() - handlerDone;
        s.destroy();
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        c.readAll(3000);
    }));
    EXPECT_GE(firedAfter, 190);
    EXPECT_LE(firedAfter, 1000);
}

// Without a listener on req, res or the server the socket is destroyed without bytes. The
// socket's own 'timeout' listeners still hear it, after the server destroyed the socket (as
// in Node, where the server's socketOnTimeout is only the first of them).
TEST(ServerTimeouts, ServerTimeoutWithoutListenerDestroys) {
    Loop loop;
    auto server = http::createServer([](auto&, auto&) {});  // never answers
    server->timeout = 150;
    int socketTimeouts = 0;
    bool destroyedWhenTold = false;
    server->on(net::Server::kConnection, [&](net::Socket& s) {
        s.on(net::Socket::kTimeout, [&] {
            ++socketTimeouts;
            destroyedWhenTold = s.destroyed();
        });
    });
    std::string got;
    bool closed = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        got = c.readAll(2000);
        closed = c.peerClosed();
    }));
    EXPECT_EQ(got, "");
    EXPECT_TRUE(closed);
    EXPECT_EQ(socketTimeouts, 1);
    EXPECT_TRUE(destroyedWhenTold);
}

// res.setTimeout / a response 'timeout' listener keeps the socket: the handler answers.
TEST(ServerTimeouts, ResponseTimeoutListenerAnswers) {
    Loop loop;
    auto server = http::createServer([](auto&, ServerResponse& res) {
        Ref<ServerResponse> r(&res);
        res.setTimeout(100);
        res.on(http::kTimeout, [r](net::Socket&) { r->end("timed out"); });
    });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        got = c.readResponse(false, 2000);
    }));
    EXPECT_EQ(statusOf(got), 200);
    EXPECT_NE(got.find("timed out"), std::string::npos);
}

// test-http-server-connections-checking-leak: a server that never listened or was closed
// leaves no checking interval behind (the loop ends).
TEST(ServerTimeouts, CloseStopsTheCheckingInterval) {
    Loop loop;
    auto server = http::createServer(fastChecks(100, 200), [](auto&, auto& res) { res.end(); });
    server->listen(0, "127.0.0.1", [&] { server->close(); });
    const long long start = monotonicMs();
    loop.run();
    EXPECT_LT(monotonicMs() - start, 1000);
    EXPECT_FALSE(server->listening());
}

}  // namespace
}  // namespace nodecc::test
