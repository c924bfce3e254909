// net::SocketConsumer: the http layer's hook (Node: parser.consume(handle)).
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

struct Recorder final : net::SocketConsumer {
    std::vector<std::string> calls;
    std::string data;
    bool echo = false;
    void onSocketData(net::Socket& s, std::string_view bytes) override {
        calls.push_back("data");
        data += bytes;
        if (echo) s.write(bytes);
    }
    void onSocketEnd(net::Socket& s) override {
        calls.push_back("end");
        s.end();
    }
    void onSocketError(net::Socket&, const Error& e) override {
        calls.push_back("error " + e.code());
    }
    void onSocketDrain(net::Socket&) override { calls.push_back("drain"); }
    void onSocketTimeout(net::Socket& s) override {
        calls.push_back("timeout");
        s.destroy();
    }
    void onSocketClose(net::Socket&, bool hadError) override {
        calls.push_back(hadError ? "close true" : "close false");
    }
};

TEST(NetConsumer, ReceivesReadsInsteadOfDataEvents) {
    Loop loop;
    Recorder rec;
    rec.echo = true;
    int dataEvents = 0;
    std::vector<std::string> listenerOrder;
    Ref<net::Server> server = net::createServer(halfOpen(), [&](net::Socket& s) {
        s.consume(&rec);
        EXPECT_EQ(s.consumer(), &rec);
        s.on(net::Socket::kData, [&](std::string_view) { ++dataEvents; });
        s.on(net::Socket::kEnd, [&] { listenerOrder.push_back("end listener"); });
        s.on(net::Socket::kClose, [&](bool) {
            listenerOrder.push_back("close listener");
            EXPECT_EQ(s.consumer(), nullptr);
            server->close();
        });
    });
    std::string echoed;
    server->listen(0, "127.0.0.1", [&] {
        auto c = net::connect(portOf(*server), "127.0.0.1");
        c->end("consumed bytes");
        c->on(net::Socket::kData, [&](std::string_view d) { echoed += d; });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(dataEvents, 0);
    EXPECT_EQ(rec.data, "consumed bytes");
    EXPECT_EQ(echoed, "consumed bytes");
    ASSERT_GE(rec.calls.size(), 3u);
    EXPECT_EQ(rec.calls.back(), "close false");
    EXPECT_EQ(rec.calls[rec.calls.size() - 2], "end");
    EXPECT_EQ(listenerOrder, (std::vector<std::string>{"end listener", "close listener"}));
}

TEST(NetConsumer, ErrorsGoToTheConsumerWithoutAnUnhandledError) {
    Loop loop;
    Recorder rec;
    int fd = -1;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.consume(&rec);
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        setLingerReset(fd);
        ::close(fd);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(rec.calls, (std::vector<std::string>{"error ECONNRESET", "close true"}));
}

TEST(NetConsumer, TimeoutAndDrainReachTheConsumer) {
    Loop loop;
    Recorder rec;
    int fd = -1;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.consume(&rec);
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        EXPECT_FALSE(s.write(std::string(32768, 'z')));  // ≥ the high-water mark: drain follows
        s.setTimeout(30);
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    ASSERT_TRUE(runLoop(loop));
    ::close(fd);
    EXPECT_EQ(rec.calls, (std::vector<std::string>{"drain", "timeout", "close false"}));
}

TEST(NetConsumer, BytesHeldBeforeConsumeAreDelivered) {
    Loop loop;
    Recorder rec;
    Ref<net::Socket> client;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        Ref<net::Socket> keep(&s);
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        timers::setTimeout([&, keep] { keep->consume(&rec); }, 30);
    });
    server->listen(0, "127.0.0.1", [&] {
        client = net::connect(portOf(*server), "127.0.0.1", [&] { client->end("before"); });
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(rec.data, "before");
    EXPECT_EQ(rec.calls, (std::vector<std::string>{"data", "end", "close false"}));
}

}  // namespace
}  // namespace nodecc::test
