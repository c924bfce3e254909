// Keep-alive: how connections stay open and how they end (NODE-BEHAVIOUR §3.4), byte-exact
// against Node v20. Ports: test-http-keep-alive, test-http-keep-alive-close-on-header,
// test-http-server-keep-alive-timeout, test-http-keep-alive-timeout-custom,
// test-http-server-keepalive-end, test-http-keep-alive-max-requests,
// test-http-server-keep-alive-max-requests-null, test-http-keep-alive-drop-requests,
// test-http-1.0-keep-alive, test-http-1.0.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

const char* const kOk =
    "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
    "Content-Length: 1\r\n\r\nx";

// test-http-keep-alive: several requests on one connection, one socket on the server.
TEST(ServerKeepAlive, ManyRequestsOneConnection) {
    Loop loop;
    int connections = 0;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    server->on(net::Server::kConnection, [&](net::Socket&) { ++connections; });
    std::vector<std::string> got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (int i = 0; i < 5; ++i) {
            c.send(kGet);
            got.push_back(normalizeDate(c.readResponse()));
        }
        EXPECT_FALSE(c.waitClosed(100));
    }));
    EXPECT_EQ(connections, 1);
    ASSERT_EQ(got.size(), 5u);
    for (const auto& r : got) EXPECT_EQ(r, kOk);
}

// test-http-keep-alive-close-on-header: the handler's Connection: close ends the socket.
TEST(ServerKeepAlive, HandlerConnectionCloseEndsTheSocket) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) {
        res.setHeader("Connection", "close");
        res.end("x");
    });
    EXPECT_EQ(untilClose(loop, *server, kGet),
              "HTTP/1.1 200 OK\r\nConnection: close\r\nDate: <DATE>\r\nContent-Length: 1\r\n\r\nx");
}

TEST(ServerKeepAlive, ClientConnectionCloseEndsTheSocket) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    EXPECT_EQ(untilClose(loop, *server, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
}

// test-http-1.0: no keep-alive → closed after the close-delimited body.
TEST(ServerKeepAlive, Http10ClosesAfterTheResponse) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("hello"); });
    EXPECT_EQ(untilClose(loop, *server, "GET / HTTP/1.0\r\n\r\n"),
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello");
}

// The response that closes the connection leaves with the FIN; bytes the handler writes to
// the socket after res.end() still reach the client before it (as in Node).
TEST(ServerKeepAlive, SocketWriteAfterTheLastResponseArrivesBeforeTheClose) {
    Loop loop;
    auto server = http::createServer([](auto& req, auto& res) {
        res.end("hello");
        req.socket()->write(std::string_view("+extra"));
    });
    EXPECT_EQ(untilClose(loop, *server, "GET / HTTP/1.0\r\n\r\n"),
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello+extra");
}

// A large response that closes the connection arrives whole.
TEST(ServerKeepAlive, ALargeLastResponseArrivesWholeBeforeTheClose) {
    Loop loop;
    const std::string body(3u << 20, 'b');
    auto server = http::createServer([&](auto&, auto& res) {
        res.setHeader("Connection", "close");
        res.end(body);
    });
    const std::string got = untilClose(loop, *server, kGet, 10000);
    EXPECT_EQ(got, "HTTP/1.1 200 OK\r\nConnection: close\r\nDate: <DATE>\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
}

// test-http-1.0-keep-alive: 1.0 + keep-alive + explicit length → the socket is reused.
TEST(ServerKeepAlive, Http10KeepAliveReusesTheSocket) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) {
        res.setHeader("Content-Length", 1);
        res.end("x");
    });
    std::vector<std::string> got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (int i = 0; i < 2; ++i) {
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            got.push_back(normalizeDate(c.readResponse()));
        }
        c.send("GET / HTTP/1.0\r\n\r\n");
        got.push_back(normalizeDate(c.readAll()));
        EXPECT_TRUE(c.peerClosed());
    }));
    ASSERT_EQ(got.size(), 3u);
    const std::string ka =
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nDate: <DATE>\r\nConnection: keep-alive\r\n"
        "Keep-Alive: timeout=5\r\n\r\nx";
    EXPECT_EQ(got[0], ka);
    EXPECT_EQ(got[1], ka);
    EXPECT_EQ(got[2],
              "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nDate: <DATE>\r\nConnection: close\r\n\r\nx");
}

// test-http-server-keep-alive-timeout: keepAliveTimeout 100 ms advertises timeout=0 and the
// socket is destroyed keepAliveTimeout + 1000 ms after the response (Node's LB buffer).
TEST(ServerKeepAlive, IdleSocketClosedAfterKeepAliveTimeoutPlusOneSecond) {
    Loop loop;
    http::ServerOptions options;
    options.keepAliveTimeout = 100;
    auto server = http::createServer(options, [](auto&, auto& res) { res.end("x"); });
    std::string got;
    long long closedAfter = -1;
    std::string extra;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        got = normalizeDate(c.readResponse());
        const long long start = monotonicMs();
        extra = c.readAll(3000);
        if (c.peerClosed()) closedAfter = monotonicMs() - start;
    }));
    EXPECT_EQ(
        got,
        "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=0\r\n"
        "Content-Length: 1\r\n\r\nx");
    EXPECT_EQ(extra, "");  // destroyed without bytes
    EXPECT_GE(closedAfter, 1050);
    EXPECT_LE(closedAfter, 1600);
}

