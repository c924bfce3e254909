// Shared by the hostile-client tests (tests/e2e/hostile/): a real http::Server on
// 127.0.0.1 with short timeouts, raw attacker sockets on client threads, and a
// well-behaved client that must keep being served meanwhile.
//
// Every test states a memory bound and prints one machine-readable line
//   RELIABILITY|<case>|<what the attacker did>|<server answer>|<bound measured>|<good client>
// that scripts/reliability.sh turns into the table of docs/SECURITY.md.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

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

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// Timing slack on top of a timeout: the sanitizer build runs several times slower.
inline constexpr long long kSlackMs = kSanitized ? 400 : 150;

inline constexpr const char* kGood = "GET /good HTTP/1.1\r\nHost: x\r\n\r\n";

// Resident set size of this process (/proc/self/statm), in bytes.
inline std::size_t rssBytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

inline long long kib(long long bytes) {
    return bytes / 1024;
}

// One row of the reliability table (stdout, flushed: the script greps it).
inline void report(const std::string& name, const std::string& attack, const std::string& answer,
                   const std::string& bound, bool goodOk) {
    std::printf("RELIABILITY|%s|%s|%s|%s|%s\n", name.c_str(), attack.c_str(), answer.c_str(),
                bound.c_str(), goodOk ? "yes" : "NO");
    std::fflush(stdout);
}

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
    std::string summary;
};

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
    // Served at least `min` times, never failed, never slower than maxMs.
    bool fine(int min = 3, long long maxMs = kSanitized ? 2000 : 1000) const {
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
        while (!stop_) {
            if (!c || c->peerClosed() || !c->connected()) c = std::make_unique<RawClient>(port_);
            const long long t0 = monotonicMs();
            const bool sent = c->send(kGood);
            const std::string got = sent ? c->readResponse(false, 3000) : std::string();
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

}  // namespace nodecc::test::hostile
