// The diagnostics hooks at seed 4-1-4-4 / 4-2 (Node: diagnostics_channel
// 'http.server.request.start' and 'http.server.response.finish'; cf. Node's
// test-diagnostics-channel-http-server-start.js).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_client.hpp"
#include "net_test_support.hpp"
#include "nodecc/http/diagnostics.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {
namespace {

using http::IncomingMessage;
using http::ServerResponse;
namespace diagnostics = http::diagnostics;

TEST(ServerDiagnostics, RequestStartBeforeRequestAndResponseFinishBeforeFinish) {
    Loop loop;
    std::vector<std::string> log;
    const auto start = diagnostics::onRequestStart([&](const diagnostics::RequestStart& m) {
        log.push_back("start " + std::string(m.request.url()) + " " +
                      std::to_string(m.socket.localPort() > 0));
    });
    const auto finish = diagnostics::onResponseFinish([&](const diagnostics::ResponseFinish& m) {
        log.push_back("finish " + std::string(m.request.url()) + " " +
                      std::to_string(m.response.statusCode));
    });
    Ref<http::Server> server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        log.push_back("request " + std::string(req.url()));
        res.on(http::kFinish, [&] { log.push_back("res finish"); });
        res.statusCode = 201;
        res.end("ok");
    });
    std::string reply;
    server->listen(0, "127.0.0.1", [&] {
        auto client = net::connect(server->address()->port, "127.0.0.1");
        client->on(net::Socket::kData, [&](std::string_view d) { reply.append(d); });
        client->on(net::Socket::kClose, [&](bool) { server->close(); });
        client->end("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_TRUE(diagnostics::unsubscribe(start));
    EXPECT_TRUE(diagnostics::unsubscribe(finish));
    EXPECT_FALSE(diagnostics::unsubscribe(finish));
    ASSERT_EQ(log.size(), 4u) << reply;
    EXPECT_EQ(log[0], "start /a 1");
    EXPECT_EQ(log[1], "request /a");
    EXPECT_EQ(log[2], "finish /a 201");
    EXPECT_EQ(log[3], "res finish");
}

TEST(ServerDiagnostics, NoSubscriberNoCall) {
    Loop loop;
    int calls = 0;
    const auto id = diagnostics::onRequestStart([&](const diagnostics::RequestStart&) { ++calls; });
    diagnostics::unsubscribe(id);
    Ref<http::Server> server =
        http::createServer([](IncomingMessage&, ServerResponse& res) { res.end("ok"); });
    server->listen(0, "127.0.0.1", [&] {
        auto client = net::connect(server->address()->port, "127.0.0.1");
        client->on(net::Socket::kData, [](std::string_view) {});  // flowing, so it sees the end
        client->on(net::Socket::kClose, [&](bool) { server->close(); });
        client->end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace nodecc::test
