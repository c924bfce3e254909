// A large response sent with res.end(Buffer) is not copied (DESIGN.md §5; workload W5 sends
// 1 MiB, which the loopback kernel usually takes at once): the body here is larger than the
// kernel's largest send buffer (tcp_wmem: 4 MiB) and the client's receive window is small,
// so part of every response is queued — as a share of the Buffer. No allocation of a
// body's size happens per request, and once warm no allocation at all.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "alloc_counter.hpp"
#include "alloc_server.hpp"
#include "net_test_support.hpp"
#include "nodecc/core/buffer.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {
namespace {

constexpr int kWarmUp = 5;
constexpr int kMeasured = 30;
constexpr std::size_t kBody = 8u << 20;

const char kRequest[] = "GET /big HTTP/1.1\r\nHost: example.test\r\n\r\n";

// A client with a small receive window, so that the kernel cannot take a whole body at once.
int smallWindowConnect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int size = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads one response of a known total size (head + body), starting a little late.
bool readResponse(int fd, std::size_t total, char* buf, std::size_t cap) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    while (total > 0) {
        const ssize_t n = ::recv(fd, buf, std::min(cap, total), 0);
        if (n <= 0) return false;
        total -= static_cast<std::size_t>(n);
    }
    return true;
}

struct Counts {
    std::size_t all = 0;
    std::size_t large = 0;
    std::size_t queuedResponses = 0;  // responses the kernel did not take at once
    bool ok = false;
};

Counts countBufferResponses(const Buffer& big) {
    Loop loop;
    std::size_t queued = 0;
    Ref<http::Server> server =
        http::createServer([&](http::IncomingMessage&, http::ServerResponse& res) {
            res.end(big);
            if (big.useCount() > 1) ++queued;
        });
    std::atomic<std::size_t> all{0};
    std::atomic<std::size_t> large{0};
    std::atomic<bool> ok{false};
    EXPECT_TRUE(serveOneClient(loop, *server, [&](int port) {
        const int fd = smallWindowConnect(port);
        if (fd < 0) return;
        static char buf[1 << 16];
        // The head's size, from the first response (its Date has a fixed width).
        ::send(fd, kRequest, sizeof kRequest - 1, MSG_NOSIGNAL);
        std::string head;
        while (head.find("\r\n\r\n") == std::string::npos) {
            char c = 0;
            if (::recv(fd, &c, 1, 0) != 1) return;
            head += c;
        }
        const std::size_t total = head.size() + kBody;
        bool good = readResponse(fd, kBody, buf, sizeof buf);
        std::size_t startAll = 0;
        std::size_t startLarge = 0;
        for (int round = 0; good && round < kWarmUp + kMeasured; ++round) {
            if (round == kWarmUp) {
                startAll = allocationCount();
                startLarge = largeAllocationCount();
            }
            good = ::send(fd, kRequest, sizeof kRequest - 1, MSG_NOSIGNAL) ==
                       static_cast<ssize_t>(sizeof kRequest - 1) &&
                   readResponse(fd, total, buf, sizeof buf);
        }
        all = allocationCount() - startAll;
        large = largeAllocationCount() - startLarge;
        ok = good;
        ::close(fd);
    }));
    return {all.load(), large.load(), queued, ok.load()};
}

TEST(HttpBufferAlloc, ALargeBufferResponseIsNotCopied) {
    const Counts c = countBufferResponses(Buffer::from(std::string(kBody, 'x')));
    ASSERT_TRUE(c.ok);
    EXPECT_GT(c.queuedResponses, 0u);  // the path under test was taken
    EXPECT_EQ(c.large, 0u);
    EXPECT_EQ(static_cast<double>(c.all) / kMeasured, 0.0);
}

// Buffer::sealed: sendfile, and the rest from the mapping.
TEST(HttpBufferAlloc, ALargeSealedBufferResponseIsNotCopied) {
    const Counts c = countBufferResponses(Buffer::sealed(std::string(kBody, 'x')));
    ASSERT_TRUE(c.ok);
    EXPECT_GT(c.queuedResponses, 0u);
    EXPECT_EQ(c.large, 0u);
    EXPECT_EQ(static_cast<double>(c.all) / kMeasured, 0.0);
}

}  // namespace
}  // namespace nodecc::test
