// net::Socket over an existing descriptor (Node: new net.Socket({ fd })).
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

Ref<net::Socket> fromFd(int fd) {
    net::SocketOptions options;
    options.fd = fd;
    return net::Socket::create(options);
}

TEST(NetSocketFd, SocketpairEchoesBothWaysThenEndAndClose) {
    Loop loop;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    Ref<net::Socket> a = fromFd(fds[0]);
    Ref<net::Socket> b = fromFd(fds[1]);
    EXPECT_EQ(a->readyState(), "open");
    EXPECT_FALSE(a->pending());
    std::string atA;
    std::string atB;
    std::vector<std::string> events;
    // b echoes what it gets; a sends, then ends once its bytes came back.
    b->on(net::Socket::kData, [&](std::string_view d) {
        atB += d;
        b->write(d);
    });
    b->on(net::Socket::kEnd, [&] { events.push_back("b end"); });
    b->on(net::Socket::kClose, [&](bool e) { events.push_back(e ? "b close error" : "b close"); });
    a->on(net::Socket::kData, [&](std::string_view d) {
        atA += d;
        if (atA == "ping pong") a->end();
    });
    a->on(net::Socket::kEnd, [&] { events.push_back("a end"); });
    a->on(net::Socket::kClose, [&](bool e) { events.push_back(e ? "a close error" : "a close"); });
    a->write("ping ");
    a->write("pong");
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(atB, "ping pong");
    EXPECT_EQ(atA, "ping pong");
    // b (no allowHalfOpen) ends its side after a's FIN; then both close.
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0], "b end");
    EXPECT_NE(std::find(events.begin(), events.end(), "a end"), events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "a close"), events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "b close"), events.end());
    EXPECT_EQ(a->readyState(), "closed");
    EXPECT_EQ(b->bytesRead(), 9u);
    EXPECT_EQ(a->bytesWritten(), 9u);
    // The descriptors were the sockets' to close.
    EXPECT_EQ(::fcntl(fds[0], F_GETFD), -1);
    EXPECT_EQ(::fcntl(fds[1], F_GETFD), -1);
}

TEST(NetSocketFd, BytesSentBeforeWrappingAreRead) {
    Loop loop;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    writeAll(fds[1], "early");
    ::shutdown(fds[1], SHUT_WR);
    Ref<net::Socket> a = fromFd(fds[0]);
    std::string got;
    bool ended = false;
    std::optional<bool> closed;
    a->on(net::Socket::kData, [&](std::string_view d) { got += d; });
    a->on(net::Socket::kEnd, [&] { ended = true; });
    a->on(net::Socket::kClose, [&](bool e) { closed = e; });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(got, "early");
    EXPECT_TRUE(ended);
    EXPECT_EQ(closed, false);
    EXPECT_EQ(readAll(fds[1]), "");  // a ended its side too
    ::close(fds[1]);
}

TEST(NetSocketFd, TcpDescriptorKnowsItsAddresses) {
    Loop loop;
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    ASSERT_EQ(::listen(listener, 1), 0);
    socklen_t len = sizeof sin;
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&sin), &len), 0);
    const int client = rawConnect("127.0.0.1", ntohs(sin.sin_port));
    const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(accepted, 0);
    ::close(listener);
    Ref<net::Socket> s = fromFd(accepted);
    EXPECT_EQ(s->remoteAddress(), "127.0.0.1");
    EXPECT_EQ(s->localPort(), ntohs(sin.sin_port));
    EXPECT_EQ(s->remoteFamily(), "IPv4");
    std::string got;
    s->on(net::Socket::kData, [&](std::string_view d) {
        got += d;
        s->end("bye");
    });
    writeAll(client, "hi");
    ::shutdown(client, SHUT_WR);
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(got, "hi");
    EXPECT_EQ(readAll(client), "bye");
    ::close(client);
}

TEST(NetSocketFd, UnsupportedDescriptorThrowsInvalidFdTypeAndStaysOpen) {
    Loop loop;
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    const int fd = ::fileno(file);
    try {
        fromFd(fd);
        ADD_FAILURE() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "ERR_INVALID_FD_TYPE");
        EXPECT_STREQ(e.what(), "Unsupported fd type: FILE");
    }
    EXPECT_NE(::fcntl(fd, F_GETFD), -1);
    std::fclose(file);
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    try {
        fromFd(udp);
        ADD_FAILURE() << "no throw";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "Unsupported fd type: UDP");
    }
    ::close(udp);
    ASSERT_TRUE(runLoop(loop));
}

}  // namespace
}  // namespace nodecc::test
