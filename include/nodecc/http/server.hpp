// http::Server and http::createServer (seed step 1; Node: _http_server.js).
//
// An http::Server is-a net::Server is-a EventEmitter (seed 1-1-3). Its own
// 'connection' handling (Node's connectionListener, seed 3-2-4-1) takes a
// parser from the pool, builds the per-connection state with its incoming and
// outgoing queues, and turns each parsed request into an IncomingMessage and a
// ServerResponse for the 'request' listeners (seed 4).
//
//   auto server = nodecc::http::createServer([](auto& req, auto& res) {
//       res.setHeader("Content-Type", "text/plain");
//       res.end("Hello, World!");
//   });
//   server->keepAliveTimeout = 10000;                   // Node's properties, same names
//   server->listen(8080, "127.0.0.1", [] { std::puts("listening"); });
//   return nodecc::run();
//
// Events (typed keys below; Node's names work too): 'request', 'connection',
// 'checkContinue', 'checkExpectation', 'clientError', 'upgrade', 'connect',
// 'dropRequest', 'timeout', 'listening', 'close', 'error', 'drop'.
//
// Threading: loop thread. Cost per connection: its net::Socket and one Connection
// object (about 500 B for an idle keep-alive connection, no timer of its own); a
// pooled parser and message state while messages are in flight; per request: an
// IncomingMessage and a ServerResponse (both recycled).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nodecc/core/ref.hpp"
#include "nodecc/events/event_emitter.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/net/server.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/timers/timers.hpp"

namespace nodecc::http {

namespace detail {
class Connection;
class ConnectionsList;
}  // namespace detail

// Node: http.createServer options (v20 defaults, NODE-BEHAVIOUR.md §1.1).
struct ServerOptions {
    // Node: options.IncomingMessage / ServerResponse — factories for subclasses.
    std::function<Ref<IncomingMessage>(net::Socket*)> incomingMessage;
    std::function<Ref<ServerResponse>(IncomingMessage&)> serverResponse;
    std::uint32_t maxHeaderSize = 16384;          // Node: --max-http-header-size
    std::uint64_t requestTimeout = 300000;        // ms, 0 = off
    std::optional<std::uint64_t> headersTimeout;  // default min(60000, requestTimeout)
    std::uint64_t keepAliveTimeout = 5000;
    std::uint64_t connectionsCheckingInterval = 30000;
    bool insecureHTTPParser = false;
    bool joinDuplicateHeaders = false;
    bool requireHostHeader = true;
    bool rejectNonStandardBodyWrites = false;
    std::vector<std::string> uniqueHeaders;
    std::uint32_t highWaterMark = 16384;
    bool noDelay = true;
    bool keepAlive = false;
    std::uint32_t keepAliveInitialDelay = 0;
};

inline constexpr events::Event<IncomingMessage&, ServerResponse&> kRequest{"request"};
inline constexpr events::Event<IncomingMessage&, ServerResponse&> kCheckContinue{"checkContinue"};
inline constexpr events::Event<IncomingMessage&, ServerResponse&> kCheckExpectation{
    "checkExpectation"};
inline constexpr events::Event<Error, net::Socket&> kClientError{"clientError"};
inline constexpr events::Event<IncomingMessage&, net::Socket&, std::string_view> kUpgrade{
    "upgrade"};
inline constexpr events::Event<IncomingMessage&, net::Socket&, std::string_view> kConnect{
    "connect"};
inline constexpr events::Event<IncomingMessage&, net::Socket&> kDropRequest{"dropRequest"};
inline constexpr events::Event<net::Socket&> kTimeout{"timeout"};

class Server : public net::Server {
  public:
    explicit Server(ServerOptions options = {});
    ~Server() override;

    // Node: server.close([cb]) (v19+: closes idle connections first).
    Server& close(net::ServerCloseCallback callback = nullptr);
    void closeAllConnections();   // Node: server.closeAllConnections()
    void closeIdleConnections();  // Node: server.closeIdleConnections()
    // Node: server.setTimeout(ms[, cb]).
    template <class F>
    Server& setTimeout(std::uint64_t ms, F&& callback) {
        timeout = ms;
        on(kTimeout, std::forward<F>(callback));
        return *this;
    }
    Server& setTimeout(std::uint64_t ms) {
        timeout = ms;
        return *this;
    }

    // ---- Node's writable properties ----
    std::uint64_t timeout = 0;  // socket inactivity timeout for new connections, 0 = none
    std::uint64_t keepAliveTimeout;
    std::uint64_t headersTimeout;
    std::uint64_t requestTimeout;
    std::optional<std::uint32_t> maxHeadersCount;  // Node: null → 1000 fields (2000 strings)
    std::uint32_t maxRequestsPerSocket = 0;        // 0 = unlimited
    bool httpAllowHalfOpen = false;

    const ServerOptions& options() const noexcept { return options_; }
    // Connections tracked for timeouts and closeIdleConnections (Node: kConnections).
    std::size_t trackedConnections() const noexcept;

  protected:
    const char* emitterName() const noexcept override { return "Server"; }

  private:
    friend class detail::Connection;
    void connectionListener(net::Socket& socket);  // Node: connectionListener (seed 1-1-5)
    void setupConnectionsTracking();               // Node: setupConnectionsTracking
    void checkConnections();                       // Node: checkConnections

    ServerOptions options_;
    UniqueHeaders uniqueHeaders_;
    std::unique_ptr<detail::ConnectionsList> connections_;
    timers::TimeoutPtr connectionsCheckingInterval_;
};

// Node: http.createServer([options][, requestListener]).
Ref<Server> createServer(ServerOptions options = {});
template <class F>
Ref<Server> createServer(ServerOptions options, F&& requestListener) {
    Ref<Server> server = createServer(std::move(options));
    server->on(kRequest, std::forward<F>(requestListener));
    return server;
}
template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, ServerOptions>>>
Ref<Server> createServer(F&& requestListener) {
    return createServer(ServerOptions{}, std::forward<F>(requestListener));
}

}  // namespace nodecc::http
