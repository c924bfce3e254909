// bench/net load generator (single thread, epoll, loopback).
//   loadgen throughput <port> <connections> <seconds> <messageBytes> <window>
//     each connection streams messages and keeps at most <window> messages
//     unanswered; prints the echoed MiB/s and the MiB echoed in total.
//   loadgen connect <port> <concurrency> <seconds>
//     each slot: connect, send 1 byte, read the echo, shutdown(WR), read EOF,
//     close; prints completed connections per second and their number.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connectTo(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
        std::perror("connect");
        std::exit(1);
    }
    return fd;
}

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

int throughput(int port, int conns, double secs, std::size_t msg, std::size_t window) {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    struct Conn {
        int fd;
        std::size_t sent = 0;
        std::size_t received = 0;
    };
    std::vector<Conn> cs(static_cast<std::size_t>(conns));
    const std::string out(msg, 'e');
    std::vector<char> in(1 << 20);
    for (std::size_t i = 0; i < cs.size(); ++i) {
        cs[i].fd = connectTo(port);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    const auto start = Clock::now();
    std::size_t received = 0;
    std::vector<epoll_event> evs(64);
    while (seconds(start, Clock::now()) < secs) {
        const int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
        for (int k = 0; k < n; ++k) {
            Conn& c = cs[evs[k].data.u64];
            if (evs[k].events & EPOLLIN) {
                const ssize_t r = ::read(c.fd, in.data(), in.size());
                if (r > 0) {
                    c.received += static_cast<std::size_t>(r);
                    received += static_cast<std::size_t>(r);
                } else if (r == 0) {
                    std::fprintf(stderr, "server closed\n");
                    return 1;
                }
            }
            if (evs[k].events & EPOLLOUT) {
                while (c.sent - c.received < window * msg) {
                    const std::size_t off = c.sent % msg;
                    const ssize_t w = ::send(c.fd, out.data() + off, msg - off, MSG_NOSIGNAL);
                    if (w <= 0) break;
                    c.sent += static_cast<std::size_t>(w);
                }
            }
        }
    }
    const double elapsed = seconds(start, Clock::now());
    for (auto& c : cs) ::close(c.fd);
    // rate, then the total (MiB) for per-unit CPU accounting
    const double mib = static_cast<double>(received) / (1024.0 * 1024.0);
    std::printf("%.1f %.1f\n", mib / elapsed, mib);
    return 0;
}

int connectRate(int port, int concurrency, double secs) {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    enum State { kConnecting, kAwaitEcho, kAwaitEof };
    struct Slot {
        int fd = -1;
        State state = kConnecting;
    };
    std::vector<Slot> slots(static_cast<std::size_t>(concurrency));
    auto open = [&](std::size_t i) {
        slots[i].fd = connectTo(port);
        slots[i].state = kConnecting;
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, slots[i].fd, &ev);
    };
    for (std::size_t i = 0; i < slots.size(); ++i) open(i);
    const auto start = Clock::now();
    std::size_t done = 0;
    std::vector<epoll_event> evs(256);
    char buf[256];
    while (seconds(start, Clock::now()) < secs) {
        const int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
        for (int k = 0; k < n; ++k) {
            const std::size_t i = evs[k].data.u64;
            Slot& s = slots[i];
            if (s.state == kConnecting) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    std::fprintf(stderr, "connect: %s\n", std::strerror(err));
                    return 1;
                }
                ::send(s.fd, "x", 1, MSG_NOSIGNAL);
                s.state = kAwaitEcho;
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.u64 = i;
                ::epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
                continue;
            }
            const ssize_t r = ::read(s.fd, buf, sizeof buf);
            if (r < 0 && errno == EAGAIN) continue;
            if (s.state == kAwaitEcho && r > 0) {
                ::shutdown(s.fd, SHUT_WR);
                s.state = kAwaitEof;
                continue;
            }
            // EOF (or an error): this connection is complete.
            ::close(s.fd);
            ++done;
            open(i);
        }
    }
    const double elapsed = seconds(start, Clock::now());
    std::printf("%.0f %zu\n", static_cast<double>(done) / elapsed, done);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 7 && std::strcmp(argv[1], "throughput") == 0) {
        return throughput(std::atoi(argv[2]), std::atoi(argv[3]), std::atof(argv[4]),
                          std::strtoul(argv[5], nullptr, 10), std::strtoul(argv[6], nullptr, 10));
    }
    if (argc >= 5 && std::strcmp(argv[1], "connect") == 0) {
        return connectRate(std::atoi(argv[2]), std::atoi(argv[3]), std::atof(argv[4]));
    }
    std::fprintf(stderr,
                 "usage: loadgen throughput <port> <conns> <secs> <msgBytes> <window>\n"
                 "       loadgen connect <port> <concurrency> <secs>\n");
    return 2;
}