// keepAliveTimeout 100 ms (an idle socket is closed after 1.1 s); /slow is answered "late"
// after `lateMs`, longer than that, everything else at once.
Ref<http::Server> keepAlive100WithSlowPath(std::vector<Ref<ServerResponse>>& held, double lateMs) {
    http::ServerOptions options;
    options.keepAliveTimeout = 100;
    return http::createServer(options, [&held, lateMs](IncomingMessage& req, ServerResponse& res) {
        if (req.url() == "/slow") {
            held.emplace_back(&res);
            setTimeout([&held] { held.back()->end("late"); }, lateMs);
        } else {
            res.end("x");
        }
    });
}

// The keep-alive timer is an inactivity timer reset by the next request (Node: the next
// request's headers restore socket.setTimeout(server.timeout)).
TEST(ServerKeepAlive, NextRequestCancelsTheKeepAliveTimer) {
    Loop loop;
    std::vector<Ref<ServerResponse>> held;
    auto server = keepAlive100WithSlowPath(held, 1300);
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        first = c.readResponse();
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        second = c.readResponse(false, 3000);
    }));
    EXPECT_EQ(statusOf(first), 200);
    EXPECT_EQ(statusOf(second), 200);
    EXPECT_NE(second.find("late"), std::string::npos);
}

// Node: an idle keep-alive socket's socket.timeout is keepAliveTimeout + 1000 (resOnFinish
// sets it before the user's 'finish' listeners); the next request's head restores
// server.timeout (0).
TEST(ServerKeepAlive, IdleSocketTimeoutIsKeepAliveTimeoutPlusOneSecond) {
    Loop loop;
    http::ServerOptions options;
    options.keepAliveTimeout = 100;
    std::vector<std::uint32_t> inRequest, afterFinish;
    auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
        Ref<net::Socket> socket(req.socket());
        inRequest.push_back(socket->timeout());
        res.on(http::kFinish, [&afterFinish, socket] { afterFinish.push_back(socket->timeout()); });
        res.end("x");
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (int i = 0; i < 2; ++i) {
            c.send(kGet);
            EXPECT_EQ(statusOf(c.readResponse()), 200);
        }
    }));
    EXPECT_EQ(inRequest, (std::vector<std::uint32_t>{0, 0}));
    EXPECT_EQ(afterFinish, (std::vector<std::uint32_t>{1100, 1100}));
}

// Node: socketOnTimeout — a server 'timeout' listener handles the keep-alive timeout of an
// idle socket: it is told (socket.timeout 1100) and nothing is destroyed for it.
TEST(ServerKeepAlive, ServerTimeoutListenerKeepsTheIdleSocket) {
    Loop loop;
    http::ServerOptions options;
    options.keepAliveTimeout = 100;
    auto server = http::createServer(options, [](auto&, auto& res) { res.end("x"); });
    int timeouts = 0;
    bool destroyedWhenTold = true;
    std::uint32_t timeoutWhenTold = 0;
    server->on(http::kTimeout, [&](net::Socket& s) {
        ++timeouts;
        destroyedWhenTold = s.destroyed();
        timeoutWhenTold = s.timeout();
        setTimeout([keep = Ref<net::Socket>(&s)] { keep->destroy(); }, 300);
    });
    long long closedAfter = -1;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        EXPECT_EQ(statusOf(c.readResponse()), 200);
        const long long start = monotonicMs();
        EXPECT_EQ(c.readAll(4000), "");
        if (c.peerClosed()) closedAfter = monotonicMs() - start;
    }));
    EXPECT_EQ(timeouts, 1);
    EXPECT_FALSE(destroyedWhenTold);
    EXPECT_EQ(timeoutWhenTold, 1100u);
    EXPECT_GE(closedAfter, 1350);  // the listener's destroy, not the keep-alive timeout
}

// Idle connections share the keep-alive timer list: each is closed keepAliveTimeout + 1 s
// after its own response, and a connection whose request is being answered meanwhile is not.
TEST(ServerKeepAlive, EachIdleConnectionIsTimedFromItsOwnResponse) {
    Loop loop;
    std::vector<Ref<ServerResponse>> held;
    auto server = keepAlive100WithSlowPath(held, 1600);
    long long firstClosed = -1, secondClosed = -1;
    std::string slow;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient first(port), second(port), busy(port);
        first.send(kGet);
        EXPECT_EQ(statusOf(first.readResponse()), 200);
        const long long firstAnswered = monotonicMs();
        busy.send(kGet);  // idle for a moment, then busy for longer than the timeout
        EXPECT_EQ(statusOf(busy.readResponse()), 200);
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        second.send(kGet);
        EXPECT_EQ(statusOf(second.readResponse()), 200);
        const long long secondAnswered = monotonicMs();
        if (first.waitClosed(3000)) firstClosed = monotonicMs() - firstAnswered;
        if (second.waitClosed(3000)) secondClosed = monotonicMs() - secondAnswered;
        slow = busy.readResponse(false, 3000);
    }));
    EXPECT_GE(firstClosed, 1050);
    EXPECT_LE(firstClosed, 1600);
    EXPECT_GE(secondClosed, 1050);
    EXPECT_LE(secondClosed, 1600);
    EXPECT_EQ(statusOf(slow), 200);
    EXPECT_NE(slow.find("late"), std::string::npos);
}

