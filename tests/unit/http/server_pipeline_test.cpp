// Pipelining: responses strictly in request order while handlers run concurrently, the
// back-pressure pause of a client that does not read (NODE-BEHAVIOUR §3.2–3.3), dumping an
// unread body, and a slow reader of a large streamed response. Ports:
// test-http-pipeline-flood, test-http-pipeline-requests-connection-leak,
// test-http-pipeline-socket-parser-typeerror, test-http-many-ended-pipelines,
// test-http-dump-req-when-res-ends.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

std::string pipelined(int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i) {
        out += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    return out;
}

// The body of a response "…\r\n\r\n<body>".
std::string bodyOf(const std::string& response) {
    const auto p = response.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : response.substr(p + 4);
}

// Node: handlers run as soon as requests are parsed and may finish out of order; the
// responses leave in request order (observed: /delay/300, /delay/100, /delay/10 → 300 ms).
TEST(ServerPipeline, AsyncHandlersAnswerOutOfOrderResponsesInOrder) {
    Loop loop;
    std::vector<std::string> dispatched;
    std::vector<std::string> finishedOrder;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        dispatched.emplace_back(req.url());
        Ref<ServerResponse> r(&res);
        const std::string url(req.url());
        const int delay = url == "/0" ? 120 : url == "/1" ? 10 : 60;
        setTimeout(
            [r, url, &finishedOrder] {
                finishedOrder.push_back(url);
                r->end(url);
            },
            delay);
    });
    std::vector<std::string> bodies;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(pipelined(0, 3));
        for (int i = 0; i < 3; ++i) bodies.push_back(bodyOf(c.readResponse()));
    }));
    EXPECT_EQ(dispatched, (std::vector<std::string>{"/0", "/1", "/2"}));
    EXPECT_EQ(finishedOrder, (std::vector<std::string>{"/1", "/2", "/0"}));
    EXPECT_EQ(bodies, (std::vector<std::string>{"/0", "/1", "/2"}));
}

// A queued response's write() buffers until its turn; its 'finish' comes after the
// previous response's (resOnFinish → assignSocket of the next).
TEST(ServerPipeline, QueuedResponseStreamsAfterTheFirst) {
    Loop loop;
    std::vector<Ref<ServerResponse>> held;
    std::vector<std::string> events;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        held.emplace_back(&res);
        const std::string url(req.url());
        res.on(http::kFinish, [&events, url] { events.push_back("finish " + url); });
        if (url == "/1") {
            res.write("a");
            res.write("b");
            res.end("c");
        }
        if (held.size() == 2) {
            setTimeout([&held] { held[0]->end("first"); }, 20);
        }
    });
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(pipelined(0, 2));
        first = bodyOf(c.readResponse());
        second = bodyOf(c.readResponse());
    }));
    EXPECT_EQ(first, "first");
    EXPECT_EQ(second, "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n");
    EXPECT_EQ(events, (std::vector<std::string>{"finish /0", "finish /1"}));
}

// test-http-pipeline-flood: a client writes many pipelined requests and does not read.
// Dispatch stops once the responses back up (the read chunk being parsed still finishes),
// so memory stays bounded; once the client reads, every request is answered in order.
TEST(ServerPipeline, FloodPausesDispatchUntilTheClientReads) {
    Loop loop;
    constexpr int kRequests = 8000;  // ≈ 250 KB of requests
    const std::string body(4096, 'b');
    int dispatched = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        ++dispatched;
        res.end(std::string(req.url()) + body);
    });
    int whileNotReading = -1;
    int answered = 0;
    bool inOrder = true;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            RawClient c(port);
            const std::string all = pipelined(0, kRequests);
            // Written from another thread: the kernel blocks the writer once both buffers fill.
            std::thread writer([&] { c.send(all); });
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            onLoop(loop, [&] { whileNotReading = dispatched; });
            for (int i = 0; i < kRequests; ++i) {
                const std::string want = "/" + std::to_string(i) + body;
                if (bodyOf(c.readResponse(false, 5000)) != want) {
                    inOrder = false;
                    break;
                }
                ++answered;
            }
            writer.join();
        },
        15000));
    EXPECT_GT(whileNotReading, 0);
    // At most the requests of the 64 KiB read being parsed when the pause came, and a
    // chunk's worth more (the kernel may hand over a partial first read).
    EXPECT_LE(whileNotReading, 2 * 65536 / 34 + 1) << "dispatch did not pause";
    EXPECT_TRUE(inOrder);
    EXPECT_EQ(answered, kRequests);
    EXPECT_EQ(dispatched, kRequests);
}

// Responses carry their request's identity in order even when every other handler is
// asynchronous (a batch of pipelined requests answered in one flush).
TEST(ServerPipeline, ManyPipelinedMixedSyncAsync) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, ServerResponse& res) {
        const std::string url(req.url());
        const int n = std::stoi(url.substr(1));
        if (n % 2 == 0) {
            res.end(url);
        } else {
            Ref<ServerResponse> r(&res);
            setTimeout([r, url] { r->end(url); }, 20 - n % 20);
        }
    });
    std::vector<std::string> bodies;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send(pipelined(0, 40));
        for (int i = 0; i < 40; ++i) bodies.push_back(bodyOf(c.readResponse()));
    }));
    ASSERT_EQ(bodies.size(), 40u);
    for (int i = 0; i < 40; ++i) EXPECT_EQ(bodies[i], "/" + std::to_string(i));
}

