// The end of an exchange, tick by tick: 'finish' on the response, then on later ticks the
// request's 'end' and 'close' (resOnFinish dumps it) and the response's 'close' (emitCloseNT).
// A listener, a tick or a Ref held by the user sees them in Node's order and at Node's
// moment whether or not anyone else listens; objects nobody holds may skip what nobody can
// see. Recorded with Node v20 (a three-request pipeline, one scenario per request).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "nodecc/events/process.hpp"
#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

using Log = std::vector<std::string>;

// Two GETs, one after the other: the first exchange's ticks ran before the second is read.
void getTwice(int port) {
    RawClient c(port);
    c.send(kGet);
    EXPECT_EQ(statusOf(c.readResponse()), 200);
    c.send(kGet);
    EXPECT_EQ(statusOf(c.readResponse()), 200);
}

std::string flags(const IncomingMessage& req, const ServerResponse& res) {
    return std::string(" ended=") + (req.readableEnded() ? "true" : "false") +
           " destroyed=" + (req.destroyed() ? "true" : "false") +
           " resdestroyed=" + (res.destroyed() ? "true" : "false");
}

// A tick chain that holds the request and the response, looks at them on every tick and
// starts listening on the second.
void step(Log* log, Ref<IncomingMessage> req, Ref<ServerResponse> res, int k) {
    log->push_back("2:tick" + std::to_string(k) + flags(*req, *res));
    if (k == 2) {
        req->on(http::kEnd, [log] { log->push_back("2:req end"); });
        req->on(http::kClose, [log] { log->push_back("2:req close"); });
        res->on(http::kResponseClose, [log] { log->push_back("2:res close"); });
    }
    if (k < 6) process::nextTick([=] { step(log, req, res, k + 1); });
}

std::string pipelineOf(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += kGet;
    return out;
}

TEST(ServerExchangeOrder, ListenersTicksAndHeldObjectsSeeTheEndOfAnExchange) {
    Loop loop;
    Log log;
    int n = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        const int id = ++n;
        if (id == 1) {
            req.on(http::kEnd, [&] { log.push_back("1:req end"); });
            req.on(http::kClose, [&] { log.push_back("1:req close"); });
            res.on(http::kFinish, [&] {
                log.push_back("1:res finish");
                process::nextTick([&] { log.push_back("1:tick after finish"); });
            });
            res.on(http::kResponseClose, [&] { log.push_back("1:res close"); });
            res.end("x");
        } else if (id == 2) {
            process::nextTick([&log, rq = Ref<IncomingMessage>(&req),
                               rs = Ref<ServerResponse>(&res)] { step(&log, rq, rs, 1); });
            res.end("x");
        } else if (id == 3) {
            res.end("x");
            setImmediate([&log, rq = Ref<IncomingMessage>(&req), rs = Ref<ServerResponse>(&res)] {
                log.push_back("3:immediate" + flags(*rq, *rs) +
                              " complete=" + (rq->complete() ? "true" : "false") +
                              " finished=" + (rs->writableFinished() ? "true" : "false"));
            });
        } else {
            res.end("x");
        }
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(pipelineOf(3));
        for (int i = 0; i < 3; ++i) EXPECT_EQ(statusOf(c.readResponse()), 200);
        // One more exchange: the first three ended on the ticks and immediates before it.
        c.send(kGet);
        EXPECT_EQ(statusOf(c.readResponse()), 200);
    }));
    // Node v20 differs in two places, both older than this test: it writes each pipelined
    // response when its turn comes, so 'finish' comes before the second handler's tick
    // (nodecc answers the batch in one write, whose callbacks come a tick later); and it
    // emits the request's 'end' a tick after resume_ (endReadableNT), after the response's
    // 'close'. The rest — which events, which ticks see which flags — is Node's.
    const Log want = {
        "2:tick1 ended=false destroyed=false resdestroyed=false",
        "1:res finish",
        "2:tick2 ended=false destroyed=false resdestroyed=false",
        "1:req end",
        "1:res close",
        "1:tick after finish",
        "2:req end",
        "2:res close",
        "2:tick3 ended=true destroyed=true resdestroyed=true",
        "1:req close",
        "2:req close",
        "2:tick4 ended=true destroyed=true resdestroyed=true",
        "2:tick5 ended=true destroyed=true resdestroyed=true",
        "2:tick6 ended=true destroyed=true resdestroyed=true",
        "3:immediate ended=true destroyed=true resdestroyed=true complete=true finished=true",
    };
    EXPECT_EQ(log, want);
}

