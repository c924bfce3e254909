// net::Socket writes of a nodecc::Buffer: what the kernel does not take at once is queued
// as a share of the Buffer (no copy) and released when the write completes or fails.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "net_test_util.hpp"
#include "nodecc/core/buffer.hpp"

namespace nodecc::test {
namespace {

// Bytes whose position is visible, so that a reordered or repeated piece shows.
std::string pattern(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) % 251);
    return s;
}

// Every test runs with a shared heap Buffer (Buffer::from) and with a sealed one
// (Buffer::sealed: sent with sendfile, the rest queued from its mapping).
class NetSocketBuffer : public ::testing::TestWithParam<bool> {
  protected:
    Buffer make(std::string bytes) const {
        return GetParam() ? Buffer::sealed(bytes) : Buffer::from(std::move(bytes));
    }
};
INSTANTIATE_TEST_SUITE_P(Kinds, NetSocketBuffer, ::testing::Values(false, true),
                         [](const auto& kind) { return kind.param ? "Sealed" : "Shared"; });

TEST_P(NetSocketBuffer, ALargeBufferReachesASlowReaderIntactWithoutACopy) {
    const Buffer first = make(pattern(8u << 20, 1));
    const Buffer second = make(pattern(3u << 20, 7));
    std::vector<std::string> events;
    long sharesWhileQueued = 0;
    long sharesAtFirstCallback = 0;
    std::size_t lengthAfterWrites = 0;
    bool returned = true;
    std::uint64_t written = 0;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        returned = s.write(first, [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            sharesAtFirstCallback = first.useCount();
            events.push_back("first");
        });
        s.write(std::string_view("-middle-"), [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            events.push_back("middle");
        });
        sharesWhileQueued = first.useCount();
        lengthAfterWrites = s.writableLength();
        // Node: no 'drain' once end() was called, though the queue does empty (node v20 prints
        // "first, middle, finish" for this script).
        s.once(net::Socket::kDrain, [&] { events.push_back("drain"); });
        s.end(second, [&] { events.push_back("finish"); });
        written = s.bytesWritten();
    });
    EXPECT_FALSE(returned);           // 8 MiB is far above the high-water mark
    EXPECT_EQ(sharesWhileQueued, 2);  // the queue holds a share: the bytes were not copied
    EXPECT_GT(lengthAfterWrites, 0u);
    EXPECT_LE(lengthAfterWrites, first.size() + 8);
    EXPECT_EQ(sharesAtFirstCallback, 1);  // released once written
    EXPECT_EQ(first.useCount(), 1);
    EXPECT_EQ(second.useCount(), 1);
    EXPECT_EQ(events, (std::vector<std::string>{"first", "middle", "finish"}));
    EXPECT_EQ(written, first.size() + 8 + second.size());
    ASSERT_EQ(got.size(), written);
    EXPECT_TRUE(got == std::string(first.view()) + "-middle-" + std::string(second.view()));
}

// writev with a kept Buffer: its pieces are shared, the others copied (the caller may
// reuse them as soon as writev returns).
TEST_P(NetSocketBuffer, WritevSharesTheKeptBufferAndCopiesTheOtherPieces) {
    const Buffer body = make(pattern(12u << 20, 3));  // more than the kernel takes at once
    long sharesWhileQueued = 0;
    std::string expected;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        std::string head = "head:";
        std::string tail = ":tail";
        const std::string_view middle = body.view().substr(10, body.size() - 20);
        const std::string_view pieces[] = {head, middle, tail};
        s.writev(pieces, body);
        expected = head + std::string(middle) + tail;
        head.assign("XXXXX");  // the socket copied these
        tail.assign("YYYYY");
        sharesWhileQueued = body.useCount();
        s.end();
    });
    EXPECT_EQ(sharesWhileQueued, 2);
    EXPECT_EQ(body.useCount(), 1);
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected);
}

// Corked writes leave on uncork(), a sealed Buffer's bytes then with sendfile(2) as on a
// direct write (an HTTP response ended outside the read callback goes this way).
TEST_P(NetSocketBuffer, CorkedWritesAroundABufferLeaveInOrderOnUncork) {
    const Buffer body = make(pattern(6u << 20, 5));
    std::vector<std::string> events;
    long sharesWhileCorked = 0;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.cork();
        s.write(std::string_view("head;"), [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            events.push_back("head");
        });
        s.write(body, [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            events.push_back("body");
        });
        s.write(std::string_view(";tail"), [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            events.push_back("tail");
        });
        sharesWhileCorked = body.useCount();
        s.uncork();
        s.end();
    });
    EXPECT_EQ(sharesWhileCorked, 2);
    EXPECT_EQ(body.useCount(), 1);
    EXPECT_EQ(events, (std::vector<std::string>{"head", "body", "tail"}));
    ASSERT_EQ(got.size(), body.size() + 10);
    EXPECT_TRUE(got == "head;" + std::string(body.view()) + ";tail");
}

// Destroying the socket releases the shares of writes in flight and of writes queued
// behind them; their callbacks get ERR_STREAM_DESTROYED.
TEST_P(NetSocketBuffer, DestroyReleasesTheQueuedBuffers) {
    Loop loop;
    const Buffer inflight = make(std::string(16u << 20, 'a'));
    const Buffer queued = make(std::string(1u << 20, 'b'));
    int fd = -1;
    std::vector<std::string> errors;
    long sharesBefore = 0;
    long sharesAtClose = -1;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        auto onWrite = [&](const Error* e) { errors.push_back(e != nullptr ? e->code() : "ok"); };
        s.write(inflight, onWrite);
        s.write(queued, onWrite);
        sharesBefore = inflight.useCount() + queued.useCount();
        s.on(net::Socket::kClose, [&](bool) {
            sharesAtClose = inflight.useCount() + queued.useCount();
            server->close();
        });
        Ref<net::Socket> keep(&s);
        process::nextTick([keep] { keep->destroy(); });
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ::close(fd);
    EXPECT_EQ(sharesBefore, 4);
    EXPECT_EQ(sharesAtClose, 2);
    EXPECT_EQ(errors, (std::vector<std::string>{"ERR_STREAM_DESTROYED", "ERR_STREAM_DESTROYED"}));
}

// (Shared: an external Buffer, written from the caller's memory.) A write batch (the HTTP server's
// per-read batch) sends what it gathered in front of a Buffer that fills it.
TEST_P(NetSocketBuffer, ABufferAfterGatheredBytesOfAWriteBatchKeepsTheOrder) {
    static const std::string kStatic = pattern(2u << 20, 9);
    const Buffer body = GetParam() ? make(kStatic) : Buffer::external(kStatic);
    std::vector<std::string> events;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.beginWriteBatch();
        s.write(std::string_view("small one;"), [&](const Error*) { events.push_back("small"); });
        s.write(body, [&](const Error*) { events.push_back("external"); });
        s.write(std::string_view(";after"), [&](const Error*) { events.push_back("after"); });
        s.endWriteBatch();
        s.end();
    });
    EXPECT_EQ(events, (std::vector<std::string>{"small", "external", "after"}));
    EXPECT_TRUE(got == "small one;" + kStatic + ";after");
}

}  // namespace
}  // namespace nodecc::test
