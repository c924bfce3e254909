// net::Socket write batches whose writes share one callback (commitBatchWrite with a key, then
// commitBatchWriteAgain): the callback is called once per write, in the writes' order among
// the other callbacks, on the tick after the batch went out, or — when the batch's write
// fails — once per write with the error, each call on a tick of its own, exactly as separate
// callbacks would be. The HTTP server finishes a pipelined batch's responses this way.
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "net_test_util.hpp"
#include "nodecc/core/byte_string.hpp"
#include "nodecc/process/async_id.hpp"

namespace nodecc::test {
namespace {

// Appends `bytes` to the open batch in place, as the HTTP server's end() does.
std::size_t put(net::Socket& s, std::string_view bytes) {
    nodecc::detail::ByteString* batch = s.writeBatch();
    EXPECT_NE(batch, nullptr);
    if (batch != nullptr) batch->append(bytes);
    return bytes.size();
}

TEST(NetSocketBatchCallback, ASharedCallbackRunsOncePerWriteInOrderAmongTheOthers) {
    std::vector<std::string> events;
    std::vector<AsyncId> ids;
    const int keys[3] = {};
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.beginWriteBatch();
        s.commitBatchWrite(
            put(s, "a;"),
            [&, n = 0](const Error* e) mutable {
                events.push_back("shared" + std::to_string(++n) + (e != nullptr ? e->code() : ""));
                ids.push_back(executionAsyncId());
            },
            &keys[0]);
        EXPECT_EQ(s.batchCallbackKey(), &keys[0]);
        s.commitBatchWriteAgain(put(s, "b;"), &keys[1]);
        s.write(std::string_view("c;"));  // no callback: the next write may still share it
        EXPECT_EQ(s.batchCallbackKey(), &keys[1]);
        s.commitBatchWriteAgain(put(s, "d;"), &keys[2]);
        s.write(std::string_view("e;"), [&](const Error*) {
            events.push_back("own");
            ids.push_back(executionAsyncId());
        });
        EXPECT_EQ(s.batchCallbackKey(), nullptr) << "a callback behind it: no more sharing";
        s.commitBatchWrite(put(s, "f"), [&](const Error*) { events.push_back("untagged"); });
        EXPECT_EQ(s.batchCallbackKey(), nullptr);
        s.endWriteBatch();
        EXPECT_EQ(s.batchCallbackKey(), nullptr) << "the batch left";
        EXPECT_TRUE(events.empty()) << "callbacks come on the next tick";
        s.end();
    });
    EXPECT_EQ(got, "a;b;c;d;e;f");
    EXPECT_EQ(events,
              (std::vector<std::string>{"shared1", "shared2", "shared3", "own", "untagged"}));
    ASSERT_EQ(ids.size(), 4u);
    for (AsyncId id : ids) EXPECT_EQ(id, ids[0]) << "all on the batch's one tick";
}

constexpr int kKeys[8] = {};  // distinct addresses to tag callbacks with

// The batch's write fails (the peer reset the connection): per write, a call with the error on
// a tick of its own. Returns each call as "code +offset" (the tick's async id relative to the
// first one), for `writes` writes sharing one callback or each with its own.
std::vector<std::string> failedBatch(int writes, bool shared) {
    Loop loop;
    std::vector<std::string> calls;
    AsyncId first = 0;
    const auto record = [&](const Error* e) {
        const AsyncId id = executionAsyncId();
        if (calls.empty()) first = id;
        calls.push_back((e != nullptr ? e->code() : std::string("ok")) + " +" +
                        std::to_string(id - first));
    };
    net::ServerOptions options;
    options.pauseOnConnect = true;  // the reset shows at the write, not at a read
    int fd = -1;
    Ref<net::Server> server;
    server = net::createServer(options, [&](net::Socket& s) {
        Ref<net::Socket> socket(&s);
        s.on(net::Socket::kError, [](const Error&) {});
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        // The peer resets, then the batch is written into the reset connection.
        ::linger lg{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(fd);
        fd = -1;
        setTimeout(
            [socket, writes, shared, &record] {
                socket->beginWriteBatch();
                for (int i = 0; i < writes; ++i) {
                    const std::size_t n = put(*socket, "x");
                    if (shared && i > 0) {
                        socket->commitBatchWriteAgain(n, &kKeys[i]);
                    } else {
                        socket->commitBatchWrite(
                            n, [&record](const Error* e) { record(e); }, &kKeys[i]);
                    }
                }
                socket->endWriteBatch();
            },
            100);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    EXPECT_TRUE(runLoop(loop));
    if (fd >= 0) ::close(fd);
    return calls;
}

TEST(NetSocketBatchCallback, AFailedBatchFailsASharedCallbackOncePerWriteEachOnItsOwnTick) {
    const auto shared = failedBatch(3, true);
    ASSERT_EQ(shared.size(), 3u);
    EXPECT_TRUE(shared[0] == "ECONNRESET +0" || shared[0] == "EPIPE +0") << shared[0];
    EXPECT_NE(shared[1], shared[0]) << "each call on a tick of its own";
    EXPECT_EQ(shared, failedBatch(3, false)) << "as separate callbacks";
}

}  // namespace
}  // namespace nodecc::test
