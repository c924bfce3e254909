// Options of net::createServer, Server::listen, net::Socket and net::connect.
//
// Plain aggregates with Node's names and defaults:
//
//   net::ListenOptions options;
//   options.host = "127.0.0.1";
//   options.backlog = 128;
//   server->listen(options, [] { std::puts("listening"); });
//   net::ConnectOptions to;
//   to.port = 8080;
//   to.host = "::1";
//   auto client = net::createConnection(to);
//
// Threading: value types. Cost: none beyond the strings.
#pragma once

#include <cstdint>
#include <string>

namespace nodecc::net {

// Node: the backlog used when listen() is not given one (the kernel rounds 511 to 512).
inline constexpr int kDefaultBacklog = 511;
// Node v20: stream.getDefaultHighWaterMark() = 16 KiB, for sockets' writable side.
inline constexpr std::uint32_t kDefaultHighWaterMark = 16384;

// Node: net.createServer(options).
struct ServerOptions {
    bool allowHalfOpen = false;   // accepted sockets keep their writable side after the peer's FIN
    bool pauseOnConnect = false;  // accepted sockets do not read until resume()
    bool noDelay = false;         // setNoDelay(true) on accepted sockets
    bool keepAlive = false;       // setKeepAlive(true, keepAliveInitialDelay) on accepted sockets
    unsigned keepAliveInitialDelay = 0;                   // ms
    std::uint32_t highWaterMark = kDefaultHighWaterMark;  // accepted sockets' writableHighWaterMark
};

// Node: server.listen(options). Either `path` (a unix domain socket; a leading
// '\0' makes it abstract) or `port`/`host`.
struct ListenOptions {
    int port = 0;      // 0: the kernel picks one (see Server::address())
    std::string host;  // empty: "::" dual stack, falling back to "0.0.0.0"
    std::string path;  // non-empty: listen on a unix domain socket
    int backlog = kDefaultBacklog;
    bool exclusive = false;    // cluster handle sharing off (no effect until the cluster issue)
    bool ipv6Only = false;     // IPV6_V6ONLY: "::" does not accept IPv4
    bool readableAll = false;  // pipe: make the socket file readable by all users
    bool writableAll = false;  // pipe: make the socket file writable by all users
    bool reusePort = false;    // SO_REUSEPORT (Node v22.12+/v23.1+; not in v20)
};

// Node: new net.Socket(options) — the options that apply to a socket nodecc creates.
struct SocketOptions {
    bool allowHalfOpen = false;
    std::uint32_t writableHighWaterMark = kDefaultHighWaterMark;
    // Node: options.fd — wrap an existing connected stream socket (AF_UNIX → pipe,
    // AF_INET/AF_INET6 → TCP), readable and writable at once; the socket owns it from then.
    int fd = -1;
};

// Node: net.createConnection(options) / socket.connect(options).
struct ConnectOptions {
    int port = 0;
    std::string host =
        "localhost";           // a name is resolved with getaddrinfo; the first answer is used
    std::string path;          // non-empty: connect to a unix domain socket
    int family = 0;            // 0, 4 or 6 (the lookup's address family)
    std::string localAddress;  // bind before connecting
    int localPort = 0;
    bool noDelay = false;
    bool keepAlive = false;
    unsigned keepAliveInitialDelay = 0;
    bool allowHalfOpen = false;
    std::uint32_t writableHighWaterMark = kDefaultHighWaterMark;
    unsigned timeout = 0;  // ms: socket.setTimeout(timeout) once created (0: none)
};

}  // namespace nodecc::net
