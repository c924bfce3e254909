// nodecc::net against Node's own net module (the behavioural oracle, DESIGN.md §1):
// Node clients talk to nodecc servers, and both report the same bind error.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "net_test_support.hpp"
#include "nodecc/net.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {
namespace {

// Runs a shell command, returns its stdout ("" if it could not run).
std::string capture(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return {};
    std::string out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe.get()) != nullptr) {
        out += buf.data();
    }
    return out;
}

bool haveNode() {
    return capture("node --version 2>/dev/null").rfind("v", 0) == 0;
}

TEST(NodeInterop, AddressInUseErrorMatchesNodesExactly) {
    if (!haveNode()) GTEST_SKIP() << "node not installed";
    Loop loop;
    auto holder = net::createServer();
    auto second = net::createServer();
    std::string ours;
    std::string nodes;
    second->on(net::Server::kError, [&](const Error& e) {
        ours = e.code() + "|" + e.syscall() + "|" + e.address() + "|" + std::to_string(e.port()) +
               "|" + e.what();
        holder->close();
    });
    holder->listen(0, "127.0.0.1", [&] {
        const int port = holder->address()->port;
        nodes = capture(
            "node -e \"const s=require('net').createServer();s.on('error',e=>{"
            "console.log([e.code,e.syscall,e.address,e.port,e.message].join('|'));});"
            "s.listen(" +
            std::to_string(port) + ",'127.0.0.1')\"");
        second->listen(port, "127.0.0.1");
    });
    ASSERT_TRUE(runLoop(loop));
    ASSERT_FALSE(nodes.empty());
    EXPECT_EQ(ours + "\n", nodes);
}

TEST(NodeInterop, NodeClientEchoesAMegabyteThroughANodeccServer) {
    if (!haveNode()) GTEST_SKIP() << "node not installed";
    Loop loop;
    std::string result;
    std::thread client;
    std::uint64_t bytesRead = 0;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        s.on(net::Socket::kData, [&s](std::string_view d) { s.write(d); });
        s.on(net::Socket::kClose, [&](bool) {
            bytesRead = s.bytesRead();
            server->close();
        });
    });
    server->listen(0, "127.0.0.1", [&] {
        const int port = server->address()->port;
        client = std::thread([&, port] {
            result = capture(
                "node -e \"const c=require('net').connect(" + std::to_string(port) +
                ",'127.0.0.1');const out=Buffer.alloc(1<<20);for(let i=0;i<out.length;i++)"
                "out[i]=i*131%251;const got=[];c.on('data',d=>{got.push(d);"
                "if(Buffer.concat(got).length===out.length)c.end();});"
                "c.on('close',()=>console.log(Buffer.concat(got).equals(out)?'same':'differ'));"
                "c.write(out);\"");
        });
    });
    const bool finished = runLoop(loop, 20000);
    if (client.joinable()) client.join();
    ASSERT_TRUE(finished);
    EXPECT_EQ(result, "same\n");
    EXPECT_EQ(bytesRead, 1u << 20);
}

// A nodecc client against a Node server: 'end' without allowHalfOpen ends our side.
TEST(NodeInterop, NodeccClientAgainstANodeServer) {
    if (!haveNode()) GTEST_SKIP() << "node not installed";
    // The Node server answers "hi <data>" and ends; it prints its port first.
    const std::string script =
        "const s=require('net').createServer(c=>{c.on('data',d=>{c.end('hi '+d);s.close();});});"
        "s.listen(0,'127.0.0.1',()=>console.log(s.address().port));";
    std::unique_ptr<FILE, int (*)(FILE*)> node(::popen(("node -e \"" + script + "\"").c_str(), "r"),
                                               ::pclose);
    ASSERT_TRUE(node);
    std::array<char, 64> line{};
    ASSERT_NE(std::fgets(line.data(), static_cast<int>(line.size()), node.get()), nullptr);
    const int port = std::atoi(line.data());
    ASSERT_GT(port, 0);
    Loop loop;
    std::string got;
    bool ended = false;
    std::optional<bool> hadError;
    Ref<net::Socket> c = net::connect(port, "127.0.0.1", [&] { c->write("nodecc"); });
    c->on(net::Socket::kData, [&](std::string_view d) { got += d; });
    c->on(net::Socket::kEnd, [&] { ended = true; });
    c->on(net::Socket::kClose, [&](bool e) { hadError = e; });
    ASSERT_TRUE(runLoop(loop));
    EXPECT_EQ(got, "hi nodecc");
    EXPECT_TRUE(ended);
    EXPECT_EQ(hadError, false);
}

}  // namespace
}  // namespace nodecc::test
