// Many connections: 10 000 concurrent connections from a forked child process, idle then
// active (server RSS per connection measured); and a connection flood beyond
// server.maxConnections. Running out of descriptors (EMFILE) is
// tests/unit/net/load_test.cpp RunningOutOfDescriptorsBacksOffAndRecovers.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hostile_util.hpp"

namespace nodecc::test::hostile {
namespace {

// ---- the forked client of the 10 000-connection test ------------------------------------------
// It uses system calls only (the parent may hold locks of threads the child does not have).

bool readFull(int fd, void* data, std::size_t n, int timeoutMs) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, timeoutMs) <= 0) return false;
        const ssize_t r = ::read(fd, p, n);
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

void writeFull(int fd, const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w <= 0) return;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

// Child: connect `count` sockets, report how many; on 'A', one GET on each and read the
// answers; report how many were "ok"; exit.
[[noreturn]] void manyConnectionsChild(int fromParent, int toParent, int count) {
    int port = 0;
    if (!readFull(fromParent, &port, sizeof port, 10000)) ::_exit(2);
    static int fds[20000];
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int connected = 0;
    for (; connected < count; ++connected) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) break;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            break;
        }
        fds[connected] = fd;
    }
    writeFull(toParent, &connected, sizeof connected);
    char go = 0;
    if (!readFull(fromParent, &go, 1, 60000)) ::_exit(3);
    static const char request[] = "GET /active HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < connected; ++i) {
        if (::send(fds[i], request, sizeof request - 1, MSG_NOSIGNAL) < 0) break;
    }
    int ok = 0;
    for (int i = 0; i < connected; ++i) {
        char buf[512];
        std::size_t have = 0;
        while (have < sizeof buf - 1) {
            pollfd pfd{fds[i], POLLIN, 0};
            if (::poll(&pfd, 1, 10000) <= 0) break;
            const ssize_t n = ::read(fds[i], buf + have, sizeof buf - 1 - have);
            if (n <= 0) break;
            have += static_cast<std::size_t>(n);
            buf[have] = '\0';
            if (std::strstr(buf, "\r\n\r\nok") != nullptr) {
                ++ok;
                break;
            }
        }
    }
    writeFull(toParent, &ok, sizeof ok);
    for (int i = 0; i < connected; ++i) ::close(fds[i]);
    ::_exit(0);
}

// 10 000 concurrent connections from a forked child (each process needs ~10 000
// descriptors): first idle (connected, nothing sent), then active (one GET each, all
// answered, so each is then an idle keep-alive connection). A well-behaved client is served
// throughout. Prints the server's RSS and heap per connection, idle and after the request:
// about 540 B each (socket + connection + loop bookkeeping, no timer per connection); the
// bound is 1 KiB (2 KiB under ASan, about 850 B there).
TEST(HostileConnections, TenThousandIdleThenActive) {
    constexpr int kConnections = 10000;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < kConnections + 500) {
        GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << rl.rlim_max << " < " << kConnections + 500
                     << ": 10 000 connections need that many descriptors in each process";
    }
    FdLimit fdLimit(rl.rlim_max == RLIM_INFINITY ? 65536 : rl.rlim_max);
    int toChild[2], toParentPipe[2];
    ASSERT_EQ(::pipe2(toChild, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(toParentPipe, O_CLOEXEC), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) manyConnectionsChild(toChild[0], toParentPipe[1], kConnections);
    ::close(toChild[0]);
    ::close(toParentPipe[1]);
    const int toChildFd = toChild[1];
    const int fromChildFd = toParentPipe[0];

    Loop loop;
    // The idle connections must outlive the measurement.
    const http::ServerOptions options = fastChecks(20000, 30000, 1000);
    int active = 0;
    auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
        if (serveGood(req, res)) return;
        ++active;
        res.end("ok");
    });
    int connected = 0, answered = 0;
    std::size_t rssBase = 0, rssIdle = 0, rssActive = 0, peak = 0;
    std::size_t heapBase = 0, heapIdle = 0, heapActive = 0;
    long long connectMs = 0, activeMs = 0;
    GoodVerdict verdict;
    std::thread coordinator;
    server->listen(0, "127.0.0.1", 4096, [&] {
        const int port = server->address()->port;
        coordinator = std::thread([&, port] {
            GoodClient good(port, 50);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            onLoop(loop, [&] { heapBase = heapInUseBytes(); });
            rssBase = rssBytes();
            const long long t0 = monotonicMs();
            writeFull(toChildFd, &port, sizeof port);
            readFull(fromChildFd, &connected, sizeof connected, 60000);
            for (int i = 0; i < 500 && peak < static_cast<std::size_t>(connected) + 1; ++i) {
                onLoop(loop, [&] { peak = server->connections(); });
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            connectMs = monotonicMs() - t0;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            rssIdle = rssBytes();
            onLoop(loop, [&] { heapIdle = heapInUseBytes(); });
            const long long t1 = monotonicMs();
            writeFull(toChildFd, "A", 1);
            readFull(fromChildFd, &answered, sizeof answered, 60000);
            activeMs = monotonicMs() - t1;
            rssActive = rssBytes();
            onLoop(loop, [&] { heapActive = heapInUseBytes(); });
            verdict = good.stopAndJudge();
            loop.post([&] {
                server->closeAllConnections();
                server->close();
            });
        });
    });
    const bool ok = runLoop(loop, kSanitized ? 120000 : 60000);
    if (coordinator.joinable()) coordinator.join();
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(toChildFd);
    ::close(fromChildFd);
    ASSERT_TRUE(ok);
    const double perIdle =
        static_cast<double>(rssIdle - rssBase) / static_cast<double>(std::max(connected, 1));
    const double heapPerIdle =
        static_cast<double>(heapIdle - heapBase) / static_cast<double>(std::max(connected, 1));
    const double perActive =
        static_cast<double>(rssActive - rssBase) / static_cast<double>(std::max(connected, 1));
    const double heapPerActive =
        static_cast<double>(heapActive - heapBase) / static_cast<double>(std::max(connected, 1));
    std::printf(
        "10k connections: connected %d in %lld ms, server RSS %.0f B/idle connection (heap "
        "%.0f B), %.0f B/connection after one request each (heap %.0f B) (%lld ms)\n",
        connected, connectMs, perIdle, heapPerIdle, perActive, heapPerActive, activeMs);
    EXPECT_EQ(connected, kConnections);
    EXPECT_GE(peak, static_cast<std::size_t>(kConnections));
    EXPECT_EQ(answered, kConnections);
    EXPECT_EQ(active, kConnections);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_LT(perIdle, (kSanitized ? 2.0 : 1.0) * 1024);
    EXPECT_LT(heapPerIdle, (kSanitized ? 2.0 : 1.0) * 1024);
    EXPECT_LT(perActive, (kSanitized ? 2.0 : 1.0) * 1024);
    EXPECT_LT(heapPerActive, (kSanitized ? 2.0 : 1.0) * 1024);
    EXPECT_TRUE(verdict.ok) << verdict.summary;
    char perIdleKiB[32], perActiveKiB[32], heapKiB[32];
    std::snprintf(perIdleKiB, sizeof perIdleKiB, "%.1f", perIdle / 1024);
    std::snprintf(heapKiB, sizeof heapKiB, "%.1f", heapPerIdle / 1024);
    std::snprintf(perActiveKiB, sizeof perActiveKiB, "%.1f", perActive / 1024);
    report("10k connections",
           "10 000 concurrent connections (forked client), idle then one GET each",
           "all accepted in " + std::to_string(connectMs) + " ms; all 10 000 answered in " +
               std::to_string(activeMs) + " ms",
           std::string("server RSS ") + perIdleKiB + " KiB/idle connection (heap " + heapKiB +
               " KiB), " + perActiveKiB + " KiB/connection after a request (bound " +
               (kSanitized ? "2" : "1") + " KiB)",
           verdict);
}

