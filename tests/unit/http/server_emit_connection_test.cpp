// An http::Server that never listened serves a socket handed to it with
// server.emit('connection', socket) (Node supports exactly that: any Duplex).
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "net_test_support.hpp"
#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

struct Pair {
    Ref<net::Socket> server;  // handed to the http server
    Ref<net::Socket> client;
};

Pair socketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    net::SocketOptions a;
    a.fd = fds[0];
    net::SocketOptions b;
    b.fd = fds[1];
    return {net::Socket::create(a), net::Socket::create(b)};
}

TEST(HttpServerEmitConnection, RequestOverASocketpairIsServedWithoutListening) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, ServerResponse& res) {
        res.setHeader("Content-Type", "text/plain");
        res.end("hi " + std::string(req.url()));
    });
    Pair pair = socketPair();
    server->emit(net::Server::kConnection, *pair.server);
    EXPECT_EQ(server->trackedConnections(), 1u);
    std::string got;
    std::optional<bool> clientClosed;
    pair.client->on(net::Socket::kData, [&](std::string_view d) {
        got += d;
        if (got.find("hi /a") != std::string::npos) server->closeAllConnections();
    });
    pair.client->on(net::Socket::kClose, [&](bool e) { clientClosed = e; });
    pair.client->write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(normalizeDate(got),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <DATE>\r\n"
              "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nhi /a");
    EXPECT_EQ(clientClosed, false);
    EXPECT_EQ(pair.server->readyState(), "closed");
    EXPECT_EQ(server->trackedConnections(), 0u);
}

TEST(HttpServerEmitConnection, PipelinedRequestsThenPeerEndCloseTheConnection) {
    Loop loop;
    int served = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        ++served;
        res.end(std::string(req.url()));
    });
    Pair pair = socketPair();
    server->emit(net::Server::kConnection, *pair.server);
    std::string got;
    bool serverSideClosed = false;
    pair.server->on(net::Socket::kClose, [&](bool) { serverSideClosed = true; });
    pair.client->on(net::Socket::kData, [&](std::string_view d) { got += d; });
    pair.client->end(
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: "
        "close\r\n\r\n");
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(served, 2);
    EXPECT_NE(got.find("\r\n\r\n/1HTTP/1.1 200 OK\r\n"), std::string::npos) << got;
    EXPECT_TRUE(got.ends_with("Connection: close\r\nContent-Length: 2\r\n\r\n/2")) << got;
    EXPECT_TRUE(serverSideClosed);
}

// The connection count of net::Server belongs to accepted sockets (Node: _connections is
// counted in onconnection): close() of a server that never listened reports
// ERR_SERVER_NOT_RUNNING and does not wait for the emitted connection, which
// closeAllConnections() still reaches (Node: kConnections exists from the constructor).
TEST(HttpServerEmitConnection, CloseOfANeverListeningServerAndCloseAllConnections) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage&, ServerResponse&) {});  // never answers
    Pair pair = socketPair();
    server->emit(net::Server::kConnection, *pair.server);
    std::optional<std::string> closeError;
    std::optional<bool> clientClosed;
    bool requested = false;
    server->on(http::kRequest, [&](IncomingMessage&, ServerResponse&) {
        requested = true;
        server->close([&](const Error* e) {
            closeError = e != nullptr ? e->code() : "";
            server->closeAllConnections();
        });
    });
    pair.client->on(net::Socket::kClose, [&](bool e) { clientClosed = e; });
    pair.client->on(net::Socket::kData, [](std::string_view) {});
    pair.client->write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(runLoop(loop));
    EXPECT_TRUE(requested);
    EXPECT_EQ(closeError, "ERR_SERVER_NOT_RUNNING");
    EXPECT_EQ(clientClosed, false);
    EXPECT_EQ(pair.server->readyState(), "closed");
}

}  // namespace
}  // namespace nodecc::test

namespace nodecc::test {
namespace {

// Found by fuzz_server (tests/fuzz/regressions/fuzz_server/
// queued-response-finish-steals-owner.open). The socket is destroyed while a pipelined
// response waits behind the one in flight; the waiting response then sends a head with
// Content-Length and ends without a body chunk. Its output is dropped (the socket is
// destroyed), so end() finishes it on the next tick, and resOnFinish runs for a response
// that does not own the connection: outgoing_.shift() hands the connection to that same
// response and the real owner is dropped without a release. The owner never emits
// 'close' (nor 'finish') and leaks with its request (LeakSanitizer).
// Node: a response waiting for the socket buffers its output (conn is null in
// _writeRaw) and finishes only once it is assigned the socket; on close it gets 'close'.
TEST(HttpServerEmitConnection, QueuedResponseEndedAfterSocketDestroyDoesNotStealTheOwnersClose) {
    Loop loop;
    Ref<http::Server> server = http::createServer();
    std::vector<std::string> events;
    int index = 0;
    server->on(http::kRequest, [&](IncomingMessage&, ServerResponse& res) {
        const int i = index++;
        Ref<ServerResponse> rs(&res);
        res.on(http::kResponseClose,
               [&events, i] { events.push_back("close " + std::to_string(i)); });
        if (i == 0) {
            setImmediate([rs] { rs->end("first"); });  // in flight, answered later
            return;
        }
        server->closeAllConnections();  // (or req.socket().destroy(), or a client reset)
        res.writeHead(200, {{"Content-Length", "1"}});
        res.write("a");
        res.end();
    });
    Pair pair = socketPair();
    server->emit(net::Server::kConnection, *pair.server);
    pair.client->on(net::Socket::kData, [](std::string_view) {});
    pair.client->write("GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(runLoop(loop));
    std::sort(events.begin(), events.end());
    EXPECT_EQ(events, (std::vector<std::string>{"close 0", "close 1"}));
    EXPECT_EQ(pair.server->readyState(), "closed");
}

}  // namespace
}  // namespace nodecc::test
