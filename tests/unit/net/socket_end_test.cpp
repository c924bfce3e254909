// net::Socket end(): the shutdown request lives in the socket's pooled write queue. A
// socket destroyed with its shutdown in flight closes without 'finish'; sockets ended one
// after the other each get their own FIN and 'finish'.
#include <poll.h>

#include <string>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

// Node: destroy() before the shutdown completes — 'close', never 'finish'.
TEST(NetSocketEnd, DestroyRightAfterEndClosesWithoutFinish) {
    std::vector<std::string> events;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.on(net::Socket::kFinish, [&] { events.push_back("finish"); });
        s.on(net::Socket::kClose,
             [&](bool hadError) { events.push_back(hadError ? "close(error)" : "close"); });
        s.write(std::string_view("bye"));
        s.end();
        s.destroy();
    });
    EXPECT_EQ(got, "bye");
    EXPECT_EQ(events, (std::vector<std::string>{"close"}));
}

// end() sends the FIN at once when nothing is queued: the peer reads the bytes and EOF
// before the loop turns ('finish' still comes from the shutdown request, later).
TEST(NetSocketEnd, ThePeerSeesEofBeforeTheLoopTurns) {
    Loop loop;
    int fd = -1;
    std::string got;
    bool eof = false;
    bool finishedDuringRead = true;
    bool finished = false;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kFinish, [&] { finished = true; });
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        s.end("bye");
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 2000) != 1) break;
            char buf[64];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                eof = n == 0;
                break;
            }
            got.append(buf, static_cast<std::size_t>(n));
        }
        finishedDuringRead = finished;
        ::shutdown(fd, SHUT_WR);  // lets the server's socket end and close
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    EXPECT_TRUE(runLoop(loop));
    if (fd >= 0) ::close(fd);
    EXPECT_EQ(got, "bye");
    EXPECT_TRUE(eof);
    EXPECT_FALSE(finishedDuringRead);  // Node: 'finish' comes from the shutdown's callback
    EXPECT_TRUE(finished);
}

// Each connection's end() in turn: every peer reads its bytes and EOF, every socket
// emits 'finish' then 'close' (the write queues, and the requests in them, are reused).
TEST(NetSocketEnd, SocketsEndedOneAfterAnotherEachFinish) {
    constexpr int kConnections = 20;
    Loop loop;
    std::vector<std::vector<std::string>> events(kConnections);
    std::vector<std::string> got;
    std::thread client;
    int served = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        const int n = served++;
        s.on(net::Socket::kFinish, [&events, n] { events[n].push_back("finish"); });
        s.on(net::Socket::kClose, [&events, &server, n](bool) {
            events[n].push_back("close");
            if (n == kConnections - 1) server->close();
        });
        s.end("reply" + std::to_string(n));
    });
    server->listen(0, "127.0.0.1", [&] {
        const int port = portOf(*server);
        client = std::thread([&got, port] {
            for (int i = 0; i < kConnections; ++i) {
                const int fd = rawConnect("127.0.0.1", port);
                got.push_back(readAll(fd));
                ::close(fd);
            }
        });
    });
    EXPECT_TRUE(runLoop(loop));
    client.join();
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kConnections));
    for (int i = 0; i < kConnections; ++i) {
        EXPECT_EQ(got[i], "reply" + std::to_string(i));
        EXPECT_EQ(events[i], (std::vector<std::string>{"finish", "close"})) << "connection " << i;
    }
}

}  // namespace
}  // namespace nodecc::test
