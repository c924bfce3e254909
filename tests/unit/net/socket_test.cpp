// net::Socket: echo, backpressure, pause, half-open, destroy, errors, timeouts, cork.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

TEST(NetSocket, EchoRoundTrip) {
    Loop loop;
    Ref<net::Server> server = echoServer();
    std::string received;
    bool connected = false;
    std::optional<bool> hadError;
    Ref<net::Socket> client;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] {
            connected = true;
            EXPECT_EQ(client->readyState(), "open");
            client->write("hello ");
            client->end("world");
        });
        client->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        client->on(net::Socket::kClose, [&](bool e) {
            hadError = e;
            server->close();
        });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_TRUE(connected);
    EXPECT_EQ(received, "hello world");
    EXPECT_EQ(hadError, false);
    EXPECT_EQ(client->bytesWritten(), 11u);
    EXPECT_EQ(client->bytesRead(), 11u);
    EXPECT_EQ(client->readyState(), "closed");
}

TEST(NetSocket, ConnectRefusedIsAnErrorThenCloseWithHadError) {
    Loop loop;
    // A port nobody listens on: bind one, note it, close it.
    int port = 0;
    {
        auto probe = net::createServer();
        probe->listen(0, "127.0.0.1", [&] {
            port = portOf(*probe);
            probe->close();
        });
        ASSERT_TRUE(runLoop(loop));
    }
    std::vector<std::string> events;
    std::optional<Error> error;
    auto c = net::connect(port, "127.0.0.1", [] { ADD_FAILURE() << "connected"; });
    c->on(net::Socket::kError, [&](const Error& e) {
        error = e;
        events.push_back("error");
    });
    c->on(net::Socket::kClose, [&](bool hadError) {
        EXPECT_TRUE(hadError);
        events.push_back("close");
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "ECONNREFUSED");
    EXPECT_EQ(std::string(error->what()), "connect ECONNREFUSED 127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(events, (std::vector<std::string>{"error", "close"}));
}

TEST(NetSocket, ConnectResolvesLocalhost) {
    Loop loop;
    Ref<net::Server> server = echoServer();
    std::string received;
    server->listen(0, "localhost", [&] {
        const auto addr = server->address();
        auto c = net::connect(addr->port, "localhost");
        c->end("by name");
        c->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        c->on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "by name");
}

// A peer that stops reading: write() returns false, the queue stays near the
// high-water mark, 'drain' once the peer reads again.
TEST(NetSocket, BackpressureBoundsTheQueueAndDrains) {
    const std::string chunk(1024, 'b');
    std::size_t queuedAtFalse = 0;
    bool sawFalse = false;
    bool drained = false;
    std::uint64_t written = 0;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        for (std::size_t total = 0; total < (256u << 20); total += chunk.size()) {
            if (!s.write(chunk)) {
                sawFalse = true;
                break;
            }
        }
        queuedAtFalse = s.writableLength();
        EXPECT_TRUE(s.writableNeedDrain());
        s.once(net::Socket::kDrain, [&] {
            drained = true;
            EXPECT_EQ(s.writableLength(), 0u);
            EXPECT_FALSE(s.writableNeedDrain());
            written = s.bytesWritten();
            s.end();
        });
    });
    EXPECT_TRUE(sawFalse);
    EXPECT_GE(queuedAtFalse, 16384u - chunk.size());
    EXPECT_LE(queuedAtFalse, 16384u + chunk.size());
    EXPECT_TRUE(drained);
    EXPECT_EQ(got.size(), written);
}

// Node's write() return value: length including the new chunk, computed before writing.
// Node's afterWrite: 'drain' first, then the callbacks of the writes that completed (seen with
// node v20: "drain, len 0" before "write cb").
TEST(NetSocket, DrainComesBeforeTheWriteCallbacks) {
    std::vector<std::string> order;
    const std::string big(4u << 20, 'x');
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        EXPECT_FALSE(s.write(big, [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            order.push_back("write cb, length " + std::to_string(s.writableLength()));
            s.end();
        }));
        s.on(net::Socket::kDrain,
             [&] { order.push_back("drain, length " + std::to_string(s.writableLength())); });
    });
    EXPECT_EQ(got.size(), big.size());
    EXPECT_EQ(order, (std::vector<std::string>{"drain, length 0", "write cb, length 0"}));
}