// A connection flood past server.maxConnections (50): the excess is closed at once with
// no bytes and a 'drop' event; the connection count never exceeds the limit; the attacker's
// idle connections that got in are closed at headersTimeout (408); the well-behaved
// client's keep-alive connection, opened before the flood, is served throughout, and a new
// connection is served after the flood.
TEST(HostileConnections, FloodBeyondMaxConnectionsIsDropped) {
    constexpr int kMax = 50;
    constexpr int kAttackers = 200;
    Loop loop;
    const http::ServerOptions options = fastChecks(500, 1000);
    auto server = http::createServer(
        options, [](IncomingMessage& req, ServerResponse& res) { serveGood(req, res); });
    server->setMaxConnections(kMax);
    int drops = 0;
    std::size_t maxSeen = 0;
    http::Server* raw = server.get();
    server->on(net::Server::kDrop, [&](const net::DropInfo& info) {
        ++drops;
        EXPECT_EQ(info.remoteAddress, "127.0.0.1");
    });
    server->on(net::Server::kConnection,
               [&, raw](net::Socket&) { maxSeen = std::max(maxSeen, raw->connections()); });
    int droppedSeen = 0, timedOut = 0;
    std::string after;
    HeapPeak heap;
    GoodVerdict verdict;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            GoodClient good(port);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            std::vector<std::unique_ptr<RawClient>> conns;
            for (int i = 0; i < kAttackers; ++i) conns.push_back(std::make_unique<RawClient>(port));
            for (auto& c : conns) {
                const std::string got = c->readAll(3000);
                if (got.empty() && c->peerClosed()) ++droppedSeen;
                if (got == "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n") ++timedOut;
            }
            RawClient fresh(port);
            fresh.send(kGood);
            after = bodyOf(fresh.readResponse());
            verdict = good.stopAndJudge();
        },
        10000));
    EXPECT_EQ(drops, kAttackers - (kMax - 1));
    EXPECT_EQ(droppedSeen, drops);
    EXPECT_EQ(timedOut, kMax - 1);
    EXPECT_LE(maxSeen, static_cast<std::size_t>(kMax));
    EXPECT_EQ(after, "good");
    EXPECT_LT(heap.growth(), memoryBound(4u << 20));
    EXPECT_TRUE(verdict.ok) << verdict.summary;
    report("connection flood",
           std::to_string(kAttackers) + " idle connections against maxConnections " +
               std::to_string(kMax),
           std::to_string(drops) + " closed at once ('drop'), the " + std::to_string(kMax - 1) +
               " admitted get 408 at headersTimeout",
           "≤ " + std::to_string(maxSeen) + " connections open (limit " + std::to_string(kMax) +
               "); heap +" + heap.kibText(),
           GoodVerdict{verdict.ok && after == "good",
                       verdict.summary + (after == "good" ? ", new connection served" : "")});
}

}  // namespace
}  // namespace nodecc::test::hostile
