// net::Server: listen forms, 'listening'/'error' timing, close, maxConnections,
// pauseOnConnect, IPv6, unix sockets.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

TEST(NetServer, ListenOnPortZeroReportsTheKernelsPort) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    std::optional<net::SocketAddress> addr;
    server->listen(0, "127.0.0.1", [&] {
        addr = server->address();
        server->close();
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(addr.has_value());
    EXPECT_EQ(addr->address, "127.0.0.1");
    EXPECT_EQ(addr->family, "IPv4");
    EXPECT_GT(addr->port, 0);
    EXPECT_FALSE(server->listening());
    EXPECT_FALSE(server->address().has_value());
}

// seed 2-3-6: 'listening' through nextTick, inside a scope triggered by the server.
TEST(NetServer, ListeningIsEmittedOnANextTickAfterListenReturns) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    std::vector<std::string> order;
    bool returned = false;
    AsyncId trigger = 0;
    server->listen(0, "127.0.0.1", [&] {
        EXPECT_TRUE(returned);
        trigger = triggerAsyncId();
        order.push_back("listening");
        server->close();
    });
    returned = true;
    order.push_back("sync");
    process::nextTick([&] { order.push_back("tick"); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(order, (std::vector<std::string>{"sync", "listening", "tick"}));
    EXPECT_GT(server->asyncId(), 0);
    EXPECT_EQ(trigger, server->asyncId());
}

// Node: test-net-listen-error / EADDRINUSE as an asynchronous 'error'.
TEST(NetServer, AddressInUseIsAnAsynchronousErrorWithNodesMessage) {
    Loop loop;
    auto first = net::createServer();
    auto second = net::createServer();
    bool returned = false;
    std::optional<Error> error;
    second->on(net::Server::kError, [&](const Error& e) {
        EXPECT_TRUE(returned);
        error = e;
        first->close();
    });
    second->on(net::Server::kListening, [&] { ADD_FAILURE() << "second server listened"; });
    first->listen(0, "127.0.0.1", [&] {
        second->listen(portOf(*first), "127.0.0.1");
        returned = true;
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    const int port = error->port();
    EXPECT_EQ(error->code(), "EADDRINUSE");
    EXPECT_EQ(error->syscall(), "listen");
    EXPECT_EQ(error->address(), "127.0.0.1");
    EXPECT_EQ(std::string(error->what()),
              "listen EADDRINUSE: address already in use 127.0.0.1:" + std::to_string(port));
    EXPECT_FALSE(second->listening());
}

// A bind failure other than EADDRINUSE (which the kernel reports at bind, not listen)
// is asynchronous too. (EACCES needs an unprivileged user; this suite may run as root.)
TEST(NetServer, UnavailableAddressIsAnAsynchronousError) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    bool returned = false;
    std::optional<Error> error;
    server->on(net::Server::kError, [&](const Error& e) {
        EXPECT_TRUE(returned);
        error = e;
    });
    server->listen(4242, "192.0.2.1");  // TEST-NET-1: not an address of this machine
    returned = true;
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "EADDRNOTAVAIL");
    EXPECT_EQ(error->syscall(), "listen");
    EXPECT_STREQ(error->what(), "listen EADDRNOTAVAIL: address not available 192.0.2.1:4242");
    EXPECT_FALSE(server->listening());
}

// Node: test-net-server-call-listen-multiple-times.
TEST(NetServer, ListenTwiceThrowsButListenAfterCloseOrErrorWorks) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    auto blocker = net::createServer();
    int listenings = 0;
    int errors = 0;
    server->on(net::Server::kError, [&](const Error& e) {
        EXPECT_EQ(e.code(), "EADDRINUSE");
        ++errors;
        blocker->close();
        server->listen(0, "127.0.0.1");  // again, after an error
    });
    server->on(net::Server::kListening, [&] {
        ++listenings;
        if (listenings == 1) {
            try {
                server->listen(0);
                ADD_FAILURE() << "no throw";
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), "ERR_SERVER_ALREADY_LISTEN");
                EXPECT_STREQ(e.what(),
                             "Listen method has been called more than once without closing.");
            }
            server->close();
            server->listen(0, "127.0.0.1");  // again, after close
        } else if (listenings == 2) {
            server->close();
            blocker->listen(0, "127.0.0.1", [&] { server->listen(portOf(*blocker), "127.0.0.1"); });
        } else {
            server->close();
        }
    });
    server->listen(0, "127.0.0.1");
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(listenings, 3);
    EXPECT_EQ(errors, 1);
}