// What a tick chain holding the request, the response or both reads of them after 'finish'.
std::vector<std::string> heldView(bool holdReq, bool holdRes, bool listen) {
    Loop loop;
    Log log;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (listen) {
            req.on(http::kEnd, [] {});
            res.on(http::kResponseClose, [] {});
        }
        struct Chain {
            Log* log;
            Ref<IncomingMessage> req;
            Ref<ServerResponse> res;
            void operator()(int k) const {
                const IncomingMessage& r = req ? *req : res->req();
                std::string line = "tick" + std::to_string(k) +
                                   " ended=" + (r.readableEnded() ? "1" : "0") +
                                   " destroyed=" + (r.destroyed() ? "1" : "0");
                if (res) line += std::string(" resdestroyed=") + (res->destroyed() ? "1" : "0");
                log->push_back(line);
                if (k < 6) process::nextTick([c = *this, k] { c(k + 1); });
            }
        };
        const Chain chain{&log, holdReq ? Ref<IncomingMessage>(&req) : nullptr,
                          holdRes ? Ref<ServerResponse>(&res) : nullptr};
        process::nextTick([chain] { chain(1); });
        res.end("x");
    });
    EXPECT_TRUE(runClient(loop, *server, getTwice));
    log.resize(std::min<std::size_t>(log.size(), 6));
    return log;
}

// Whoever holds the request or the response sees the end of the exchange tick by tick,
// whether or not anyone listens to it.
TEST(ServerExchangeOrder, HeldObjectsSeeTheSameTicksWithOrWithoutListeners) {
    for (const auto& [holdReq, holdRes] : {std::pair{true, false}, {false, true}, {true, true}}) {
        const auto seen = heldView(holdReq, holdRes, false);
        EXPECT_EQ(seen, heldView(holdReq, holdRes, true)) << holdReq << holdRes;
        ASSERT_EQ(seen.size(), 6u);
        EXPECT_NE(seen.front(), seen.back()) << "the chain saw the exchange end";
    }
}

// The request's 'end' and the response's 'close' come on back-to-back ticks: an exception
// thrown by the first goes to 'uncaughtException' and the second still comes. As in Node,
// a throwing 'end' listener leaves the request undestroyed: no 'close' for it. (Node emits
// the request's 'end' a tick later, after the response's 'close'; see above.)
TEST(ServerExchangeOrder, ThrowingEndListenerStillLetsTheResponseClose) {
    Loop loop;
    Log log;
    const auto handler = process::object().on(
        process::kUncaughtException, [&](std::exception_ptr) { log.push_back("uncaught"); });
    int n = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (++n == 1) {
            req.on(http::kEnd, [&] {
                log.push_back("req end");
                throw Error("ERR_TEST", "from 'end'");
            });
            req.on(http::kClose, [&] { log.push_back("req close"); });
            res.on(http::kResponseClose, [&] { log.push_back("res close"); });
        }
        res.end("x");
    });
    ASSERT_TRUE(runClient(loop, *server, getTwice));
    process::object().off(process::kUncaughtException, handler);
    const Log want = {"req end", "uncaught", "res close"};
    EXPECT_EQ(log, want);
}

// The ticks of an exchange take async ids whether or not anyone can see them: a request
// nobody listens to leaves the same ids to what comes after as one with listeners.
TEST(ServerExchangeOrder, AsyncIdsDoNotDependOnListeners) {
    const auto idsPerExchange = [](bool listen) {
        Loop loop;
        std::vector<AsyncId> ids;
        auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
            if (listen) {
                req.on(http::kClose, [] {});
                res.on(http::kResponseClose, [] {});
            }
            process::nextTick([&ids] { ids.push_back(executionAsyncId()); });
            res.end("x");
        });
        EXPECT_TRUE(runClient(loop, *server, [&](int port) {
            RawClient c(port);
            for (int i = 0; i < 3; ++i) {
                c.send(kGet);
                EXPECT_EQ(statusOf(c.readResponse()), 200);
            }
        }));
        EXPECT_EQ(ids.size(), 3u);
        return ids.size() == 3 ? std::vector<AsyncId>{ids[1] - ids[0], ids[2] - ids[1]}
                               : std::vector<AsyncId>{};
    };
    EXPECT_EQ(idsPerExchange(false), idsPerExchange(true));
}

}  // namespace
}  // namespace nodecc::test
