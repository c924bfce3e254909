// net::Server — Node's net.Server: listens on TCP or a unix domain socket and
// emits a net::Socket per accepted connection (seed steps 2 and 3-2).
//
//   auto server = net::createServer([](net::Socket& socket) {
//       socket.on(net::Socket::kData, [&socket](std::string_view chunk) { socket.write(chunk); });
//   });
//   server->on(net::Server::kError, [](const Error& e) { std::puts(e.what()); });
//   server->listen(0, "127.0.0.1", [&] { std::printf("port %d\n", server->address()->port); });
//   nodecc::run();
//
// Events (typed keys; by name too): 'listening', 'connection'(Socket&),
// 'drop'(const DropInfo&), 'error'(Error), 'close'.
//
// The path of listen() is Node's (NODE-BEHAVIOUR.md §7.1–7.3): listen →
// listenInCluster (a no-op step until the cluster issue) → setupListenHandle →
// createServerHandle (bind; no host means "::" dual stack, else "0.0.0.0") →
// 'listening' on the next tick inside a DefaultTriggerAsyncIdScope of the
// server's async id. Bind/listen failures (EADDRINUSE, EACCES…) arrive as an
// asynchronous 'error' ("listen EADDRINUSE: address already in use
// 127.0.0.1:8080"); listen() may be called again after an error or close().
// Misuse throws synchronously: ERR_SERVER_ALREADY_LISTEN, ERR_SOCKET_BAD_PORT.
//
// Accepting (Node: onconnection): nodecc accepts itself (a uv_poll_t on the
// listening descriptor, accept4() at most 128 times per wakeup) so that
// running out of descriptors can be handled: on EMFILE/ENFILE it stops
// watching the descriptor and retries after 10 ms, doubling up to 1 s, and
// at once when one of its own connections closes — no busy loop, no dropped
// listener, the clients wait in the backlog (Node/libuv either spin or
// accept-and-close). Above maxConnections a connection is closed and 'drop'
// emitted; otherwise a Socket is made and 'connection' emitted.
//
// Threading: loop thread only. Cost: one Socket allocation per connection;
// accepting allocates nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "nodecc/core/error.hpp"
#include "nodecc/core/ref.hpp"
#include "nodecc/core/unique_function.hpp"
#include "nodecc/events/event_emitter.hpp"
#include "nodecc/net/address.hpp"
#include "nodecc/net/options.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/async_id.hpp"

namespace nodecc {
class Loop;
}

namespace nodecc::net {

namespace detail {
struct ListenHandle;
struct ServerAccess;
}  // namespace detail

// Node: the object passed to 'drop' (v18.6+). Empty addresses for pipes.
struct DropInfo {
    std::string localAddress;
    int localPort = 0;
    std::string localFamily;
    std::string remoteAddress;
    int remotePort = 0;
    std::string remoteFamily;
};

// Counters of the accept path (a nodecc addition, for diagnostics and tests).
struct AcceptStats {
    std::uint64_t accepted = 0;     // descriptors accepted (including dropped ones)
    std::uint64_t acceptCalls = 0;  // accept4() calls, failed ones included
    std::uint64_t wakeups = 0;      // times the listening descriptor was found readable
    std::uint64_t fdExhausted = 0;  // EMFILE/ENFILE/ENOBUFS/ENOMEM seen (each starts a backoff)
};

// Callbacks: close(cb) gets nullptr or ERR_SERVER_NOT_RUNNING; getConnections(cb) (err, count).
using ServerCloseCallback = ErrorCallback;
using ConnectionsCallback = UniqueFunction<void(const Error*, std::size_t)>;

class Server : public events::EventEmitter {
  public:
    static constexpr events::Event<> kListening{"listening"};
    static constexpr events::Event<Socket&> kConnection{"connection"};
    static constexpr events::Event<DropInfo> kDrop{"drop"};
    static constexpr events::Event<> kClose{"close"};
    static constexpr const events::Event<Error>& kError = events::kError;

    ~Server() override;

    // ---- listen (Node: server.listen). `onListening` is added as a 'listening' listener.
    Server& listen(int port = 0, EventCallback onListening = {});
    Server& listen(EventCallback onListening) { return listen(0, std::move(onListening)); }
    Server& listen(int port, std::string_view host, EventCallback onListening = {});
    Server& listen(int port, std::string_view host, int backlog, EventCallback onListening = {});
    Server& listen(const ListenOptions& options, EventCallback onListening = {});
    // Node: server.listen(path[, backlog][, cb]) — a unix domain socket. Deviation: its own
    // name (a string would read as a host), and the backlog goes through ListenOptions.
    // Not supported: listen(handle), listen({fd}), the `signal` option.
    Server& listenPath(std::string_view path, EventCallback onListening = {});

    // Node: server.close([cb]) — stops accepting; 'close' once no connection is left.
    Server& close(ServerCloseCallback cb = nullptr);
    // Node: server.address() — nullopt when not listening.
    std::optional<SocketAddress> address() const;
    bool listening() const noexcept { return handle_ != nullptr; }  // Node: server.listening
    // Node: server.getConnections(cb) — answers on the next tick.
    Server& getConnections(ConnectionsCallback cb);
    std::size_t connections() const noexcept { return connections_; }  // Node: _connections
    // Node: server.maxConnections (0: no limit, as Node v20 treats 0/unset).
    Server& setMaxConnections(std::size_t max) noexcept {
        maxConnections_ = max;
        return *this;
    }
    std::size_t maxConnections() const noexcept { return maxConnections_; }
    Server& ref();    // Node: server.ref()
    Server& unref();  // Node: server.unref() — remembered across listen()
    AsyncId asyncId() const noexcept { return asyncId_; }  // -1 until listen (Node)
    const ServerOptions& options() const noexcept { return options_; }
    const AcceptStats& acceptStats() const noexcept { return stats_; }
    Loop& loop() const noexcept { return *loop_; }

  protected:
    // For subclasses (http::Server is-a net::Server). Use net::createServer otherwise.
    explicit Server(const ServerOptions& options);
    const char* emitterName() const noexcept override { return "Server"; }

  private:
    friend struct detail::ServerAccess;

    void listenInCluster(std::string address, int port, int addressType, int backlog,
                         const ListenOptions& options);
    void setupListenHandle(std::string address, int port, int addressType, int backlog,
                           const ListenOptions& options);
    void emitErrorNT(Error error);
    void emitCloseIfDrained();
    void onconnection(int fd);
    void onSocketDestroyed();

    Loop* loop_;
    ServerOptions options_;
    detail::ListenHandle* handle_ = nullptr;
    AsyncId asyncId_ = -1;
    std::size_t connections_ = 0;
    std::size_t maxConnections_ = 0;
    std::uint64_t listeningId_ = 0;  // Node: _listeningId — a stale lookup is ignored
    bool unref_ = false;
    AcceptStats stats_;
};

// Node: net.createServer([options][, connectionListener]).
Ref<Server> createServer(const ServerOptions& options = {});
template <class F, class = std::enable_if_t<!std::is_convertible_v<F, const ServerOptions&>>>
Ref<Server> createServer(F&& connectionListener) {
    Ref<Server> server = createServer(ServerOptions{});
    server->on(Server::kConnection, std::forward<F>(connectionListener));
    return server;
}
template <class F>
Ref<Server> createServer(const ServerOptions& options, F&& connectionListener) {
    Ref<Server> server = createServer(options);
    server->on(Server::kConnection, std::forward<F>(connectionListener));
    return server;
}

}  // namespace nodecc::net