// keepAliveTimeout 0: no Keep-Alive header and no idle timer.
TEST(ServerKeepAlive, ZeroKeepAliveTimeoutSendsNoKeepAliveHeader) {
    Loop loop;
    http::ServerOptions options;
    options.keepAliveTimeout = 0;
    auto server = http::createServer(options, [](auto&, auto& res) { res.end("x"); });
    EXPECT_EQ(roundTrip(loop, *server, kGet),
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nContent-Length: 1\r\n"
              "\r\nx");
}

// test-http-keep-alive-timeout-custom: a user Keep-Alive header replaces Node's.
TEST(ServerKeepAlive, UserKeepAliveHeaderIsKept) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) {
        res.setHeader("Keep-Alive", "timeout=100");
        res.end("x");
    });
    EXPECT_EQ(roundTrip(loop, *server, kGet),
              "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=100\r\nDate: <DATE>\r\nConnection: keep-alive"
              "\r\nContent-Length: 1\r\n\r\nx");
}

// test-http-keep-alive-max-requests / test-http-keep-alive-drop-requests: requests 1..N-1
// advertise max=N, the Nth gets Connection: close but the socket stays open, the N+1th gets
// 'dropRequest' and 503.
TEST(ServerKeepAlive, MaxRequestsPerSocket) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, auto& res) { res.end(req.url()); });
    server->maxRequestsPerSocket = 2;
    std::vector<std::string> dropped;
    int requests = 0;
    server->on(http::kRequest, [&](auto&, auto&) { ++requests; });
    server->on(http::kDropRequest,
               [&](IncomingMessage& req, net::Socket&) { dropped.emplace_back(req.url()); });
    std::string got;
    bool closed = true;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
        for (int i = 0; i < 3; ++i) got += c.readResponse();
        closed = c.waitClosed(200);
    }));
    EXPECT_EQ(normalizeDate(got),
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5, max=2\r\nContent-Length: 2\r\n\r\n/1"
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\nContent-Length: 2\r\n\r\n/2"
              "HTTP/1.1 503 Service Unavailable\r\nDate: <DATE>\r\nConnection: close\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_FALSE(closed) << "Node leaves the socket open after the 503";
    EXPECT_EQ(dropped, std::vector<std::string>{"/3"});
    EXPECT_EQ(requests, 2);
}

// test-http-server-keep-alive-max-requests-null: 0 means unlimited.
TEST(ServerKeepAlive, MaxRequestsZeroIsUnlimited) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    server->maxRequestsPerSocket = 0;
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (int i = 0; i < 4; ++i) {
            c.send(kGet);
            got = normalizeDate(c.readResponse());
            EXPECT_EQ(got, kOk);
        }
    }));
}

// test-http-server-keepalive-end: a client FIN after a complete request; Node's server
// (httpAllowHalfOpen false) ends its side at once. A synchronous response still arrives.
TEST(ServerKeepAlive, ClientFinAfterRequestWithSyncResponse) {
    Loop loop;
    auto server = http::createServer([](auto&, auto& res) { res.end("x"); });
    EXPECT_EQ(untilClose(loop, *server, kGet, 3000, true), kOk);
}

// Node quirk (NODE-BEHAVIOUR §9): an asynchronous handler's response after the client's
// FIN is lost (the socket was ended first); ending it later is a safe no-op.
TEST(ServerKeepAlive, ClientFinBeforeAsyncResponse) {
    Loop loop;
    Ref<ServerResponse> held;
    bool finished = false;
    auto server = http::createServer([&](auto&, auto& res) { held = Ref<ServerResponse>(&res); });
    std::string got;
    bool closed = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        c.shutdownWrite();
        got = c.readAll();
        closed = c.peerClosed();
        onLoop(loop, [&] {
            held->on(http::kFinish, [&] { finished = true; });
            held->end("late");
        });
    }));
    EXPECT_EQ(got, "");
    EXPECT_TRUE(closed);
    EXPECT_FALSE(finished);
}

// httpAllowHalfOpen: the response after the FIN is delivered, then the socket ends.
TEST(ServerKeepAlive, HttpAllowHalfOpenDeliversTheLastResponse) {
    Loop loop;
    Ref<ServerResponse> held;
    auto server = http::createServer([&](auto&, auto& res) {
        held = Ref<ServerResponse>(&res);
        setTimeout([&held] { held->end("late"); }, 50);
    });
    server->httpAllowHalfOpen = true;
    EXPECT_EQ(
        untilClose(loop, *server, kGet, 3000, true),
        "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
        "Content-Length: 4\r\n\r\nlate");
}

}  // namespace
}  // namespace nodecc::test
