// The 'finish' events of a pipelined batch: the responses a read answers leave in one write,
// and consecutive ones share that write's completion (one callback for the run of them). Each
// response still emits its own 'finish', in order, with the user's write and end callbacks
// in between where their writes were, all on the batch's one tick; 'close' follows each
// exchange on later ticks, as before.
#include <string>
#include <vector>

#include "nodecc/process/async_id.hpp"
#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

using Log = std::vector<std::string>;

std::string pipelineOf(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += kGet;
    return out;
}

// Sends `n` pipelined GETs in one write and reads the `n` answers.
void pipelined(Loop& loop, http::Server& server, int n) {
    ASSERT_TRUE(runClient(loop, server, [n](int port) {
        RawClient c(port);
        c.send(pipelineOf(n));
        for (int i = 0; i < n; ++i) EXPECT_EQ(statusOf(c.readResponse()), 200);
    }));
}

TEST(ServerBatchFinish, ResponsesWithAndWithoutUserCallbacksFinishInOrderOnOneTick) {
    Loop loop;
    Log log;
    std::vector<AsyncId> finishIds;
    int n = 0;
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        const std::string id = std::to_string(++n);
        res.on(http::kFinish, [&log, &finishIds, id] {
            log.push_back(id + ":finish");
            finishIds.push_back(executionAsyncId());
        });
        res.on(http::kResponseClose, [&log, id] { log.push_back(id + ":close"); });
        const auto callback = [&log, id](const char* what) {
            return [&log, id, what](const Error* e) {
                log.push_back(id + ":" + what + (e != nullptr ? " " + e->code() : ""));
            };
        };
        if (id == "2") {
            res.write("b", callback("write cb"));
            res.end("b", callback("end cb"));
        } else if (id == "4") {
            res.end("d", callback("end cb"));
        } else {
            res.end(id);
        }
    });
    pipelined(loop, *server, 6);
    const Log want = {
        "1:finish", "2:write cb", "2:finish", "2:end cb", "3:finish",
        "4:finish", "4:end cb",   "5:finish", "6:finish", "1:close",
        "2:close",  "3:close",    "4:close",  "5:close",  "6:close",
    };
    EXPECT_EQ(log, want);
    ASSERT_EQ(finishIds.size(), 6u);
    for (AsyncId id : finishIds) EXPECT_EQ(id, finishIds[0]) << "the batch's one tick";
}

// A 'finish' listener in the middle of a batch destroys the socket: the responses behind it
// in the same write were handed to the kernel too, and still finish, in order; then every
// exchange closes, and the socket.
TEST(ServerBatchFinish, AFinishListenerThatDestroysTheSocketMidBatch) {
    Loop loop;
    Log log;
    int n = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        const std::string id = std::to_string(++n);
        res.on(http::kFinish, [&log, id, &req] {
            log.push_back(id + ":finish");
            if (id == "2") {
                req.socket()->on(net::Socket::kClose,
                                 [&log](bool) { log.push_back("socket close"); });
                req.socket()->destroy();
            }
        });
        res.on(http::kResponseClose, [&log, id] { log.push_back(id + ":close"); });
        res.end(id);
    });
    pipelined(loop, *server, 4);
    const Log want = {"1:finish", "2:finish", "3:finish", "4:finish",    "1:close",
                      "2:close",  "3:close",  "4:close",  "socket close"};
    EXPECT_EQ(log, want);
}

// Batches one after another on a connection, each a run of responses sharing a completion:
// every response of every batch finishes once, and nothing is held after the last one.
TEST(ServerBatchFinish, ManyBatchesFinishEveryResponseOnce) {
    Loop loop;
    int finished = 0;
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        res.on(http::kFinish, [&finished] { ++finished; });
        res.end("x");
    });
    ASSERT_TRUE(runClient(loop, *server, [](int port) {
        RawClient c(port);
        for (int round = 0; round < 20; ++round) {
            c.send(pipelineOf(16));
            for (int i = 0; i < 16; ++i) EXPECT_EQ(statusOf(c.readResponse()), 200);
        }
    }));
    EXPECT_EQ(finished, 20 * 16);
}

}  // namespace
}  // namespace nodecc::test