// Node: no 'drain' once end() was called (state.ending), though the queue did empty.
TEST(NetSocket, NoDrainAfterEnd) {
    int drains = 0;
    bool written = false;
    bool ended = false;
    const std::string big(4u << 20, 'x');
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.on(net::Socket::kDrain, [&] { ++drains; });
        EXPECT_FALSE(s.write(big, [&](const Error*) { written = true; }));
        s.end([&] { ended = true; });
    });
    EXPECT_EQ(got.size(), big.size());
    EXPECT_TRUE(written);
    EXPECT_TRUE(ended);
    EXPECT_EQ(drains, 0);
}

TEST(NetSocket, WriteReturnsFalseForAChunkAtTheHighWaterMark) {
    Loop loop;
    std::vector<bool> results;
    int drains = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        results.push_back(s.write(std::string(100, 'a')));
        results.push_back(s.write(std::string(20000, 'b')));  // taken by the kernel, still false
        s.on(net::Socket::kDrain, [&] {
            ++drains;
            s.end();
        });
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    Ref<net::Socket> client;
    std::size_t got = 0;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kData, [&](std::string_view d) { got += d.size(); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(results, (std::vector<bool>{true, false}));
    EXPECT_EQ(drains, 1);
    EXPECT_EQ(got, 20100u);
}

// pause() really stops reading: the peer's writes block; resume() gets everything.
TEST(NetSocket, PauseStopsReadingFromTheKernel) {
    Loop loop;
    int fd = -1;
    std::size_t sent = 0;
    std::size_t received = 0;
    bool ended = false;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.pause();
        s.on(net::Socket::kData, [&](std::string_view d) { received += d.size(); });
        s.on(net::Socket::kEnd, [&] {
            ended = true;
            server->close();
        });
        setNonBlocking(fd);
        sent = writeUntilBlocked(fd);  // returns once the kernel refuses more
        Ref<net::Socket> keep(&s);
        timers::setTimeout(
            [&, keep] {
                EXPECT_EQ(keep->bytesRead(), 0u);
                EXPECT_EQ(received, 0u);
                sent += writeUntilBlocked(fd);  // the kernel may have grown its buffers
                keep->resume();
                ::shutdown(fd, SHUT_WR);
            },
            50);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ::close(fd);
    EXPECT_GT(sent, 0u);
    EXPECT_LT(sent, 64u << 20);
    EXPECT_EQ(received, sent);
    EXPECT_TRUE(ended);
}

// Bytes that arrive before anyone listens are held, not lost (Node's paused mode).
TEST(NetSocket, DataIsHeldUntilADataListenerIsAdded) {
    Loop loop;
    std::string received;
    std::vector<std::string> order;
    Ref<net::Socket> client;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        Ref<net::Socket> keep(&s);
        timers::setTimeout(
            [&, keep] {
                EXPECT_GT(keep->bytesRead(), 0u);
                keep->on(net::Socket::kData, [&](std::string_view d) {
                    received += d;
                    order.push_back("data");
                });
                keep->on(net::Socket::kEnd, [&] { order.push_back("end"); });
                keep->on(net::Socket::kClose, [&](bool) { server->close(); });
            },
            50);
    });
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] { client->end("early bytes"); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "early bytes");
    EXPECT_EQ(order, (std::vector<std::string>{"data", "end"}));
}

