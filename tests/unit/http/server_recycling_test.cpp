// The server recycles its IncomingMessage / ServerResponse objects (src/http/message_pool.hpp).
// A recycled object must start exactly as a new one: nothing of the previous request or
// response may show through — status, headers, trailers, body, listeners, flags.
#include <string>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

TEST(ServerRecycling, NothingOfTheLastExchangeShowsThrough) {
    Loop loop;
    int n = 0;
    std::vector<std::string> seen;  // per request: url, header count, has x-first, body
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        const int i = n++;
        std::string line = std::string(req.url()) + " " + std::to_string(req.rawHeaders().size()) +
                           " " + (req.headers().has("x-first") ? "x-first" : "-");
        auto body = std::make_shared<std::string>();
        Ref<ServerResponse> keep(&res);
        req.on(http::kData, [body](std::string_view d) { *body += d; });
        req.on(http::kEnd, [&seen, line, body, keep, i] {
            seen.push_back(line + " [" + *body + "]");
            if (i == 0) {
                keep->statusCode = 404;
                keep->statusMessage = "Gone Fishing";
                keep->setHeader("X-First", "1");
                keep->setHeader("Transfer-Encoding", "chunked");
                keep->addTrailers({{"X-Trailer", "t"}});
                keep->write("first");
                keep->end();
            } else {
                keep->end("second");
            }
        });
    });
    std::vector<std::string> got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("POST /one HTTP/1.1\r\nHost: x\r\nX-First: yes\r\nContent-Length: 5\r\n\r\nhello");
        got.push_back(normalizeDate(c.readResponse()));
        c.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
        got.push_back(normalizeDate(c.readResponse()));
    }));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], "/one 3 x-first [hello]");
    EXPECT_EQ(seen[1], "/two 1 - []");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0],
              "HTTP/1.1 404 Gone Fishing\r\nX-First: 1\r\nTransfer-Encoding: chunked\r\n"
              "Date: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n"
              "5\r\nfirst\r\n0\r\nX-Trailer: t\r\n\r\n");
    EXPECT_EQ(got[1],
              "HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\nContent-Length: 6\r\n\r\nsecond");
}

// A request's header views are made when a handler first reads them: a recycled request
// shows its own head and trailers whether or not the one before it read its own.
TEST(ServerRecycling, HeadersReadOrNotDoNotShowThroughTheNextRequest) {
    Loop loop;
    std::vector<std::string> seen;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        Ref<IncomingMessage> in(&req);
        Ref<ServerResponse> keep(&res);
        const bool look = req.url() != "/quiet";
        req.on(http::kEnd, [&seen, in, keep, look] {
            if (look) {
                std::string line = std::string(in->url()) + ":";
                for (const auto& f : in->rawHeaders()) line += " " + std::string(f.name);
                line += " |";
                in->headers().forEach([&](const auto& e) { line += " " + std::string(e.key()); });
                line += " |";
                for (const auto& f : in->rawTrailers()) line += " " + std::string(f.name);
                line += in->trailers().has("x-t") ? " x-t" : "";
                seen.push_back(line);
            }
            keep->end("x");
        });
        req.resume();
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (const char* r : {"POST /quiet HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\nX-T: t\r\n\r\n",
                              "GET /second HTTP/1.1\r\nHost: x\r\n\r\n",
                              "GET /third HTTP/1.1\r\nHost: x\r\nX-B: 2\r\n\r\n",
                              "GET /quiet HTTP/1.1\r\nHost: x\r\nX-C: 3\r\n\r\n",
                              "GET /fifth HTTP/1.1\r\nX-D: 4\r\nHost: x\r\n\r\n"}) {
            c.send(r);
            EXPECT_EQ(statusOf(c.readResponse()), 200);
        }
    }));
    const std::vector<std::string> want = {
        "/second: Host | host |", "/third: Host X-B | host x-b |", "/fifth: X-D Host | x-d host |"};
    EXPECT_EQ(seen, want);
}

// Pipelined responses wait in the connection's queue with buffered output; their buffers
// are handed on to later responses and must not leak bytes into them.
TEST(ServerRecycling, PipelinedBufferedOutputDoesNotLeakIntoTheNextBurst) {
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, ServerResponse& res) {
        res.setHeader("X-Url", req.url());
        res.end(std::string(req.url()) + "!");
    });
    std::string first, second;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        std::string burst;
        for (int i = 0; i < 8; ++i)
            burst += "GET /a" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        c.send(burst);
        for (int i = 0; i < 8; ++i) first += normalizeDate(c.readResponse());
        c.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n");
        second += normalizeDate(c.readResponse());
        second += normalizeDate(c.readResponse());
    }));
    std::string expectFirst;
    for (int i = 0; i < 8; ++i) {
        const std::string url = "/a" + std::to_string(i);
        expectFirst += "HTTP/1.1 200 OK\r\nX-Url: " + url +
                       "\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                       "Content-Length: " +
                       std::to_string(url.size() + 1) + "\r\n\r\n" + url + "!";
    }
    EXPECT_EQ(first, expectFirst);
    EXPECT_EQ(second,
              "HTTP/1.1 200 OK\r\nX-Url: /b\r\nDate: <DATE>\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\n/b!"
              "HTTP/1.1 200 OK\r\nX-Url: /c\r\nDate: <DATE>\r\nConnection: keep-alive\r\n"
              "Keep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\n/c!");
}

// A handler may keep its request and response after the exchange: they are only recycled
// once the last reference is gone, and still read as they were.
TEST(ServerRecycling, ObjectsHeldByTheUserAreNotRecycled) {
    Loop loop;
    std::vector<Ref<IncomingMessage>> reqs;
    std::vector<Ref<ServerResponse>> ress;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        reqs.emplace_back(&req);
        ress.emplace_back(&res);
        res.setHeader("X-N", static_cast<std::int64_t>(ress.size()));
        res.end("ok");
    });
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        for (int i = 0; i < 3; ++i) {
            c.send("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            c.readResponse();
        }
    }));
    ASSERT_EQ(reqs.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(reqs[i]->url(), "/" + std::to_string(i));
        EXPECT_EQ(ress[i]->getHeader("x-n").value(), std::to_string(i + 1)) << i;
        EXPECT_TRUE(ress[i]->writableEnded());
        EXPECT_NE(reqs[i].get(), reqs[(i + 1) % 3].get());
    }
}

}  // namespace
}  // namespace nodecc::test