// test-http-many-ended-pipelines: the handler answers and destroys the socket; the
// requests already read are still dispatched (Node: 10), only the first answer arrives,
// and nothing crashes.
TEST(ServerPipeline, ManyEndedPipelines) {
    Loop loop;
    int requests = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        ++requests;
        res.end("ok");
        req.socket()->destroy();
    });
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        std::string all;
        for (int i = 0; i < 10; ++i) all += "GET / HTTP/1.1\r\nHost: some.host.name\r\n\r\n\r\n";
        c.send(all);
        c.shutdownWrite();
        got = normalizeDate(c.readAll());
    }));
    EXPECT_EQ(requests, 10);
    EXPECT_EQ(
        got,
        "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
        "Content-Length: 2\r\n\r\nok");
}

// test-http-dump-req-when-res-ends: a body nobody reads is discarded after the response
// ends, so the next request on the connection is parsed and answered.
TEST(ServerPipeline, UnreadBodyIsDumpedAfterTheResponse) {
    Loop loop;
    std::vector<std::string> urls;
    bool ended = false;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        urls.emplace_back(req.url());
        if (req.url() == "/upload") req.on(http::kEnd, [&] { ended = true; });
        res.end("done");
    });
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        const std::size_t size = 4 << 20;
        c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) +
               "\r\n\r\n");
        first = bodyOf(c.readResponse());
        c.send(std::string(size, 'u'));
        c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        second = bodyOf(c.readResponse());
    }));
    EXPECT_EQ(first, "done");
    EXPECT_EQ(second, "done");
    EXPECT_EQ(urls, (std::vector<std::string>{"/upload", "/next"}));
    EXPECT_TRUE(ended) << "a dumped body still ends (Node: _dump resumes the stream)";
}

// A slow client that does not read a large streamed response: a writer honouring write()'s
// return value and 'drain' keeps the server's buffered bytes within the high-water mark
// plus one write, while another client is served.
TEST(ServerPipeline, SlowReaderOfStreamedResponseKeepsMemoryBounded) {
    Loop loop;
    constexpr std::size_t kChunk = 64 * 1024;
    constexpr std::size_t kTotal = 32u << 20;
    std::size_t maxBuffered = 0;
    std::size_t written = 0;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (req.url() != "/big") {
            res.end("small");
            return;
        }
        Ref<ServerResponse> r(&res);
        auto chunk = std::make_shared<std::string>(kChunk, 'z');
        // The 'drain' listener owns the pump; it is released with the response's listeners.
        auto pump = std::make_shared<std::function<void()>>();
        *pump = [r, chunk, &maxBuffered, &written] {
            while (written < kTotal) {
                const bool ok = r->write(*chunk);
                written += chunk->size();
                maxBuffered = std::max(maxBuffered, r->writableLength());
                if (!ok) return;  // wait for 'drain'
            }
            if (!r->writableEnded()) r->end();
        };
        res.on(http::kDrain, [pump] { (*pump)(); });
        (*pump)();
    });
    std::string small;
    std::size_t bigBytes = 0;
    std::size_t writtenWhileStalled = 0;
    ASSERT_TRUE(runClient(
        loop, *server,
        [&](int port) {
            RawClient slow(port);
            slow.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            RawClient other(port);
            other.send(kGet);
            small = bodyOf(other.readResponse());
            onLoop(loop, [&] { writtenWhileStalled = written; });
            bigBytes = slow.readResponse(false, 10000).size();
        },
        15000));
    EXPECT_EQ(small, "small");
    EXPECT_LT(writtenWhileStalled, kTotal) << "the writer did not stall";
    EXPECT_LE(maxBuffered, 16384 + kChunk);
    EXPECT_GT(bigBytes, kTotal);
}

}  // namespace
}  // namespace nodecc::test

namespace nodecc::test {
namespace {

// Answers with the url, the first request (/1) last.
void answerFirstLast(IncomingMessage& req, ServerResponse& res) {
    Ref<ServerResponse> r(&res);
    const std::string u(req.url());
    setTimeout([r, u] { r->end(u); }, u == "/1" ? 50 : 10);
}

// Data after a pipelined `Connection: close` request while no response has started:
// HPE_CLOSED_CONNECTION gets Node's 400 and the socket is destroyed; the queued answers
// are lost (observed in Node v20 with asynchronous handlers).
TEST(ServerPipeline, DataAfterConnectionCloseBeforeAnyResponse) {
    Loop loop;
    auto server = http::createServer(answerFirstLast);
    EXPECT_EQ(untilClose(loop, *server,
                         "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n"
                         "Connection: close\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n"),
              "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
}

// Without data after it, the `Connection: close` request is answered in order, then the
// socket closes.
TEST(ServerPipeline, ConnectionCloseRequestEndsThePipeline) {
    Loop loop;
    auto server = http::createServer(answerFirstLast);
    EXPECT_EQ(
        untilClose(loop, *server,
                   "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n"
                   "Connection: close\r\n\r\n"),
        "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
        "Content-Length: 2\r\n\r\n/1HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n"
        "Content-Length: 2\r\n\r\n/2");
}

}  // namespace
}  // namespace nodecc::test
