// res.write(Buffer) / res.end(Buffer): the body leaves without a copy (the socket or a
// waiting pipelined response keeps a share of the Buffer until the bytes are out), with
// Content-Length or chunked framing, strictContentLength counting, callbacks and 'drain'
// as for a string body; the share is released when the response is written or dropped.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "nodecc/core/buffer.hpp"
#include "nodecc/timers/timers.hpp"
#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

Buffer patterned(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    return Buffer::from(std::move(s));
}

// Larger than the kernel takes at once from a client that is not reading yet.
constexpr std::size_t kLarge = 8u << 20;

std::string headOf(const std::string& response) {
    return response.substr(0, response.find("\r\n\r\n") + 4);
}
std::string bodyOf(const std::string& response) {
    const auto p = response.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : response.substr(p + 4);
}

// `later`: the response is ended from a timer, outside the read callback (its write is
// corked and leaves on uncork).
void endOfABufferSendsItWithContentLength(const Buffer& body, bool later = false) {
    Loop loop;
    long sharesAfterEnd = 0;
    long sharesAtFinish = -1;
    std::size_t lengthAfterEnd = 0;
    auto end = [&](ServerResponse& res) {
        res.end(body, [&](const Error* e) {
            EXPECT_EQ(e, nullptr);
            sharesAtFinish = body.useCount();
        });
        sharesAfterEnd = body.useCount();
        lengthAfterEnd = res.writableLength();
    };
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        if (!later) return end(res);
        timers::setTimeout([&end, keep = Ref<ServerResponse>(&res)] { end(*keep); }, 1);
    });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a slow reader
        got = c.readResponse(false, 10000);
    }));
    EXPECT_EQ(sharesAfterEnd, 2);  // queued as a share, not copied
    EXPECT_GT(lengthAfterEnd, 0u);
    EXPECT_EQ(sharesAtFinish, 1);  // released once written
    EXPECT_NE(headOf(got).find("Content-Length: " + std::to_string(kLarge) + "\r\n"),
              std::string::npos);
    EXPECT_TRUE(bodyOf(got) == body.view());
}

TEST(ServerBuffer, EndOfABufferSendsItWithContentLengthWithoutACopy) {
    endOfABufferSendsItWithContentLength(patterned(kLarge, 1));
}

// Buffer::sealed: the body leaves with sendfile, the head in front of it.
TEST(ServerBuffer, EndOfASealedBufferSendsItWithContentLength) {
    endOfABufferSendsItWithContentLength(Buffer::sealed(patterned(kLarge, 1).view()));
}

TEST(ServerBuffer, EndOfASealedBufferFromATimerSendsItWithContentLength) {
    endOfABufferSendsItWithContentLength(Buffer::sealed(patterned(kLarge, 2).view()), true);
}

// Without Content-Length the body is chunked: the framing is copied around shared bytes.
void writesOfBuffersAreChunked(const Buffer& first, const Buffer& second) {
    Loop loop;
    std::vector<std::string> events;
    long sharesAfterWrite = 0;
    bool returned = true;
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        returned = res.write(first, [&](const Error*) { events.push_back("first"); });
        sharesAfterWrite = first.useCount();
        res.write(second, [&](const Error*) { events.push_back("second"); });
        res.on(http::kDrain, [&] {  // Node: only while the response is not finished
            events.push_back("drain");
            res.end();
        });
        res.on(http::kFinish, [&] { events.push_back("finish"); });
    });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(kGet);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        got = c.readResponse(false, 10000);
    }));
    EXPECT_FALSE(returned);
    EXPECT_EQ(sharesAfterWrite, 2);
    EXPECT_EQ(first.useCount(), 1);
    EXPECT_EQ(second.useCount(), 1);
    EXPECT_NE(headOf(got).find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx\r\n", kLarge);
    const std::string expected = std::string(hex) + std::string(first.view()) + "\r\n3e8\r\n" +
                                 std::string(second.view()) + "\r\n0\r\n\r\n";
    EXPECT_TRUE(bodyOf(got) == expected);
    EXPECT_EQ(std::count(events.begin(), events.end(), "drain"), 1);
    std::erase(events, "drain");
    EXPECT_EQ(events, (std::vector<std::string>{"first", "second", "finish"}));
}