// Node: test-net-allow-half-open — with allowHalfOpen the server may answer after the FIN.
TEST(NetSocket, AllowHalfOpenKeepsTheWritableSide) {
    Loop loop;
    int fd = -1;
    std::string serverGot;
    std::string readyStateAfterEnd;
    Ref<net::Server> server = net::createServer(halfOpen(), [&](net::Socket& s) {
        EXPECT_TRUE(s.allowHalfOpen());
        s.on(net::Socket::kData, [&](std::string_view d) { serverGot += d; });
        s.on(net::Socket::kEnd, [&] {
            readyStateAfterEnd = std::string(s.readyState());
            Ref<net::Socket> keep(&s);
            timers::setTimeout(
                [keep] {
                    EXPECT_TRUE(keep->write("late answer"));
                    keep->end();
                },
                20);
        });
        s.on(net::Socket::kClose, [&](bool hadError) {
            EXPECT_FALSE(hadError);
            server->close();
        });
    });
    server->listen(0, "127.0.0.1", [&] {
        fd = rawConnect("127.0.0.1", portOf(*server));
        writeAll(fd, "question");
        ::shutdown(fd, SHUT_WR);
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(serverGot, "question");
    EXPECT_EQ(readyStateAfterEnd, "writeOnly");
    EXPECT_EQ(readAll(fd), "late answer");
    ::close(fd);
}

// Without allowHalfOpen our side ends on the next tick; a write in 'end' still goes
// out, a later one fails with EPIPE "This socket has been ended by the other party".
TEST(NetSocket, WithoutAllowHalfOpenTheSocketEndsAfterThePeersFin) {
    Loop loop;
    int fd = -1;
    std::optional<Error> lateError;
    bool lateResult = true;
    bool finished = false;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kEnd, [&] { EXPECT_TRUE(s.write("from end")); });
        s.on(net::Socket::kFinish, [&] { finished = true; });
        s.on(net::Socket::kClose, [&](bool hadError) {
            EXPECT_FALSE(hadError);
            lateResult = s.write("too late", [&](const Error* e) {
                ASSERT_NE(e, nullptr);
                lateError = *e;
            });
            server->close();
        });
    });
    server->listen(0, "127.0.0.1", [&] {
        fd = rawConnect("127.0.0.1", portOf(*server));
        ::shutdown(fd, SHUT_WR);
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_TRUE(finished);
    EXPECT_FALSE(lateResult);
    ASSERT_TRUE(lateError.has_value());
    EXPECT_EQ(lateError->code(), "EPIPE");
    EXPECT_STREQ(lateError->what(), "This socket has been ended by the other party");
    EXPECT_EQ(readAll(fd), "from end");
    ::close(fd);
}

TEST(NetSocket, DestroyInTheMiddleOfALargeWrite) {
    Loop loop;
    int fd = -1;
    std::optional<Error> writeError;
    std::vector<std::string> events;
    std::size_t lengthBefore = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        std::string big(16u << 20, 'x');
        s.write(std::move(big), [&](const Error* e) {
            events.push_back("write cb");
            if (e != nullptr) writeError = *e;
        });
        lengthBefore = s.writableLength();
        s.on(net::Socket::kError, [&](const Error&) { events.push_back("error"); });
        s.on(net::Socket::kClose, [&](bool hadError) {
            EXPECT_FALSE(hadError);
            events.push_back("close");
            server->close();
        });
        Ref<net::Socket> keep(&s);
        process::nextTick([keep] { keep->destroy(); });
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ::close(fd);
    EXPECT_GT(lengthBefore, 0u);
    ASSERT_TRUE(writeError.has_value());
    EXPECT_EQ(writeError->code(), "ERR_STREAM_DESTROYED");
    EXPECT_EQ(events, (std::vector<std::string>{"write cb", "close"}));
}

TEST(NetSocket, DestroyWithAnErrorEmitsErrorThenCloseWithHadError) {
    Loop loop;
    std::vector<std::string> events;
    Ref<net::Socket> client;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kError, [&](const Error& e) { events.push_back("error " + e.code()); });
        s.on(net::Socket::kClose, [&](bool hadError) {
            events.push_back(hadError ? "close true" : "close false");
            client->destroy();
            server->close();
        });
        s.destroy(Error("EBOOM", "boom"));
        events.push_back("destroyed");
    });
    server->listen(0, "127.0.0.1", [&] { client = net::connect(portOf(*server), "127.0.0.1"); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(events, (std::vector<std::string>{"destroyed", "error EBOOM", "close true"}));
}

TEST(NetSocket, PeerResetReachesErrorAsEconnreset) {
    Loop loop;
    int fd = -1;
    std::optional<Error> error;
    std::optional<bool> hadError;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kError, [&](const Error& e) { error = e; });
        s.on(net::Socket::kClose, [&](bool e) {
            hadError = e;
            server->close();
        });
        setLingerReset(fd);
        ::close(fd);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "ECONNRESET");
    EXPECT_EQ(error->syscall(), "read");
    EXPECT_STREQ(error->what(), "read ECONNRESET");
    EXPECT_EQ(hadError, true);
}

