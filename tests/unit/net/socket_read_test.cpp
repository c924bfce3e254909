// net::Socket reads larger than Node's 64 KiB: one read(2) may take several 64 KiB chunks;
// they reach 'data' (and a consumer) as the chunks of Node's 64 KiB reads would, in order,
// with pause() and destroy() between them obeyed.
//
// The peer is a unix domain socket: its whole write is queued at the receiver before the
// server reads, so the first read takes all of it (a TCP window could split it).
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kSent = 2 * kChunk + 18928;  // two whole chunks and a part

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
    return s;
}

// Writes all of `bytes` to the raw peer while the server's socket is paused (the kernel
// holds them), then runs `onSocket` on the server's socket; it resumes the socket.
struct BurstPeer {
    Loop loop;
    int fd = -1;
    std::string sent = pattern(kSent);
    std::string path = tempSocketPath("read-burst");

    template <class OnSocket>
    void run(OnSocket&& onSocket) {
        Ref<net::Server> server = net::createServer([&](net::Socket& s) {
            s.pause();
            setNonBlocking(fd);
            const ssize_t n = ::write(fd, sent.data(), sent.size());
            ASSERT_EQ(n, static_cast<ssize_t>(sent.size())) << errno;
            ::shutdown(fd, SHUT_WR);
            s.on(net::Socket::kClose, [&](bool) { server->close(); });
            onSocket(s);
        });
        server->listenPath(path, [&] { fd = rawConnectPath(path); });
        ASSERT_TRUE(runLoop(loop));
        ::close(fd);
        ::unlink(path.c_str());
    }
};

TEST(NetSocketRead, ABurstLargerThan64KiBArrivesIn64KiBChunksInOrder) {
    BurstPeer peer;
    std::vector<std::size_t> sizes;
    std::string got;
    int ticksBetween = 0;
    bool ended = false;
    peer.run([&](net::Socket& s) {
        s.on(net::Socket::kData, [&](std::string_view d) {
            // Node drains its ticks after each read's callback: a tick queued here runs
            // before the next chunk.
            if (!sizes.empty()) {
                EXPECT_EQ(ticksBetween, static_cast<int>(sizes.size()));
            }
            sizes.push_back(d.size());
            got.append(d);
            process::nextTick([&] { ++ticksBetween; });
        });
        s.on(net::Socket::kEnd, [&] { ended = true; });
        s.resume();
    });
    EXPECT_EQ(sizes, (std::vector<std::size_t>{kChunk, kChunk, kSent - 2 * kChunk}));
    EXPECT_TRUE(got == peer.sent);
    EXPECT_TRUE(ended);
}

TEST(NetSocketRead, PauseInAChunkHoldsTheRestUntilResume) {
    BurstPeer peer;
    std::vector<std::size_t> sizes;
    std::string got;
    std::uint64_t readWhilePaused = 0;
    std::size_t chunksWhilePaused = 0;
    peer.run([&](net::Socket& s) {
        s.on(net::Socket::kData, [&](std::string_view d) {
            sizes.push_back(d.size());
            got.append(d);
            if (sizes.size() != 1) return;
            s.pause();
            Ref<net::Socket> keep(&s);
            timers::setTimeout(
                [&, keep] {
                    chunksWhilePaused = sizes.size();
                    readWhilePaused = keep->bytesRead();
                    keep->resume();
                },
                20);
        });
        s.resume();
    });
    EXPECT_EQ(chunksWhilePaused, 1u);
    EXPECT_GE(readWhilePaused, kChunk);
    EXPECT_EQ(sizes, (std::vector<std::size_t>{kChunk, kChunk, kSent - 2 * kChunk}));
    EXPECT_TRUE(got == peer.sent);
}

TEST(NetSocketRead, DestroyInAChunkDropsTheRest) {
    BurstPeer peer;
    std::vector<std::size_t> sizes;
    bool closed = false;
    peer.run([&](net::Socket& s) {
        s.on(net::Socket::kData, [&](std::string_view d) {
            sizes.push_back(d.size());
            s.destroy();
        });
        s.on(net::Socket::kClose, [&](bool) { closed = true; });
        s.resume();
    });
    EXPECT_EQ(sizes, (std::vector<std::size_t>{kChunk}));
    EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace nodecc::test
