// Ports of Node's test/parallel tests for the server's hand-over edges: a user 'data'
// listener on the request's socket (test-http-server-unconsume), a response ended after
// its socket closed (test-http-server-stale-close), and an upgrade that takes the socket
// while pipelined responses are queued (test-http-pipeline-socket-parser-typeerror).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

// test-http-server-unconsume: once the handler adds a 'data' listener to the request's
// socket (with on, addListener or prependListener), the bytes the client sends next reach
// that listener; Node unconsumes the socket from the parser for it (its
// generateSocketListenerWrapper), which still parses them too (here: a 'clientError').
enum class AddWith { On, AddListener, PrependListener };

class ServerPortedUnconsume : public ::testing::TestWithParam<AddWith> {};

TEST_P(ServerPortedUnconsume, SocketDataListenerGetsTheBytesAfterTheRequest) {
    Loop loop;
    std::string received;
    http::Server* self = nullptr;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        res.end();
        auto listener = [&received](std::string_view data) { received.append(data); };
        net::Socket& socket = *req.socket();
        switch (GetParam()) {
            case AddWith::On:
                socket.on(net::Socket::kData, listener);
                break;
            case AddWith::AddListener:
                socket.addListener(net::Socket::kData, listener);
                break;
            case AddWith::PrependListener:
                socket.prependListener(net::Socket::kData, listener);
                break;
        }
        self->close();
    });
    self = server.get();
    std::string response;
    bool closed = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("PUT / HTTP/1.1\r\nHost: example.com\r\n\r\n");
        response = c.readResponse();
        c.send("hello world");
        c.shutdownWrite();
        c.readAll();
        closed = c.peerClosed();
    }));
    EXPECT_EQ(statusOf(response), 200);
    EXPECT_TRUE(closed);
    EXPECT_EQ(received, "hello world");
}

INSTANTIATE_TEST_SUITE_P(Listeners, ServerPortedUnconsume,
                         ::testing::Values(AddWith::On, AddWith::AddListener,
                                           AddWith::PrependListener),
                         [](const ::testing::TestParamInfo<AddWith>& p) {
                             switch (p.param) {
                                 case AddWith::On:
                                     return std::string("On");
                                 case AddWith::AddListener:
                                     return std::string("AddListener");
                                 case AddWith::PrependListener:
                                     return std::string("PrependListener");
                             }
                             return std::string();
                         });

// test-http-server-stale-close: the handler echoes the body of a 42-byte POST into a
// 42-byte response; the client leaves after 3 bytes. The request's 'close' handler closes
// the server and ends the response on the dead socket: a no-op (Node v20: 'res close',
// then 'req close'; no 'finish', no error), and the server still closes.
TEST(ServerPorted, StaleCloseEndsTheResponseOfAClosedSocket) {
    Loop loop;
    std::vector<std::string> events;
    http::Server* self = nullptr;
    bool serverClosed = false;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        Ref<ServerResponse> r(&res);
        res.setHeader("Content-Length", "42");
        res.writeHead(200);
        req.on(http::kData, [r, &events](std::string_view data) {
            events.push_back("data " + std::string(data));
            r->write(data);
        });
        res.on(http::kFinish, [&events] { events.push_back("res finish"); });
        res.on(http::kResponseClose, [&events] { events.push_back("res close"); });
        res.on(events::kError,
               [&events](const Error& e) { events.push_back("res error " + e.code()); });
        req.on(http::kClose, [r, &events, &self, &serverClosed] {
            events.push_back("req close");
            self->close([&serverClosed](const Error*) { serverClosed = true; });
            r->end();
            events.push_back(std::string("ended ") + (r->writableEnded() ? "1" : "0"));
        });
    });
    self = server.get();
    std::string got;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\nBAM");
        got = c.readResponse();  // the head and the 3 echoed bytes (Content-Length 42)
        c.close();
    }));
    EXPECT_EQ(statusOf(got), 200);
    EXPECT_TRUE(hasHeader(got, "Content-Length", "42"));
    EXPECT_EQ(events, (std::vector<std::string>{"data BAM", "res close", "req close", "ended 1"}));
    EXPECT_TRUE(serverClosed);
}

// A message box from the loop thread to the client thread.
class Mailbox {
  public:
    void post(std::string message) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            messages_.push_back(std::move(message));
        }
        cv_.notify_one();
    }
    std::string take() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!cv_.wait_for(lock, std::chrono::seconds(4), [&] { return !messages_.empty(); })) {
            return "timeout";
        }
        std::string message = std::move(messages_.front());
        messages_.pop_front();
        return message;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> messages_;
};

// test-http-pipeline-socket-parser-typeerror (nodejs/node#3508): the first response is
// held, the second written to, the next ones ended, one request at a time, until the
// queued output passes the socket's high-water mark; then a plain request and an upgrade
// arrive in one read. The upgrade takes the socket while responses are queued; its
// listener ends the held ones (the first with "hello", the second with a callback that
// ends the socket). Node crashed here once (the socket had lost its parser).
TEST(ServerPorted, UpgradeWhilePipelinedResponsesAreQueued) {
    Loop loop;
    const std::string chunk(1024, 'X');
    Ref<ServerResponse> first, second;
    std::size_t size = 0;
    int requests = 0;
    bool closing = false;
    std::vector<std::string> events;
    Mailbox client;
    http::Server* self = nullptr;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        ++requests;
        if (!closing) self->close();
        closing = true;
        if (!first) {
            first = Ref<ServerResponse>(&res);
            return;
        }
        if (!second) {
            second = Ref<ServerResponse>(&res);
            res.write(chunk);
        } else {
            res.end(chunk);
        }
        size += res.writableLength();  // Node: res.outputSize
        client.post(size <= req.socket()->writableHighWaterMark() ? "more" : "done");
    });
    server->on(http::kUpgrade, [&](IncomingMessage&, net::Socket& socket, std::string_view head) {
        events.push_back("upgrade " + std::string(head));
        Ref<net::Socket> s(&socket);
        second->end(chunk, [s, &events](const Error* e) {
            events.push_back(std::string("second end ") + (e != nullptr ? e->code() : "ok"));
            s->end();
        });
        first->end("hello");
    });
    self = server.get();
    std::string got;
    bool closed = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        const std::string get = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
        c.send(get);
        c.send(get);
        for (std::string m = client.take(); m != "done"; m = client.take()) {
            if (m != "more") return;  // timeout: the assertions below report it
            c.send(get);
        }
        c.send(
            "GET / HTTP/1.1\r\n\r\n"
            "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\naaa");
        got = c.readAll();
        closed = c.peerClosed();
    }));
    EXPECT_GT(requests, 2);
    EXPECT_EQ(events, (std::vector<std::string>{"upgrade aaa", "second end ok"}));
    // The held first response leaves first, with its body; then the second's.
    EXPECT_EQ(statusOf(got), 200);
    const std::string firstBody = "Content-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n";
    EXPECT_NE(got.find(firstBody), std::string::npos) << got.substr(0, 300);
    EXPECT_LT(got.find(firstBody), got.find("XXXX"));
    EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace nodecc::test
