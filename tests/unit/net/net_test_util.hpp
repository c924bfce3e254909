// Shared by the net unit tests.
#pragma once

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "net_test_support.hpp"
#include "nodecc/net.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace nodecc::test {

inline int portOf(net::Server& server) {
    auto a = server.address();
    return a ? a->port : -1;
}

inline net::ServerOptions halfOpen() {
    net::ServerOptions o;
    o.allowHalfOpen = true;
    return o;
}

// An echo server on 127.0.0.1:0 (default options unless given).
inline Ref<net::Server> echoServer(const net::ServerOptions& options = {}) {
    return net::createServer(options, [](net::Socket& s) {
        s.on(net::Socket::kData, [&s](std::string_view d) { s.write(d); });
    });
}

// Runs a server whose connection handler is `writes` (which ends the socket, now or later); the
// peer starts reading only once the writes are made, so the kernel cannot take them at once.
// Returns what the peer read until EOF.
template <class Writes>
std::string writeToASlowReader(Writes&& writes) {
    Loop loop;
    int fd = -1;
    std::thread reader;
    std::string got;
    Ref<net::Server> server = net::createServer([&](net::Socket& s) {
        writes(s);
        s.on(net::Socket::kClose, [&](bool) { server->close(); });
        reader = std::thread([&] {
            got = readAll(fd);
            ::shutdown(fd, SHUT_WR);  // our FIN lets the server's socket finish closing
        });
    });
    server->listen(0, "127.0.0.1", [&] { fd = rawConnect("127.0.0.1", portOf(*server)); });
    EXPECT_TRUE(runLoop(loop));
    if (reader.joinable()) reader.join();
    if (fd >= 0) ::close(fd);
    return got;
}

}  // namespace nodecc::test
