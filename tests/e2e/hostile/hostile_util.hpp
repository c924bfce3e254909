// Shared by the hostile-client tests (tests/e2e/hostile/): a real http::Server on
// 127.0.0.1 with short timeouts, raw attacker sockets on client threads, and a
// well-behaved client that must keep being served meanwhile.
//
// Every test states a memory bound and prints one machine-readable line
//   RELIABILITY|<case>|<what the attacker did>|<server answer>|<bound measured>|<good client>
// that scripts/reliability.sh turns into the table of docs/SECURITY.md.
#pragma once

#include <gtest/gtest.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#if defined(__SANITIZE_ADDRESS__)
#define NODECC_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NODECC_HOSTILE_ASAN 1
#endif
#endif
#ifndef NODECC_HOSTILE_ASAN
#define NODECC_HOSTILE_ASAN 0
#endif
#if NODECC_HOSTILE_ASAN
#include <sanitizer/allocator_interface.h>
#endif

#include "../../unit/http/server_test_util.hpp"  // fastChecks (Node's timeout options, scaled down)
#include "http_client.hpp"
#include "net_test_support.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/timers/timers.hpp"

namespace nodecc::test::hostile {

using http::IncomingMessage;
using http::ServerResponse;

inline constexpr bool kSanitized = NODECC_HOSTILE_ASAN;

// Timing slack on top of a timeout: the sanitizer build runs several times slower.
inline constexpr long long kSlackMs = kSanitized ? 400 : 150;

// Memory bounds are stated for the plain build; ASan's redzones and quarantine add to
// every allocation, so the sanitizer build gets eight times the room.
inline constexpr std::size_t memoryBound(std::size_t plainBytes) {
    return kSanitized ? 8 * plainBytes : plainBytes;
}

inline constexpr const char* kGood = "GET /good HTTP/1.1\r\nHost: x\r\n\r\n";

// Resident set size of this process (/proc/self/statm), in bytes.
inline std::size_t rssBytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Bytes the allocator has handed out and not had back (glibc's mallinfo2; ASan's own
// allocator count in the sanitizer build). Unlike RSS, it does not hide growth in memory
// freed by an earlier test.
inline std::size_t heapInUseBytes() {
#if NODECC_HOSTILE_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 m = ::mallinfo2();
    return m.uordblks + m.hblkhd;
#endif
}

// The peak of heapInUseBytes() above its value at construction, sampled on the loop every
// millisecond (an unref'd interval) and whenever sample() is called. Make it on the loop's
// thread after the Loop, read it there (or after the loop stopped).
class HeapPeak {
  public:
    HeapPeak() : base_(heapInUseBytes()), peak_(base_) {
        timer_ = timers::setInterval([this] { sample(); }, 1);
        timer_->unref();
    }
    ~HeapPeak() { timers::clearInterval(timer_); }
    HeapPeak(const HeapPeak&) = delete;
    HeapPeak& operator=(const HeapPeak&) = delete;
    void sample() { peak_ = std::max(peak_, heapInUseBytes()); }
    void rebase() { base_ = peak_ = heapInUseBytes(); }  // after the test's own allocations
    std::size_t growth() const { return peak_ - base_; }
    std::string kibText() const { return std::to_string(growth() / 1024) + " KiB"; }

  private:
    std::size_t base_;
    std::size_t peak_;
    timers::TimeoutPtr timer_;
};

inline long long kib(long long bytes) {
    return bytes / 1024;
}

// One row of the reliability table (stdout, flushed: the script greps it).
struct GoodVerdict;
void report(const std::string& name, const std::string& attack, const std::string& answer,
            const std::string& bound, const GoodVerdict& good);

// Whether bytes (or EOF) are ready on fd, without blocking.
inline bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

// The body of a response "…\r\n\r\n<body>".
inline std::string bodyOf(const std::string& response) {
    const auto p = response.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : response.substr(p + 4);
}

// What the well-behaved client saw.
struct GoodVerdict {
    bool ok = false;
    std::string summary;  // "<n> ok, <n> failed, max <ms> ms"
};

inline void report(const std::string& name, const std::string& attack, const std::string& answer,
                   const std::string& bound, const GoodVerdict& good) {
    std::printf("RELIABILITY|%s|%s|%s|%s|%s (%s)\n", name.c_str(), attack.c_str(), answer.c_str(),
                bound.c_str(), good.ok ? "yes" : "NO", good.summary.c_str());
    std::fflush(stdout);
}

// The well-behaved client: on a thread of its own, GET /good on a keep-alive
// connection every periodMs (reconnecting if the server closed it), until stop().
// The server answers /good with "good".
class GoodClient {
  public:
    explicit GoodClient(int port, int periodMs = 20) : port_(port), periodMs_(periodMs) {
        thread_ = std::thread([this] { run(); });
    }
    ~GoodClient() { stop(); }
    GoodClient(const GoodClient&) = delete;
    GoodClient& operator=(const GoodClient&) = delete;

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int ok() const { return ok_; }
    int failed() const { return failed_; }
    long long maxLatencyMs() const { return maxLatency_; }
    // Served at least `min` times, never failed, never slower than maxMs. (Latency is judged
    // in the plain build; ASan's build is many times slower under the heavy floods.)
    bool fine(int min = 3, long long maxMs = kSanitized ? 10000 : 1000) const {
        return ok_ >= min && failed_ == 0 && maxLatency_ <= maxMs;
    }
    std::string summary() const {
        return std::to_string(ok_) + " ok, " + std::to_string(failed_) + " failed, max " +
               std::to_string(maxLatency_) + " ms";
    }
    GoodVerdict stopAndJudge(int min = 3) {
        stop();
        return {fine(min), summary()};
    }

  private:
    void run() {
        std::unique_ptr<RawClient> c;
        for (bool last = false; !last;) {  // at least one request, however short the attack
            last = stop_;
            if (!c || c->peerClosed() || !c->connected()) c = std::make_unique<RawClient>(port_);
            const long long t0 = monotonicMs();
            const bool sent = c->send(kGood);
            const std::string got =
                sent ? c->readResponse(false, kSanitized ? 12000 : 3000) : std::string();
            const long long dt = monotonicMs() - t0;
            if (bodyOf(got) == "good") {
                ++ok_;
                maxLatency_ = std::max<long long>(maxLatency_, dt);
            } else {
                ++failed_;
                c.reset();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(periodMs_));
        }
    }

    int port_;
    int periodMs_;
    std::atomic<bool> stop_{false};
    std::atomic<int> ok_{0};
    std::atomic<int> failed_{0};
    std::atomic<long long> maxLatency_{0};
    std::thread thread_;
};

// Answers GET /good with "good"; true if it did.
inline bool serveGood(IncomingMessage& req, ServerResponse& res) {
    if (req.url() != "/good") return false;
    res.end("good");
    return true;
}

// Waits (from a client thread) until the server has no connection left; returns how many
// are left after 2 s at most.
inline std::size_t connectionsAfterSettling(Loop& loop, http::Server& server) {
    std::size_t n = 0;
    for (int i = 0; i < 100; ++i) {
        onLoop(loop, [&] { n = server.connections(); });
        if (n == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return n;
}

// What a test's attack left behind.
struct Aftermath {
    GoodVerdict good;
    std::size_t connectionsLeft = 0;
};

// Runs attack(port) on a client thread beside a GoodClient; then judges the good client
// and waits for the server's connections to go.
inline Aftermath attackBeside(Loop& loop, http::Server& server,
                              const std::function<void(int port)>& attack, int minGood = 3,
                              int timeoutMs = 10000) {
    Aftermath out;
    EXPECT_TRUE(runClient(
        loop, server,
        [&](int port) {
            GoodClient good(port);
            attack(port);
            out.good = good.stopAndJudge(minGood);
            out.connectionsLeft = connectionsAfterSettling(loop, server);
        },
        timeoutMs));
    EXPECT_TRUE(out.good.ok) << out.good.summary;
    EXPECT_EQ(out.connectionsLeft, 0u);
    return out;
}

}  // namespace nodecc::test::hostile