TEST(NetServer, BadPortThrowsSynchronously) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    for (int port : {-1, 65536, 70000}) {
        try {
            server->listen(port);
            ADD_FAILURE() << "no throw for " << port;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), "ERR_SOCKET_BAD_PORT");
            EXPECT_EQ(std::string(e.what()),
                      "options.port should be >= 0 and < 65536. Received type number (" +
                          std::to_string(port) + ").");
        }
    }
    EXPECT_FALSE(server->listening());
    ASSERT_TRUE(runLoop(loop));
}

TEST(NetServer, CloseWhenNotListeningReportsServerNotRunning) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    std::optional<Error> error;
    bool closeEvent = false;
    server->on(net::Server::kClose, [&] { closeEvent = true; });
    server->close([&](const Error* e) {
        ASSERT_NE(e, nullptr);
        error = *e;
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "ERR_SERVER_NOT_RUNNING");
    EXPECT_STREQ(error->what(), "Server is not running.");
    EXPECT_TRUE(closeEvent);
}

// Node: test-net-server-close — 'close' only after every connection has ended.
TEST(NetServer, CloseWaitsForOpenConnections) {
    Loop loop;
    std::vector<Ref<net::Socket>> serverSockets;
    std::vector<std::string> events;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        serverSockets.emplace_back(&s);
        s.on(net::Socket::kClose, [&](bool) { events.push_back("socket close"); });
    });
    int port = 0;
    std::vector<Ref<net::Socket>> clients;
    bool closeCbOk = false;
    bool allDestroyedAtClose = true;
    server->on(net::Server::kConnection, [&](net::Socket&) {
        if (serverSockets.size() < 2) return;
        server->close([&](const Error* e) {
            closeCbOk = e == nullptr;
            events.push_back("server close");
            for (auto& ss : serverSockets)
                allDestroyedAtClose = allDestroyedAtClose && ss->destroyed();
        });
        events.push_back("close called");
        EXPECT_FALSE(server->listening());
        EXPECT_EQ(server->connections(), 2u);
        // A connection attempt now is refused.
        auto late = net::connect(port, "127.0.0.1");
        late->on(net::Socket::kError, [&](const Error& e) {
            EXPECT_EQ(e.code(), "ECONNREFUSED");
            events.push_back("late refused");
            for (auto& c : clients) c->end();
        });
    });
    server->listen(0, "127.0.0.1", [&] {
        port = portOf(*server);
        for (int i = 0; i < 2; ++i) clients.push_back(net::connect(port, "127.0.0.1"));
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_TRUE(closeCbOk);
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[0], "close called");
    EXPECT_EQ(events[1], "late refused");
    // Node: the server's 'close' comes a tick after the last socket's destroy, which may
    // precede that socket's own 'close' (its handle's close callback).
    EXPECT_EQ(std::count(events.begin(), events.end(), "socket close"), 2);
    EXPECT_EQ(std::count(events.begin(), events.end(), "server close"), 1);
    EXPECT_TRUE(allDestroyedAtClose);
}

