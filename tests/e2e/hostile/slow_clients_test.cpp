// Slow clients: slowloris (a head trickled a byte at a time), a slow body, and a reader
// that stops reading an endless streamed response. Each runs a well-behaved client at the
// same time and states a memory bound. The finite slow-reader case (32 MiB streamed to a
// client that reads late) is tests/unit/http/server_pipeline_test.cpp
// SlowReaderOfStreamedResponseKeepsMemoryBounded; the single-connection timeout cases
// (Node's timing table) are tests/unit/http/server_timeouts_test.cpp.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hostile_util.hpp"

namespace nodecc::test::hostile {
namespace {

constexpr const char* k408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";

// One attacker connection that trickles `payload` a byte per tick until the server answers.
struct Trickler {
    std::unique_ptr<RawClient> client;
    long long startMs = 0;
    long long answeredAfterMs = -1;  // from connect to the server's answer
    std::size_t sent = 0;
    std::string got;
    bool closed = false;
};

// Trickles a byte of each payload per tickMs on every connection (after `prefix`, sent at
// once) until each is answered or deadlineMs passes.
void trickle(int port, std::vector<Trickler>& conns, const std::string& prefix,
             const std::string& payload, int tickMs, int deadlineMs) {
    for (auto& t : conns) {
        t.startMs = monotonicMs();
        t.client = std::make_unique<RawClient>(port);
        t.client->send(prefix);
    }
    std::size_t open = conns.size();
    const long long deadline = monotonicMs() + deadlineMs;
    while (open > 0 && monotonicMs() < deadline) {
        for (auto& t : conns) {
            if (t.answeredAfterMs >= 0) continue;
            if (readable(t.client->fd())) {
                t.answeredAfterMs = monotonicMs() - t.startMs;
                t.got = t.client->readAll(2000);
                t.closed = t.client->peerClosed();
                --open;
            } else if (t.sent < payload.size()) {
                t.client->send(std::string_view(payload).substr(t.sent++, 1));
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(tickMs));
    }
}

// The outcome of a trickle attack run against a server with a well-behaved client.
struct TrickleOutcome {
    std::vector<Trickler> conns;
    std::size_t heapGrowth = 0;  // peak, while the attack ran
    std::size_t connectionsLeft = 0;
    GoodVerdict good;
    int exact408 = 0;  // Node's 408 bytes, then the close
    long long first = 1 << 30;
    long long last = 0;

    std::string answer(const char* limit) const {
        return "408 + close at " + std::to_string(first) + "-" + std::to_string(last) + " ms (" +
               limit + ")";
    }
    std::string bound() const {
        return "heap +" + std::to_string(kib(static_cast<long long>(heapGrowth))) +
               " KiB for all; 0 connections left";
    }
};

TrickleOutcome trickleAttack(Loop& loop, http::Server& server, int attackers,
                             const std::string& prefix, const std::string& payload) {
    TrickleOutcome out;
    out.conns.resize(static_cast<std::size_t>(attackers));
    HeapPeak heap;
    EXPECT_TRUE(runClient(
        loop, server,
        [&](int port) {
            GoodClient good(port);
            trickle(port, out.conns, prefix, payload, 50, 4000);
            out.good = good.stopAndJudge();
            out.connectionsLeft = connectionsAfterSettling(loop, server);
        },
        10000));
    out.heapGrowth = heap.growth();
    for (const auto& t : out.conns) {
        out.exact408 += (t.got == k408 && t.closed) ? 1 : 0;
        out.first = std::min(out.first, t.answeredAfterMs);
        out.last = std::max(out.last, t.answeredAfterMs);
    }
    EXPECT_EQ(out.exact408, attackers) << "got: " << out.conns[0].got;
    EXPECT_TRUE(out.good.ok) << out.good.summary;
    EXPECT_EQ(out.connectionsLeft, 0u);
    EXPECT_LT(out.heapGrowth, memoryBound(4u << 20));
    return out;
}

// Slowloris: 64 connections trickle a head at 1 byte / 50 ms (1 B/s scaled down 20×).
// Sending bytes does not reset headersTimeout: each gets Node's 408 bytes and is closed
// at headersTimeout (+ one checking interval), the handler never runs, and the
// well-behaved client is served throughout. Bound: every attacker connection is gone
// afterwards; the heap grows by less than 4 MiB (64 KiB per attacker) meanwhile.
TEST(HostileSlowClients, SlowlorisGets408AtHeadersTimeout) {
    constexpr int kAttackers = 64;
    constexpr long long kHeadersTimeout = 500;
    Loop loop;
    int dispatched = 0;
    auto server = http::createServer(fastChecks(kHeadersTimeout, 1000),
                                     [&](IncomingMessage& req, ServerResponse& res) {
                                         if (serveGood(req, res)) return;
                                         ++dispatched;
                                         res.end("never");
                                     });
    const TrickleOutcome o =
        trickleAttack(loop, *server, kAttackers, "",
                      "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(400, 's'));
    EXPECT_EQ(dispatched, 0);
    EXPECT_GE(o.first, kHeadersTimeout - 20);
    EXPECT_LE(o.last, kHeadersTimeout + 2 * 50 + kSlackMs);
    report("slowloris", std::to_string(kAttackers) + " connections trickle a head at 1 B/50 ms",
           o.answer("headersTimeout 500 ms"), o.bound(), o.good);
}

// A slow body: the head arrives at once, then the body at 1 byte / 50 ms. Each of 32
// connections gets 408 at requestTimeout (the response had not started); the request
// sees 'aborted'/'close', the response 'close'. Bound: no connection, request or response
// left; heap growth under 4 MiB.
TEST(HostileSlowClients, SlowBodyGets408AtRequestTimeout) {
    constexpr int kAttackers = 32;
    constexpr long long kRequestTimeout = 1000;
    Loop loop;
    int dispatched = 0, responsesClosed = 0;
    std::size_t bodyBytes = 0;
    auto server = http::createServer(
        fastChecks(500, kRequestTimeout), [&](IncomingMessage& req, ServerResponse& res) {
            if (serveGood(req, res)) return;
            ++dispatched;
            req.on(http::kData, [&](std::string_view d) { bodyBytes += d.size(); });
            res.on(http::kResponseClose, [&] { ++responsesClosed; });
        });
    const TrickleOutcome o =
        trickleAttack(loop, *server, kAttackers,
                      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
                      std::string(1000, 'b'));
    EXPECT_EQ(dispatched, kAttackers);
    EXPECT_EQ(responsesClosed, kAttackers);
    EXPECT_GT(bodyBytes, 0u);
    EXPECT_GE(o.first, kRequestTimeout - 20);
    EXPECT_LE(o.last, kRequestTimeout + 2 * 50 + kSlackMs);
    report("slow body", std::to_string(kAttackers) + " connections send a body at 1 B/50 ms",
           o.answer("requestTimeout 1000 ms"), o.bound(), o.good);
}

// An endless streamed response: 64 KiB writes for as long as write() returns true, then
// wait for 'drain'; stops at the response's 'close'.
struct EndlessStream {
    static constexpr std::size_t kChunk = 64 * 1024;
    std::shared_ptr<const std::string> chunk = std::make_shared<std::string>(kChunk, 'z');
    std::size_t written = 0;
    std::size_t writesAfterClose = 0;
    std::size_t maxResponseBuffered = 0;  // res.writableLength()
    std::size_t maxSocketBuffered = 0;    // the connection's socket writableLength()
    int closed = 0;
    long long lastProgressMs = 0;  // loop-thread monotonic time of the last write
    std::vector<long long> stallToCloseMs;

    void start(ServerResponse& res) {
        Ref<ServerResponse> r(&res);
        auto done = std::make_shared<bool>(false);
        auto pump = std::make_shared<std::function<void()>>();
        *pump = [this, r, done] {
            while (!*done) {
                const bool ok = r->write(*chunk);
                written += kChunk;
                lastProgressMs = monotonicMs();
                maxResponseBuffered = std::max(maxResponseBuffered, r->writableLength());
                if (net::Socket* s = r->req().socket()) {
                    maxSocketBuffered = std::max(maxSocketBuffered, s->writableLength());
                }
                if (!ok) return;
            }
            ++writesAfterClose;
        };
        res.on(http::kDrain, [pump] { (*pump)(); });
        res.on(http::kResponseClose, [this, done, pump] {
            *done = true;
            ++closed;
            stallToCloseMs.push_back(monotonicMs() - lastProgressMs);
        });
        (*pump)();
    }
};

// Readers that stop reading an endless stream: the handler honours write()'s return value,
// so the server buffers at most highWaterMark + one write per connection and stops
// producing while the client is stalled; the client then reads 8 MiB (the stream resumes)
// and resets. Bound: buffered bytes per response and per socket ≤ 16 KiB + 64 KiB, heap
// growth while stalled under 2 MiB; nothing
// is written after 'close'; no connection left.
TEST(HostileSlowClients, StalledReaderOfEndlessStreamStaysAtHighWaterMark) {
    constexpr int kReaders = 4;
    constexpr std::size_t kHwm = 16384;
    Loop loop;
    EndlessStream stream;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (!serveGood(req, res)) stream.start(res);
    });
    std::size_t writtenAt500 = 0, writtenAt1000 = 0, left = 0;
    std::vector<std::size_t> readBack;
    std::size_t heapWhileStalled = 0;
    GoodVerdict verdict;
    HeapPeak heap;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            GoodClient good(port);
            std::vector<std::unique_ptr<RawClient>> readers;
            for (int i = 0; i < kReaders; ++i) {
                readers.push_back(std::make_unique<RawClient>(port));
                readers.back()->send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            onLoop(loop, [&] { writtenAt500 = stream.written; });
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            onLoop(loop, [&] { writtenAt1000 = stream.written; });
            onLoop(loop, [&] { heapWhileStalled = heap.growth(); });
            for (auto& r : readers) {
                readBack.push_back(r->readExactly(8u << 20, 5000).size());
                r->reset();
            }
            verdict = good.stopAndJudge();
            left = connectionsAfterSettling(loop, *server);
        },
        15000));
    EXPECT_EQ(writtenAt500, writtenAt1000) << "the server kept producing for a stalled reader";
    EXPECT_LT(heapWhileStalled, memoryBound(2u << 20));
    EXPECT_LE(stream.maxResponseBuffered, kHwm + EndlessStream::kChunk);
    EXPECT_LE(stream.maxSocketBuffered, kHwm + EndlessStream::kChunk);
    for (std::size_t n : readBack) EXPECT_EQ(n, 8u << 20);
    EXPECT_EQ(stream.closed, kReaders);
    EXPECT_EQ(stream.writesAfterClose, 0u);
    EXPECT_TRUE(verdict.ok) << verdict.summary;
    EXPECT_EQ(left, 0u);
    report("slow reader (endless stream)",
           std::to_string(kReaders) + " clients request an endless stream and stop reading",
           "writing pauses (write() false, 'drain' later); resumes when read; RST ends it",
           "max buffered " + std::to_string(stream.maxResponseBuffered / 1024) + " KiB/response, " +
               std::to_string(stream.maxSocketBuffered / 1024) +
               " KiB/socket (bound 80 KiB); heap +" +
               std::to_string(kib(static_cast<long long>(heapWhileStalled))) + " KiB while stalled",
           verdict);
}

