// net::SocketAddress and the address helpers of Node's `net` module.
//
// What `server.address()` and `socket.address()` return in Node, as a value:
//
//   auto addr = server->address();            // std::optional<net::SocketAddress>
//   std::printf("%s %s %d\n", addr->address.c_str(), addr->family.c_str(), addr->port);
//   // "127.0.0.1 IPv4 37113"
//   net::isIP("::1");                          // 6
//
// Threading: value types and pure functions. Cost: the strings allocate only
// when longer than the small-string buffer; never on a hot path.
#pragma once

#include <string>
#include <string_view>

namespace nodecc::net {

// Node: the object `{address, family, port}` of server.address()/socket.address().
// family is "IPv4" or "IPv6". For a unix domain socket (pipe) server, `address`
// holds the path, family is empty and port is 0 (Node returns the bare string).
struct SocketAddress {
    std::string address;
    std::string family;
    int port = 0;

    friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

// Node: net.isIP(input): 4, 6 or 0. Numeric forms only, as Node (no lookup).
int isIP(std::string_view input) noexcept;
// Node: net.isIPv4(input) / net.isIPv6(input).
bool isIPv4(std::string_view input) noexcept;
bool isIPv6(std::string_view input) noexcept;

}  // namespace nodecc::net
