// An http::Server that never listened serves a socket handed to it with
// server.emit('connection', socket) (Node supports exactly that: any Duplex).
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

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