// The same stalled reader against server.timeout (Node's only defence against a reader
// that never comes back): no write completes, so the inactivity timer fires and the
// socket is destroyed; the response gets 'close' and the stream stops. As in Node, the
// first period after the last write still counts that write's progress (the kernel took
// part of it), so the cut comes one to two periods after it: node v20 measures 604 ms.
TEST(HostileSlowClients, StalledReaderIsCutOffByServerTimeout) {
    constexpr std::uint64_t kTimeout = 300;
    Loop loop;
    EndlessStream stream;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (!serveGood(req, res)) stream.start(res);
    });
    server->setTimeout(kTimeout);
    const Aftermath after = attackBeside(loop, *server, [&](int port) {
        RawClient reader(port);
        reader.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
        bool closed = false;
        for (int i = 0; i < 150 && !closed; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            onLoop(loop, [&] { closed = stream.closed > 0; });
        }
    });
    ASSERT_EQ(stream.closed, 1);
    EXPECT_GE(stream.stallToCloseMs[0], static_cast<long long>(kTimeout) - 20);
    EXPECT_LE(stream.stallToCloseMs[0], 2 * static_cast<long long>(kTimeout) + kSlackMs);
    EXPECT_LE(stream.maxSocketBuffered, 16384 + EndlessStream::kChunk);
    EXPECT_EQ(stream.writesAfterClose, 0u);
    report("slow reader + server.timeout", "a client requests an endless stream and never reads",
           "socket destroyed " + std::to_string(stream.stallToCloseMs[0]) +
               " ms after the last write (server.timeout 300 ms; node: 604 ms)",
           "max buffered " + std::to_string(stream.maxSocketBuffered / 1024) +
               " KiB/socket; 0 connections left",
           after.good);
}

}  // namespace
}  // namespace nodecc::test::hostile
