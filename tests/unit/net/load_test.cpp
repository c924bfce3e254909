// Many connections, and running out of descriptors (EMFILE) without spinning.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

TEST(NetLoad, ThousandConcurrentConnectionsEcho) {
    constexpr int kClients = 1000;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2 * kClients + 64) GTEST_SKIP() << "RLIMIT_NOFILE too low";
    Loop loop;
    Ref<net::Server> server = echoServer();
    int done = 0;
    int mismatches = 0;
    std::size_t peak = 0;
    server->on(net::Server::kConnection,
               [&](net::Socket&) { peak = std::max(peak, server->connections()); });
    net::ListenOptions options;
    options.host = "127.0.0.1";
    options.backlog = 2048;
    server->listen(options, [&] {
        const int port = portOf(*server);
        for (int i = 0; i < kClients; ++i) {
            auto c = net::connect(port, "127.0.0.1");
            auto msg = std::make_shared<std::string>("client " + std::to_string(i) + " says hi");
            auto got = std::make_shared<std::string>();
            c->on(net::Socket::kConnect, [c = c.get(), msg] { c->end(*msg); });
            c->on(net::Socket::kData, [got](std::string_view d) { *got += d; });
            c->on(net::Socket::kClose, [&, msg, got](bool hadError) {
                if (hadError || *got != *msg) ++mismatches;
                if (++done == kClients) server->close();
            });
        }
    });
    ASSERT_TRUE(runLoop(loop, 25000));
    EXPECT_EQ(done, kClients);
    EXPECT_EQ(mismatches, 0);
    EXPECT_GT(peak, 1u);
}

// Highest open descriptor + 1.
int fdCeiling() {
    int top = 0;
    for (int fd = 0; fd < 65536; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) top = fd + 1;
    }
    return top;
}

// UBSan checks a polymorphic type the first time it meets it by probing memory through
// a pipe; without free descriptors that probe fails and is reported as a bad type. One
// full accept / read / write / timer / close cycle first makes every type the starved
// server uses a known one. (Without sanitizers this costs one loopback connection.)
void warmUpTypes(Loop& loop) {
    bool closed = false;
    Ref<net::Server> server = net::createServer(
        [](net::Socket& s) { s.on(net::Socket::kData, [&s](std::string_view d) { s.end(d); }); });
    server->listen(0, "127.0.0.1", [&] {
        timers::clearTimeout(timers::setTimeout([] {}, 1));
        auto client = net::connect(portOf(*server), "127.0.0.1");
        client->on(net::Socket::kData, [c = client.get()](std::string_view) { c->destroy(); });
        client->on(net::Socket::kClose, [&](bool) {
            closed = true;
            server->close();
        });
        client->write("warm-up");
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_TRUE(closed);
}

// EMFILE must neither spin the loop nor stop the server: the clients beyond the limit
// wait in the backlog and are served once descriptors are free again.
TEST(NetLoad, RunningOutOfDescriptorsBacksOffAndRecovers) {
    constexpr int kClients = 6;
    Loop loop;
    warmUpTypes(loop);
    std::vector<Ref<net::Socket>> accepted;
    std::vector<std::string> messages;
    std::vector<int> clients;
    std::vector<int> placeholders;
    std::optional<FdLimit> limit;
    net::AcceptStats duringStarvation;
    bool starvationChecked = false;

    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        accepted.emplace_back(&s);
        s.on(net::Socket::kData, [&s, &messages](std::string_view d) {
            messages.emplace_back(d);
            s.destroy();  // frees a descriptor: the server retries accepting at once
        });
    });
    server->on(net::Server::kError, [](const Error& e) { ADD_FAILURE() << e.what(); });
    server->listen(0, "127.0.0.1", [&] {
        const int port = portOf(*server);
        for (int i = 0; i < kClients; ++i) {
            const int fd = rawConnect("127.0.0.1", port);
            ASSERT_GE(fd, 0);
            writeAll(fd, "client " + std::to_string(i));
            clients.push_back(fd);
        }
        // No descriptor left below the limit: fill the holes below the ceiling, take one
        // more at the top (so there is always a placeholder to free later, even when the
        // table has no holes), then cap the limit just above it.
        const int ceiling = fdCeiling();
        int top = -1;
        for (;;) {
            const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            ASSERT_GE(fd, 0);
            placeholders.push_back(fd);
            if (fd >= ceiling) {
                top = fd;
                break;
            }
        }
        limit.emplace(static_cast<unsigned long>(top + 1));
        // Let the server starve for 300 ms, then free one descriptor that is not its own.
        timers::setTimeout(
            [&] {
                duringStarvation = server->acceptStats();
                starvationChecked = true;
                EXPECT_TRUE(accepted.empty());
                ASSERT_FALSE(placeholders.empty());
                ::close(placeholders.back());
                placeholders.pop_back();
            },
            300);
    });
    server->on(net::Server::kConnection, [&](net::Socket&) {
        if (accepted.size() == static_cast<std::size_t>(kClients)) server->close();
    });
    const bool finished = runLoop(loop, 20000);
    limit.reset();
    for (int fd : clients) ::close(fd);
    for (int fd : placeholders) ::close(fd);
    ASSERT_TRUE(finished);
    ASSERT_TRUE(starvationChecked);
    // 300 ms of EMFILE with back-off 10, 20, 40, 80, 160 ms: a handful of attempts, not a spin.
    EXPECT_GE(duringStarvation.fdExhausted, 1u);
    EXPECT_LE(duringStarvation.acceptCalls, 10u);
    EXPECT_LE(duringStarvation.wakeups, 10u);
    EXPECT_EQ(duringStarvation.accepted, 0u);
    EXPECT_EQ(accepted.size(), static_cast<std::size_t>(kClients));
    ASSERT_EQ(messages.size(), static_cast<std::size_t>(kClients));
    std::sort(messages.begin(), messages.end());
    for (int i = 0; i < kClients; ++i) EXPECT_EQ(messages[i], "client " + std::to_string(i));
}

}  // namespace
}  // namespace nodecc::test
