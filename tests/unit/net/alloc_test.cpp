// The hot path allocates nothing (DESIGN.md §5): an echo round trip — try-write, a read
// into the shared per-loop buffer, a typed 'data' emit — in steady state.
// This executable's operator new counts allocations (it only counts; behaviour is unchanged).
#include <atomic>
#include <cstdlib>
#include <new>

#include "net_test_util.hpp"

namespace {
std::atomic<long> gAllocations{0};
}  // namespace

void* operator new(std::size_t n) {
    gAllocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace nodecc::test {
namespace {

TEST(NetAlloc, EchoRoundTripsAllocateNothingInSteadyState) {
    Loop loop;
    const std::string message(1024, 'm');
    int rounds = 0;
    long before = 0;
    long during = -1;
    std::size_t got = 0;
    Ref<net::Socket> client;
    Ref<net::Server> server = echoServer();
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] { client->write(message); });
        client->on(net::Socket::kData, [&](std::string_view d) {
            got += d.size();
            if (got < message.size()) return;
            got = 0;
            if (++rounds == 100) before = gAllocations.load();  // after warm-up
            if (rounds == 1100) {
                during = gAllocations.load() - before;
                client->destroy();
                server->close();
                return;
            }
            client->write(message);
        });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(rounds, 1100);
    EXPECT_EQ(during, 0) << "allocations in 1000 echo round trips";
}

}  // namespace
}  // namespace nodecc::test
