// A graceful shutdown loses no response (stricter than Node, whose closeIdleConnections
// also destroys a socket whose ended response is still being sent): server.close() and
// closeIdleConnections() leave a connection alone while its ended responses are still
// leaving — bytes queued in the socket, or pipelined responses waiting behind the one in
// flight — and a later call closes it once it is really idle.
#include <string>

#include "server_test_util.hpp"

namespace nodecc::test {
namespace {

constexpr std::size_t kBig = 8u << 20;  // more than the loopback socket buffers hold

std::size_t bodySize(const std::string& response) {
    const std::size_t head = response.find("\r\n\r\n");
    return head == std::string::npos ? 0 : response.size() - head - 4;
}

TEST(ServerGracefulClose, CloseWhileAnEndedResponseIsStillSendingDeliversAllOfIt) {
    Loop loop;
    const std::string big(kBig, 'b');
    http::Server* self = nullptr;
    bool closeCalled = false;
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        res.end(big);  // ended: most of it waits in the socket for the client to read
        EXPECT_GT(res.writableLength(), 0u);
        setTimeout(
            [&] {
                self->close();  // also closeIdleConnections(): this one is not idle yet
                closeCalled = true;
                // Once it has all left, the connection is idle and goes.
                setInterval([&] { self->closeIdleConnections(); }, 20)->unref();
            },
            30);
    });
    self = server.get();
    std::string response;
    bool closedAfter = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        ::usleep(150 * 1000);  // not reading while the server closes
        response = c.readResponse(false, 10000);
        c.readAll(4000);
        closedAfter = c.peerClosed();
    }));
    EXPECT_TRUE(closeCalled);
    EXPECT_EQ(statusOf(response), 200);
    EXPECT_EQ(bodySize(response), kBig);
    EXPECT_TRUE(closedAfter);
}

TEST(ServerGracefulClose, PipelinedResponsesWaitingBehindTheOwnerAreAllSent) {
    Loop loop;
    const std::string big(kBig, 'p');
    http::Server* self = nullptr;
    int n = 0;
    auto server = http::createServer([&](IncomingMessage&, ServerResponse& res) {
        res.end(n++ == 0 ? big : std::string("second"));
        if (n == 2) {
            setTimeout(
                [&] {
                    self->close();
                    setInterval([&] { self->closeIdleConnections(); }, 20)->unref();
                },
                30);
        }
    });
    self = server.get();
    std::string first, second;
    bool closedAfter = false;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        RawClient c(port);
        c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
        ::usleep(150 * 1000);
        first = c.readResponse(false, 10000);
        second = c.readResponse(false, 10000);
        c.readAll(4000);
        closedAfter = c.peerClosed();
    }));
    EXPECT_TRUE(closedAfter);
    EXPECT_EQ(bodySize(first), kBig);
    EXPECT_EQ(statusOf(second), 200);
    EXPECT_EQ(bodySize(second), 6u);
}

}  // namespace
}  // namespace nodecc::test