TEST(ServerBuffer, WritesOfBuffersAreChunkedAroundTheSharedBytes) {
    writesOfBuffersAreChunked(patterned(kLarge, 2), patterned(1000, 3));
}

TEST(ServerBuffer, WritesOfSealedBuffersAreChunkedAroundTheirBytes) {
    writesOfBuffersAreChunked(Buffer::sealed(patterned(kLarge, 2).view()),
                              Buffer::sealed(patterned(1000, 3).view()));
}

TEST(ServerBuffer, StrictContentLengthCountsBufferBytes) {
    Loop loop;
    const Buffer half = Buffer::copy("0123456789");
    std::string mismatch;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        res.strictContentLength = true;
        res.setHeader("Content-Length", 20);
        if (req.url() == "/short") {
            try {
                res.end(half);
            } catch (const Error& e) {
                mismatch = e.code();
            }
            res.destroy();
            return;
        }
        res.write(half);
        res.end(half);
    });
    const std::string got = roundTrip(loop, *server, kGet);
    EXPECT_EQ(bodyOf(got), "01234567890123456789");
    untilClose(loop, *server, "GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(mismatch, "ERR_HTTP_CONTENT_LENGTH_MISMATCH");
}

// A response behind a slow one waits for its turn holding a share of the Buffer, and
// leaves intact, in order, once the first finished.
TEST(ServerBuffer, APipelinedBufferResponseWaitsBehindASlowOneWithoutACopy) {
    Loop loop;
    const Buffer body = patterned(1u << 20, 4);
    long sharesWhileWaiting = 0;
    std::size_t waitingLength = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (req.url() == "/slow") {
            Ref<ServerResponse> keep(&res);
            setTimeout([keep] { keep->end("slow"); }, 50);
            return;
        }
        res.setHeader("X-Part", "big");
        res.end(body);
        sharesWhileWaiting = body.useCount();
        waitingLength = res.writableLength();
    });
    std::string first;
    std::string second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        first = c.readResponse(false, 10000);
        second = c.readResponse(false, 10000);
    }));
    EXPECT_EQ(sharesWhileWaiting, 2);
    EXPECT_GT(waitingLength, body.size());  // the head and the body wait
    EXPECT_EQ(bodyOf(first), "slow");
    EXPECT_NE(headOf(second).find("X-Part: big\r\n"), std::string::npos);
    EXPECT_TRUE(bodyOf(second) == body.view());
    EXPECT_EQ(body.useCount(), 1);
}

// The client vanishes: a response queued on the socket and one waiting behind an
// unanswered request both let go of their Buffers by the time they emit 'close'.
TEST(ServerBuffer, ResponsesOfAVanishedClientReleaseTheirBuffers) {
    Loop loop;
    const Buffer queued = patterned(kLarge, 5);
    const Buffer waiting = patterned(1u << 20, 6);
    std::vector<long> sharesAtClose;
    std::atomic<int> requests{0};
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (req.url() == "/queued") {
            res.write(queued);  // the kernel takes part; the rest is queued on the socket
            res.on(http::kResponseClose, [&] { sharesAtClose.push_back(queued.useCount()); });
        } else if (req.url() == "/waiting") {
            res.end(waiting);  // waits behind /never, which is never answered
            res.on(http::kResponseClose, [&] { sharesAtClose.push_back(waiting.useCount()); });
        }
        ++requests;
    });
    // The client resets each connection once the server has handled its requests (not after
    // a fixed sleep, which a slow run — valgrind — can outlast).
    const auto handled = [&](int n) {
        for (int i = 0; i < 20000 && requests.load() < n; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return requests.load() >= n;
    };
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        {
            RawClient c(port);
            c.send("GET /queued HTTP/1.1\r\nHost: x\r\n\r\n");
            EXPECT_TRUE(handled(1));  // never reads
            c.reset();
        }
        RawClient d(port);
        d.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\nGET /waiting HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_TRUE(handled(3));
        d.reset();
    }));
    EXPECT_EQ(requests.load(), 3);
    // Only the test's own reference remains when the response closes.
    EXPECT_EQ(sharesAtClose, (std::vector<long>{1, 1}));
    EXPECT_EQ(queued.useCount(), 1);
    EXPECT_EQ(waiting.useCount(), 1);
}

}  // namespace
}  // namespace nodecc::test
