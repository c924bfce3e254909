// socket.setTimeout as many sockets share it (src/net/socket_timeouts.cpp): one list per
// duration, each socket timed from its own last activity.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net_test_util.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::test {
namespace {

std::uint64_t nowMs(Loop& loop) {
    loop.updateTime();
    return loop.now();
}

// A server that reads and never writes: the clients' activity is only their own writes.
Ref<net::Server> sinkServer() {
    return net::createServer(
        [](net::Socket& s) { s.on(net::Socket::kData, [](std::string_view) {}); });
}

// Connects `n` clients, then calls `ready`.
template <class F>
void whenConnected(net::Server& server, int n, std::vector<Ref<net::Socket>>& clients, F ready) {
    server.listen(0, "127.0.0.1", [&server, n, &clients, ready] {
        auto connected = std::make_shared<int>(0);
        for (int i = 0; i < n; ++i) {
            clients.push_back(net::connect(portOf(server), "127.0.0.1", [n, connected, ready] {
                if (++*connected == n) ready();
            }));
        }
    });
}

// Three sockets with the same timeout: b armed after a, a written to after that, c armed
// last. Each fires 300 ms after its own last activity, so in the order b, a, c.
TEST(NetSocketTimeouts, SameDurationFiresInOrderOfLastActivity) {
    Loop loop;
    Ref<net::Server> server = sinkServer();
    std::vector<Ref<net::Socket>> c;
    std::string order;
    std::uint64_t lastActivity[3] = {};
    std::uint64_t fired[3] = {};
    auto arm = [&](int i) {
        lastActivity[i] = nowMs(loop);
        c[i]->setTimeout(300, [&, i] {
            fired[i] = nowMs(loop);
            order += static_cast<char>('a' + i);
            c[i]->destroy();
            if (order.size() == 3) server->close();
        });
    };
    whenConnected(*server, 3, c, [&] {
        arm(0);
        setTimeout([&] { arm(1); }, 100);
        setTimeout(
            [&] {
                lastActivity[0] = nowMs(loop);
                c[0]->write("activity");
            },
            150);
        setTimeout([&] { arm(2); }, 200);
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(order, "bac");
    for (int i = 0; i < 3; ++i) {
        EXPECT_GE(fired[i] - lastActivity[i], 300u) << static_cast<char>('a' + i);
    }
}

// A new duration replaces the old one (the socket moves to the other list); 0 disarms.
TEST(NetSocketTimeouts, NewDurationReplacesTheOldAndZeroDisarms) {
    Loop loop;
    Ref<net::Server> server = sinkServer();
    std::vector<Ref<net::Socket>> c;
    int aFired = 0, bFired = 0;
    std::uint64_t armed = 0, firedAfter = 0;
    std::uint32_t aTimeout = 0, bTimeout = 1;
    whenConnected(*server, 2, c, [&] {
        armed = nowMs(loop);
        c[0]->setTimeout(1000);
        c[0]->setTimeout(100);
        c[0]->on(net::Socket::kTimeout, [&] {
            ++aFired;
            firedAfter = nowMs(loop) - armed;
            aTimeout = c[0]->timeout();
            // b's 100 ms would have passed too: look again a little later.
            setTimeout(
                [&] {
                    bTimeout = c[1]->timeout();
                    c[0]->destroy();
                    c[1]->destroy();
                    server->close();
                },
                200);
        });
        c[1]->setTimeout(100);
        c[1]->setTimeout(0);
        c[1]->on(net::Socket::kTimeout, [&] { ++bFired; });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(aFired, 1);
    EXPECT_GE(firedAfter, 100u);
    EXPECT_LT(firedAfter, 1000u);
    EXPECT_EQ(aTimeout, 100u);
    EXPECT_EQ(bFired, 0);
    EXPECT_EQ(bTimeout, 0u);
}

// setTimeout(0) disarms in place and arming again moves the socket: four sockets armed for
// 200 ms in order a b c d. a is switched off; d off and on again in the same tick (it is the
// tail); b too (from the middle: it goes behind d); c off, and 100 ms later on for 50 ms.
// As Node's per-socket timers: c, then d, its tick, then b; a never (timeout() 0).
TEST(NetSocketTimeouts, OffAndOnAgainIsTimedFromTheLastArming) {
    Loop loop;
    Ref<net::Server> server = sinkServer();
    std::vector<Ref<net::Socket>> c;
    std::string order;
    std::uint64_t armed = 0, bAfter = 0, cAfter = 0;
    std::uint32_t aTimeout = 1;
    whenConnected(*server, 4, c, [&] {
        armed = nowMs(loop);
        for (int i = 0; i < 4; ++i) {
            c[i]->setTimeout(200);
            c[i]->on(net::Socket::kTimeout, [&, i] {
                order += static_cast<char>('a' + i);
                if (i == 2) cAfter = nowMs(loop) - armed;
                if (i == 3) process::nextTick([&] { order += 't'; });
                if (i != 1) return;
                bAfter = nowMs(loop) - armed;
                // a's 200 ms would have passed too: look again a little later.
                setTimeout(
                    [&] {
                        aTimeout = c[0]->timeout();
                        for (auto& s : c) s->destroy();
                        server->close();
                    },
                    150);
            });
        }
        c[0]->setTimeout(0);
        c[3]->setTimeout(0);
        c[3]->setTimeout(200);
        c[1]->setTimeout(0);
        c[1]->setTimeout(200);
        c[2]->setTimeout(0);
        setTimeout([&] { c[2]->setTimeout(50); }, 100);
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(order, "cdtb");
    EXPECT_GE(cAfter, 150u);
    EXPECT_LT(cAfter, 200u + 100u);
    EXPECT_GE(bAfter, 200u);
    EXPECT_EQ(aTimeout, 0u);
}

// Node: a fired socket timeout stays set (socket.timeout unchanged) and the next activity
// arms it again.
TEST(NetSocketTimeouts, ActivityAfterATimeoutArmsItAgain) {
    Loop loop;
    Ref<net::Server> server = sinkServer();
    std::vector<Ref<net::Socket>> c;
    int fired = 0;
    std::uint64_t wroteAt = 0, secondAfter = 0;
    std::uint32_t afterFirst = 0;
    whenConnected(*server, 1, c, [&] {
        c[0]->setTimeout(100);
        c[0]->on(net::Socket::kTimeout, [&] {
            if (++fired == 1) {
                afterFirst = c[0]->timeout();
                wroteAt = nowMs(loop);
                c[0]->write("activity");
                return;
            }
            secondAfter = nowMs(loop) - wroteAt;
            c[0]->destroy();
            server->close();
        });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(fired, 2);
    EXPECT_EQ(afterFirst, 100u);
    EXPECT_GE(secondAfter, 100u);
}

// Node: _onTimeout — while a write is in flight and the peer keeps taking its bytes, the
// timeout is held off; once the peer stops reading (the write stalls), it fires. The peer
// reads 4 KiB every 10 ms for 600 ms (three timeout periods), then stops.
TEST(NetSocketTimeouts, AWriteInFlightThatMovesHoldsTheTimeoutOff) {
    Loop loop;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds), 0);
    const int small = 4096;
    for (int fd : fds) {
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    net::SocketOptions options;
    options.fd = fds[0];
    Ref<net::Socket> s = net::Socket::create(options);
    const std::size_t total = 4u << 20;
    bool wrote = false;
    s->write(std::string(total, 'x'), [&](const Error* e) { wrote = wrote || e == nullptr; });
    s->on(net::Socket::kError, [](const Error&) {});

    const std::uint64_t start = nowMs(loop);
    std::uint64_t stoppedAt = 0, firedAt = 0;
    std::size_t read = 0;
    timers::TimeoutPtr reader = timers::setInterval(
        [&] {
            if (nowMs(loop) - start >= 600) {
                if (stoppedAt == 0) stoppedAt = nowMs(loop);
                return;
            }
            char buf[4096];
            const ssize_t n = ::read(fds[1], buf, sizeof buf);
            if (n > 0) read += static_cast<std::size_t>(n);
        },
        10);
    s->setTimeout(200, [&] {
        firedAt = nowMs(loop);
        reader->close();
        s->destroy();
    });
    ASSERT_TRUE(runLoop(loop));
    ::close(fds[1]);
    EXPECT_FALSE(wrote);  // the write never completed: it was in flight all along
    EXPECT_GT(read, 0u);
    ASSERT_NE(stoppedAt, 0u) << "timed out after " << firedAt - start << " ms, still read";
    EXPECT_GE(firedAt, stoppedAt);
    // The first look after the stop may still see the last reads; the next one fires.
    EXPECT_LE(firedAt - stoppedAt, 2000u);
}

// Node: socket timers are unref'd — a long timeout does not keep the loop running.
TEST(NetSocketTimeouts, ATimeoutDoesNotKeepTheLoopAlive) {
    Loop loop;
    Ref<net::Server> server = net::createServer([](net::Socket& s) { s.unref(); });
    std::vector<Ref<net::Socket>> c;
    int fired = 0;
    whenConnected(*server, 1, c, [&] {
        c[0]->setTimeout(60000, [&] { ++fired; });
        c[0]->unref();
        server->close();
    });
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(runLoop(loop, 30000));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    EXPECT_LT(ms, 10000);
    EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace nodecc::test