// Writing to a peer that is gone: EPIPE/ECONNRESET as 'error', and SIGPIPE does not kill us.
TEST(NetSocket, WritingToAResetPeerIsAnErrorNotASignal) {
    Loop loop;
    int fd = -1;
    std::optional<Error> error;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.pause();  // do not notice the reset by reading
        setLingerReset(fd);
        ::close(fd);
        s.on(net::Socket::kError, [&](const Error& e) { error = e; });
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        Ref<net::Socket> keep(&s);
        timers::setTimeout(
            [keep] {
                for (int i = 0; i < 100 && !keep->destroyed(); ++i)
                    keep->write(std::string(1024, 'w'));
            },
            20);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_TRUE(error->code() == "EPIPE" || error->code() == "ECONNRESET") << error->code();
    EXPECT_EQ(error->syscall(), "write");
}

TEST(NetSocket, WriteAfterDestroyIsASafeNoOp) {
    Loop loop;
    Ref<net::Socket> client;
    std::optional<Error> cbError;
    bool result = true;
    std::uint64_t written = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.write("abc");
        s.destroy();
        s.on(net::Socket::kError, [](const Error&) { ADD_FAILURE() << "'error' emitted"; });
        result = s.write("more", [&](const Error* e) {
            ASSERT_NE(e, nullptr);
            cbError = *e;
        });
        s.end("and more");
        s.destroy();
        s.pause();
        s.resume();
        s.setTimeout(10);
        s.setNoDelay(true);
        written = s.bytesWritten();
        server->close();
    });
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kError, [](const Error&) {});
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_FALSE(result);
    ASSERT_TRUE(cbError.has_value());
    EXPECT_EQ(cbError->code(), "ERR_STREAM_DESTROYED");
    EXPECT_STREQ(cbError->what(), "Cannot call write after a stream was destroyed");
    EXPECT_EQ(written, 3u);
}

TEST(NetSocket, WriteAfterEndIsAnError) {
    Loop loop;
    Ref<net::Socket> client;
    std::optional<Error> emitted;
    std::optional<Error> viaCallback;
    Ref<net::Server> server = echoServer();
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] {
            client->end("x");
            EXPECT_FALSE(client->write("y", [&](const Error* e) {
                if (e != nullptr) viaCallback = *e;
            }));
        });
        client->on(net::Socket::kError, [&](const Error& e) { emitted = e; });
        client->on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(emitted.has_value());
    EXPECT_EQ(emitted->code(), "ERR_STREAM_WRITE_AFTER_END");
    ASSERT_TRUE(viaCallback.has_value());
    EXPECT_EQ(viaCallback->code(), "ERR_STREAM_WRITE_AFTER_END");
}

// Node: test-net-socket-timeout — 'timeout' after inactivity, nothing closed by it.
TEST(NetSocket, TimeoutFiresAfterInactivityAndIsRefreshedByIo) {
    Loop loop;
    Ref<net::Socket> client;
    int timeouts = 0;
    std::uint64_t connectedAt = 0;
    std::uint64_t firedAt = 0;
    int pings = 0;
    Ref<net::Server> server = echoServer();
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] {
            connectedAt = loop.now();
            client->setTimeout(60, [&] {
                ++timeouts;
                loop.updateTime();
                firedAt = loop.now();
                EXPECT_FALSE(client->destroyed());
                EXPECT_EQ(client->timeout(), 60u);
                client->setTimeout(0);
                client->destroy();
                server->close();
            });
            // Activity every 20 ms for 5 rounds keeps the 60 ms timer from firing.
            for (int i = 1; i <= 5; ++i) {
                timers::setTimeout(
                    [&] {
                        ++pings;
                        if (!client->destroyed()) client->write("p");
                    },
                    20.0 * i);
            }
        });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(timeouts, 1);
    EXPECT_GE(firedAt - connectedAt, 100u + 60u - 5u);
}

TEST(NetSocket, CorkCoalescesWritesIntoOneWrite) {
    Loop loop;
    std::vector<std::string> chunks;
    Ref<net::Socket> client;
    int callbacks = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kData, [&](std::string_view d) { chunks.emplace_back(d); });
        s.on(net::Socket::kEnd, [&] { server->close(); });
    });
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] {
            client->cork();
            client->write("HTTP/1.1 200 OK\r\n", [&] { ++callbacks; });
            client->write(std::string("Content-Length: 2\r\n\r\n"), [&] { ++callbacks; });
            const std::array<std::string_view, 2> body{"o", "k"};
            client->writev(body, [&] { ++callbacks; });
            EXPECT_EQ(client->writableLength(), 17u + 21u + 2u);
            client->uncork();
            client->end();
        });
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0], "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_EQ(callbacks, 3);
}

