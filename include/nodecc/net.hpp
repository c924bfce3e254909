// nodecc/net.hpp — Node's `net` module: servers and sockets over libuv TCP and pipes.
//
//   #include <nodecc/net.hpp>
//   auto server = nodecc::net::createServer([](nodecc::net::Socket& s) { s.end("bye\n"); });
//   server->listen(8124);
//   return nodecc::run();
//
// Threading and cost: see net/server.hpp and net/socket.hpp.
#pragma once

#include "nodecc/net/address.hpp"          // IWYU pragma: export
#include "nodecc/net/options.hpp"          // IWYU pragma: export
#include "nodecc/net/server.hpp"           // IWYU pragma: export
#include "nodecc/net/socket.hpp"           // IWYU pragma: export
#include "nodecc/net/socket_consumer.hpp"  // IWYU pragma: export