// Node: test-net-server-max-connections, test-net-server-drop-connections.
TEST(NetServer, MaxConnectionsDropsWithAddressInfo) {
    Loop loop;
    std::vector<Ref<net::Socket>> accepted;
    std::vector<Ref<net::Socket>> clients;
    std::optional<net::DropInfo> drop;
    bool droppedClientClosed = false;
    std::string droppedClientData;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) { accepted.emplace_back(&s); });
    server->setMaxConnections(2);
    auto connectNext = [&](auto&& self) -> void {
        auto c = net::connect(portOf(*server), "127.0.0.1");
        clients.push_back(c);
        c->on(net::Socket::kConnect, [&, self] {
            if (clients.size() < 3) self(self);
        });
    };
    server->on(net::Server::kConnection, [&](net::Socket&) {
        if (accepted.size() == 2 && clients.size() == 2) connectNext(connectNext);
        if (accepted.size() == 3) {
            // After one of the first two closed, a new connection is accepted again.
            EXPECT_TRUE(drop.has_value());
            server->close();
            for (auto& c : clients) c->destroy();
            for (auto& s : accepted) s->destroy();
        }
    });
    int droppedClientPort = 0;
    server->on(net::Server::kDrop, [&](const net::DropInfo& info) {
        drop = info;
        droppedClientPort = clients[2]->localPort();
        EXPECT_EQ(server->connections(), 2u);
        clients[2]->on(net::Socket::kData, [&](std::string_view d) { droppedClientData += d; });
        clients[2]->on(net::Socket::kClose, [&](bool) {
            droppedClientClosed = true;
            accepted[0]->destroy();
            clients.push_back(net::connect(portOf(*server), "127.0.0.1"));
        });
    });
    server->listen(0, "127.0.0.1", [&] { connectNext(connectNext); });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(drop.has_value());
    EXPECT_EQ(drop->localAddress, "127.0.0.1");
    EXPECT_EQ(drop->localFamily, "IPv4");
    EXPECT_EQ(drop->remoteAddress, "127.0.0.1");
    EXPECT_EQ(drop->remoteFamily, "IPv4");
    EXPECT_GT(drop->localPort, 0);
    EXPECT_GT(droppedClientPort, 0);
    EXPECT_EQ(drop->remotePort, droppedClientPort);
    EXPECT_TRUE(droppedClientClosed);
    EXPECT_TRUE(droppedClientData.empty());
    EXPECT_EQ(accepted.size(), 3u);
}

// Node: test-net-server-pause-on-connect.
TEST(NetServer, PauseOnConnectReadsNothingUntilResume) {
    Loop loop;
    std::string received;
    bool resumed = false;
    net::ServerOptions options;
    options.pauseOnConnect = true;
    Ref<net::Server> server = net::createServer(options, [&](net::Socket& s) {
        EXPECT_TRUE(s.isPaused());
        s.on(net::Socket::kData, [&](std::string_view d) {
            EXPECT_TRUE(resumed);
            received += d;
        });
        s.on(net::Socket::kEnd, [&] { server->close(); });
        Ref<net::Socket> keep(&s);
        timers::setTimeout(
            [keep, &resumed] {
                EXPECT_EQ(keep->bytesRead(), 0u);
                resumed = true;
                keep->resume();
            },
            50);
    });
    Ref<net::Socket> client;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] { client->end("hello"); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "hello");
}

