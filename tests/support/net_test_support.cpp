#include "net_test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "nodecc/process/loop.hpp"

namespace nodecc::test {

double slowdownFactor() {
    static const double factor = [] {
        const char* env = std::getenv("NODECC_TEST_SLOWDOWN");
        if (env == nullptr || *env == '\0') return 1.0;
        char* end = nullptr;
        const double f = std::strtod(env, &end);
        return (end != env && f > 1.0 && f <= 1000.0) ? f : 1.0;
    }();
    return factor;
}

bool runLoop(Loop& loop, int timeoutMs) {
    struct Guard {
        uv_timer_t timer{};
        bool fired = false;
    };
    auto* g = new Guard;
    uv_timer_init(loop.uv(), &g->timer);
    g->timer.data = g;
    uv_timer_start(
        &g->timer,
        [](uv_timer_t* t) {
            static_cast<Guard*>(t->data)->fired = true;
            uv_stop(t->loop);
        },
        static_cast<std::uint64_t>(static_cast<double>(timeoutMs) * slowdownFactor()), 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&g->timer));
    loop.run();
    const bool ok = !g->fired;
    uv_close(reinterpret_cast<uv_handle_t*>(&g->timer),
             [](uv_handle_t* h) { delete static_cast<Guard*>(h->data); });
    if (ok) loop.runOnce(false);  // runs the guard's close callback
    return ok;
}

int rawConnect(const std::string& ip, int port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (ip.find(':') != std::string::npos) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr);
        len = sizeof *in6;
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET, ip.c_str(), &in4->sin_addr);
        len = sizeof *in4;
    }
    const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int e = errno;
        ::close(fd);
        return -e;
    }
    return fd;
}

int rawConnectPath(const std::string& path) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
        const int e = errno;
        ::close(fd);
        return -e;
    }
    return fd;
}

void setNonBlocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void setLingerReset(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

std::size_t writeUntilBlocked(int fd, std::size_t max) {
    static const std::string chunk(64 * 1024, 'p');
    std::size_t total = 0;
    while (total < max) {
        const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) break;
        total += static_cast<std::size_t>(n);
    }
    return total;
}

std::string readAll(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::string readExactly(int fd, std::size_t n) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
        const ssize_t r = ::read(fd, buf, std::min(sizeof buf, n - out.size()));
        if (r <= 0) break;
        out.append(buf, static_cast<std::size_t>(r));
    }
    return out;
}

void writeAll(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

bool ipv6LoopbackAvailable() {
    const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

std::string tempSocketPath(const std::string& name) {
    static std::atomic<int> counter{0};
    std::string path = (std::filesystem::temp_directory_path() /
                        ("nodecc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                         "-" + name + ".sock"))
                           .string();
    ::unlink(path.c_str());
    return path;
}

std::size_t openDescriptorCount() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

FdLimit::FdLimit(unsigned long softLimit) {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    saved_ = rl.rlim_cur;
    rl.rlim_cur = softLimit;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

FdLimit::~FdLimit() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = saved_;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace nodecc::test
