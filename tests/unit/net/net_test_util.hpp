// Shared by the net unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

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

}  // namespace nodecc::test