// Node: test-net-listen-ipv6only.
TEST(NetServer, Ipv6OnlyRefusesIpv4) {
    if (!ipv6LoopbackAvailable()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    Ref<net::Server> server =
        net::createServer([](net::Socket&) { ADD_FAILURE() << "accepted over IPv4"; });
    std::optional<Error> error;
    net::ListenOptions options;
    options.host = "::";
    options.ipv6Only = true;
    server->listen(options, [&] {
        EXPECT_EQ(server->address()->family, "IPv6");
        auto c = net::connect(portOf(*server), "127.0.0.1");
        c->on(net::Socket::kError, [&](const Error& e) {
            error = e;
            server->close();
        });
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "ECONNREFUSED");
}

TEST(NetServer, NoHostListensDualStackOnTheUnspecifiedAddress) {
    Loop loop;
    Ref<net::Server> server = echoServer();
    std::string received;
    server->listen(0, [&] {
        const auto addr = server->address();
        if (ipv6LoopbackAvailable()) {
            EXPECT_EQ(addr->address, "::");
            EXPECT_EQ(addr->family, "IPv6");
        } else {
            EXPECT_EQ(addr->address, "0.0.0.0");
        }
        auto c = net::connect(addr->port, "127.0.0.1");
        c->end("v4");
        c->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        c->on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "v4");
}

TEST(NetServer, Ipv6Echo) {
    if (!ipv6LoopbackAvailable()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    std::string remoteFamily;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        remoteFamily = s.remoteFamily();
        s.on(net::Socket::kData, [&s](std::string_view d) { s.write(d); });
    });
    std::string received;
    server->listen(0, "::1", [&] {
        EXPECT_EQ(server->address()->address, "::1");
        auto c = net::connect(portOf(*server), "::1");
        c->end("six");
        c->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        c->on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "six");
    EXPECT_EQ(remoteFamily, "IPv6");
}

TEST(NetServer, UnixDomainSocketEchoAndUnlinkOnClose) {
    Loop loop;
    const std::string path = tempSocketPath("echo");
    Ref<net::Server> server = echoServer();
    std::string received;
    bool serverClosed = false;
    net::ListenOptions options;
    options.path = path;
    options.readableAll = true;
    options.writableAll = true;
    server->listen(options, [&] {
        EXPECT_EQ(server->address()->address, path);
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0666, 0666u);
        auto c = net::connectPath(path);
        c->end("over a pipe");
        c->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        c->on(net::Socket::kClose, [&](bool) { server->close([&] { serverClosed = true; }); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "over a pipe");
    EXPECT_TRUE(serverClosed);
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST(NetServer, UnixSocketPathInUseIsAnAsyncError) {
    Loop loop;
    const std::string path = tempSocketPath("inuse");
    auto a = net::createServer();
    auto b = net::createServer();
    std::optional<Error> error;
    b->on(net::Server::kError, [&](const Error& e) {
        error = e;
        a->close();
    });
    a->listenPath(path, [&] { b->listenPath(path); });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "EADDRINUSE");
    EXPECT_EQ(std::string(error->what()), "listen EADDRINUSE: address already in use " + path);
}

TEST(NetServer, GetConnectionsAnswersOnANextTick) {
    Loop loop;
    std::size_t count = 99;
    bool sync = false;
    Ref<net::Socket> client;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        EXPECT_EQ(server->connections(), 1u);
        sync = true;
        server->getConnections([&](const Error* e, std::size_t n) {
            EXPECT_EQ(e, nullptr);
            EXPECT_FALSE(sync);
            count = n;
        });
        sync = false;
        s.destroy();
        client->destroy();
        server->close();
    });
    server->listen(0, "127.0.0.1", [&] { client = net::connect(portOf(*server), "127.0.0.1"); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(count, 0u);  // the socket was destroyed before the tick ran
}

TEST(NetServer, ListenWithOnlyACallbackUsesAnEphemeralPort) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    int port = 0;
    server->listen([&] {
        port = portOf(*server);
        server->close();
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_GT(port, 0);
}

TEST(NetServer, UnrefLetsTheLoopEnd) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    server->unref();
    bool listening = false;
    server->listen(0, "127.0.0.1", [&] { listening = true; });
    ASSERT_TRUE(runLoop(loop, 2000));
    EXPECT_TRUE(listening);
    EXPECT_TRUE(server->listening());
    server->close();
    ASSERT_TRUE(runLoop(loop));
}

TEST(NetServer, ConnectionListenerGetsSocketsWithPeerAddresses) {
    Loop loop;
    Ref<net::Socket> client;
    std::string remote;
    std::string afterDestroy;
    int remotePort = 0;
    int localPort = 0;
    int clientLocalPort = -1;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        remote = s.remoteAddress();
        remotePort = s.remotePort();
        localPort = s.localPort();
        EXPECT_EQ(s.server(), server.get());
        EXPECT_EQ(s.readyState(), "open");
        EXPECT_FALSE(s.pending());
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        s.destroy();
        afterDestroy = s.remoteAddress();  // cached before destroy (Node: _peername)
        EXPECT_TRUE(s.destroyed());
    });
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1",
                              [&] { clientLocalPort = client->localPort(); });
        EXPECT_TRUE(client->pending());
        EXPECT_EQ(client->readyState(), "opening");
        client->on(net::Socket::kError, [](const Error&) {});  // the server may reset it
    });
    int serverPort = 0;
    server->on(net::Server::kListening, [&] { serverPort = portOf(*server); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(remote, "127.0.0.1");
    EXPECT_EQ(afterDestroy, "127.0.0.1");
    EXPECT_EQ(localPort, serverPort);
    EXPECT_EQ(remotePort, clientLocalPort);
}

}  // namespace
}  // namespace nodecc::test
