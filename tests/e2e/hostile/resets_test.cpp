// Client resets (SO_LINGER {1, 0}, then close: an RST) at every phase, in batches beside a
// well-behaved client: mid-head, mid-body, mid-response (a 4 MiB response), and before a
// handler that answers from a timer after the client left. Nothing may crash, every
// dispatched response gets 'close', and no request, response or connection is left.
// The single-connection event orders are tests/unit/http/server_request_test.cpp
// ResetMidBodyAbortsTheRequest and server_lifetime_test.cpp EndAfterClientIsGoneIsANoOp;
// destroy() from inside 'connection', 'request', 'data', 'end', 'finish', 'close',
// 'checkContinue', 'clientError', 'upgrade', 'timeout' and 'dropRequest' is
// server_lifetime_test.cpp ServerDestroyInEvent.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hostile_util.hpp"

namespace nodecc::test::hostile {
namespace {

// 50 connections per phase, reset together once the server has had 50 ms with them.
TEST(HostileResets, ResetsAtEveryPhaseLeaveNothingBehind) {
    constexpr int kPerPhase = 50;
    Census::requests = Census::responses = 0;
    std::map<std::string, int> dispatched, closed, aborted;
    int lateEnds = 0, lateEndsAfterClose = 0;
    std::map<std::string, int> clientErrors;
    std::size_t heapGrowth = 0, left = 0;
    GoodVerdict verdict;
    {
        Loop loop;
        http::ServerOptions options = counted();
        const auto big = std::make_shared<std::string>(4u << 20, 'B');
        auto server = http::createServer(options, [&](IncomingMessage& req, ServerResponse& res) {
            if (serveGood(req, res)) return;
            const std::string url(req.url());
            ++dispatched[url];
            res.on(http::kResponseClose, [&closed, url] { ++closed[url]; });
            req.on(http::kAborted, [&aborted, url] { ++aborted[url]; });
            if (url == "/body") {
                req.on(http::kData, [](std::string_view) {});
            } else if (url == "/big") {
                res.end(*big);
            } else if (url == "/late") {
                Ref<ServerResponse> r(&res);
                setTimeout(
                    [r, &lateEnds, &lateEndsAfterClose] {
                        ++lateEnds;
                        lateEndsAfterClose += r->destroyed() ? 1 : 0;
                        r->end("too late");
                    },
                    150);
            }
        });
        // Node's default answer still runs (the listener only counts): it writes nothing
        // into a reset socket. Counted to show which error each phase produced.
        server->on(http::kClientError, [&](const Error& e, net::Socket& s) {
            ++clientErrors[e.code()];
            s.destroy();
        });
        HeapPeak heap;
        ASSERT_TRUE(runClient(
            loop, *server,
            [&](int port) {
                GoodClient good(port);
                const auto phase = [port](const std::string& bytes, std::size_t readFirst) {
                    std::vector<std::unique_ptr<RawClient>> conns;
                    for (int i = 0; i < kPerPhase; ++i) {
                        conns.push_back(std::make_unique<RawClient>(port));
                        conns.back()->send(bytes);
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    for (auto& c : conns) {
                        if (readFirst > 0) c->readExactly(readFirst, 2000);
                        c->reset();
                    }
                };
                phase("GET /head HTTP/1.1\r\nHost: x\r\nX-Partial: abc", 0);
                phase("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                          std::string(1000, 'b'),
                      0);
                phase("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 65536);
                phase("GET /late HTTP/1.1\r\nHost: x\r\n\r\n", 0);
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                verdict = good.stopAndJudge();
                left = connectionsAfterSettling(loop, *server);
            },
            10000));
        heapGrowth = heap.growth();
    }
    EXPECT_EQ(dispatched.count("/head"), 0u);
    EXPECT_EQ(dispatched["/body"], kPerPhase);
    EXPECT_EQ(dispatched["/big"], kPerPhase);
    EXPECT_EQ(dispatched["/late"], kPerPhase);
    EXPECT_EQ(closed["/body"], kPerPhase);
    EXPECT_EQ(closed["/big"], kPerPhase);
    EXPECT_EQ(closed["/late"], kPerPhase);
    // Node: a request not read to its end is aborted (IncomingMessage._destroy): every body,
    // every unread /late request; a /big one only if its response had not finished.
    EXPECT_EQ(aborted["/body"], kPerPhase);
    EXPECT_EQ(aborted["/late"], kPerPhase);
    EXPECT_EQ(lateEnds, kPerPhase);
    EXPECT_EQ(lateEndsAfterClose, kPerPhase);
    EXPECT_EQ(Census::requests, 0);
    EXPECT_EQ(Census::responses, 0);
    EXPECT_EQ(left, 0u);
    // The handlers' own 4 MiB responses may all be buffered at once (the application's
    // choice): the bound is those bytes plus 16 MiB.
    EXPECT_LT(heapGrowth, memoryBound(kPerPhase * (4u << 20) + (16u << 20)));
    EXPECT_TRUE(verdict.ok) << verdict.summary;
    std::string errors;
    for (const auto& [code, n] : clientErrors) {
        errors += (errors.empty() ? "" : ", ") + code + " ×" + std::to_string(n);
    }
    std::printf("resets: clientError %s; heap peak +%zu KiB\n", errors.c_str(), heapGrowth / 1024);
    report("resets",
           "4 × 50 connections reset (RST) mid-head, mid-body, mid-response, before a late end()",
           "no crash; 'aborted' for the bodies, 'close' on all " + std::to_string(3 * kPerPhase) +
               " responses; late end() a no-op",
           "0 requests, responses, connections left; heap peak +" +
               std::to_string(heapGrowth / 1024) + " KiB (50 × 4 MiB responses in flight)",
           verdict);
}

}  // namespace
}  // namespace nodecc::test::hostile