TEST(NetSocket, LargeMovedStringArrivesIntact) {
    Loop loop;
    std::string payload(8u << 20, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 131 % 251);
    const std::string expected = payload;
    std::string received;
    received.reserve(expected.size());
    bool called = false;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.write(std::move(payload), [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            called = true;
        });
        s.end();
        s.on(net::Socket::kClose, [&](bool) {
            EXPECT_TRUE(called);
            server->close();
        });
    });
    Ref<net::Socket> client;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kData, [&](std::string_view d) { received += d; });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received.size(), expected.size());
    EXPECT_TRUE(received == expected);
}

TEST(NetSocket, WritesMadeWhileConnectingAreSentOnConnect) {
    Loop loop;
    Ref<net::Server> server = echoServer();
    std::string received;
    server->listen(0, "127.0.0.1", [&] {
        auto c = net::connect(portOf(*server), "127.0.0.1");
        EXPECT_TRUE(c->connecting());
        EXPECT_TRUE(c->write("queued "));
        c->end("then ended");
        c->on(net::Socket::kData, [&](std::string_view d) { received += d; });
        c->on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(received, "queued then ended");
}

TEST(NetSocket, DestroySoonFlushesThenCloses) {
    Loop loop;
    std::size_t got = 0;
    bool clientEnded = false;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.write(std::string(1u << 20, 'd'));
        s.destroySoon();
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
    });
    Ref<net::Socket> client;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kData, [&](std::string_view d) { got += d.size(); });
        client->on(net::Socket::kEnd, [&] { clientEnded = true; });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(got, 1u << 20);
    EXPECT_TRUE(clientEnded);
}

TEST(NetSocket, ResetAndDestroySendsRst) {
    Loop loop;
    std::optional<Error> clientError;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.resetAndDestroy();
        server->close();
    });
    Ref<net::Socket> client;
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kError, [&](const Error& e) { clientError = e; });
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(clientError.has_value());
    EXPECT_EQ(clientError->code(), "ECONNRESET");
}

}  // namespace
}  // namespace nodecc::test

namespace nodecc::test {
namespace {

// Node: socket.unref()/server.unref() — open but unref'd handles do not keep run() alive.
TEST(NetSocket, UnrefdSocketsDoNotKeepTheLoopAlive) {
    Loop loop;
    Ref<net::Socket> accepted;
    Ref<net::Socket> client;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        accepted = Ref<net::Socket>(&s);
        s.unref();
    });
    server->listen(0, "127.0.0.1", [&] {
        server->unref();
        client = net::connect(portOf(*server), "127.0.0.1");
        client->unref();
    });
    ASSERT_TRUE(runLoop(loop, 5000));  // returns with everything still open
    ASSERT_TRUE(accepted);
    EXPECT_FALSE(accepted->destroyed());
    EXPECT_FALSE(client->destroyed());
    EXPECT_EQ(client->readyState(), "open");
    client->ref();
    client->end("bye");
    std::string got;
    accepted->on(net::Socket::kData, [&](std::string_view d) { got += d; });
    accepted->on(net::Socket::kClose, [&](bool) { server->close(); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(got, "bye");
}

TEST(NetSocket, ConnectToAMissingUnixSocketIsEnoent) {
    Loop loop;
    const std::string path = tempSocketPath("missing");
    std::optional<Error> error;
    auto c = net::connectPath(path);
    c->on(net::Socket::kError, [&](const Error& e) { error = e; });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), "ENOENT");
    EXPECT_EQ(std::string(error->what()), "connect ENOENT " + path);
}

// Node: _listeningId — a lookup made stale by close() does not listen afterwards.
TEST(NetServer, CloseDuringTheHostLookupCancelsTheListen) {
    Loop loop;
    Ref<net::Server> server = net::createServer();
    bool listening = false;
    server->listen(0, "localhost", [&] { listening = true; });
    server->close();
    ASSERT_TRUE(runLoop(loop));
    EXPECT_FALSE(listening);
    EXPECT_FALSE(server->listening());
}

}  // namespace
}  // namespace nodecc::test
