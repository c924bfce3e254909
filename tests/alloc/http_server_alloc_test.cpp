// A keep-alive or pipelining client of a running http::Server costs the server no heap
// allocation per request once the connection is warm (issue 6; DESIGN.md §5): the
// IncomingMessage / ServerResponse pair, the parser, header storage, the response head and
// the socket's output all reuse what earlier requests left behind.
//
// The client is a plain blocking socket on a second thread that allocates nothing while it
// is measured; the counter is process-wide, so every allocation of the loop thread counts.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "alloc_counter.hpp"
#include "alloc_server.hpp"
#include "net_test_support.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {
namespace {

constexpr int kWarmUp = 200;
constexpr int kMeasured = 2000;

const char kRequest[] = "GET / HTTP/1.1\r\nHost: example.test\r\nUser-Agent: alloc-test\r\n\r\n";

// Reads until `expectedResponses` complete responses (each ends with the known body) arrived.
bool readResponses(int fd, int expectedResponses, char* buf, std::size_t cap) {
    static constexpr std::string_view kBody = "Hello, World!";
    int seen = 0;
    std::size_t kept = 0;  // tail of the previous read, in case the body was split
    while (seen < expectedResponses) {
        const ssize_t n = ::recv(fd, buf + kept, cap - kept, 0);
        if (n <= 0) return false;
        const std::string_view data(buf, kept + static_cast<std::size_t>(n));
        std::size_t pos = 0;
        while ((pos = data.find(kBody, pos)) != std::string_view::npos) {
            ++seen;
            pos += kBody.size();
        }
        // Keep the last few bytes: a body split across reads is found next time.
        const std::size_t keep = std::min(data.size(), kBody.size() - 1);
        const std::size_t lastMatchEnd =
            data.rfind(kBody) == std::string_view::npos ? 0 : data.rfind(kBody) + kBody.size();
        const std::size_t from = std::max(data.size() - keep, lastMatchEnd);
        kept = data.size() - from;
        std::memmove(buf, buf + from, kept);
    }
    return true;
}

// Runs `rounds` rounds of `depth` pipelined requests each over one connection and returns
// the allocations of the measured rounds, per request.
double allocationsPerRequest(int depth) {
    Loop loop;
    Ref<http::Server> server =
        http::createServer([](http::IncomingMessage&, http::ServerResponse& res) {
            res.setHeader("Content-Type", "text/plain");
            res.end("Hello, World!");
        });
    std::string burst;
    for (int i = 0; i < depth; ++i) burst += kRequest;
    std::atomic<std::size_t> measured{0};
    std::atomic<bool> ok{false};
    EXPECT_TRUE(serveOneClient(loop, *server, [&](int port) {
        const int fd = rawConnect("127.0.0.1", port);
        if (fd < 0) return;
        static char buf[1 << 16];
        bool good = true;
        std::size_t start = 0;
        for (int round = 0; good && round < kWarmUp + kMeasured; ++round) {
            if (round == kWarmUp) start = allocationCount();
            good = ::send(fd, burst.data(), burst.size(), MSG_NOSIGNAL) ==
                       static_cast<ssize_t>(burst.size()) &&
                   readResponses(fd, depth, buf, sizeof buf);
        }
        measured = allocationCount() - start;
        ok = good;
        ::close(fd);
    }));
    EXPECT_TRUE(ok.load());
    return static_cast<double>(measured.load()) / (kMeasured * depth);
}

TEST(HttpServerAlloc, KeepAliveRequestAllocatesNothing) {
    EXPECT_EQ(allocationsPerRequest(1), 0.0);
}

TEST(HttpServerAlloc, PipelinedRequestsAllocateNothing) {
    EXPECT_EQ(allocationsPerRequest(16), 0.0);
}

}  // namespace
}  // namespace nodecc::test
