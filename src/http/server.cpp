#include "nodecc/http/server.hpp"

#include "connection.hpp"
#include "connections_list.hpp"
#include "nodecc/process/async_id.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::http {

namespace {
// Node: http.Server calls net.Server({allowHalfOpen: true, noDelay, keepAlive, ...}).
net::ServerOptions netOptions(const ServerOptions& o) {
    net::ServerOptions n;
    n.allowHalfOpen = true;
    n.noDelay = o.noDelay;
    n.keepAlive = o.keepAlive;
    n.keepAliveInitialDelay = o.keepAliveInitialDelay;
    n.highWaterMark = o.highWaterMark;
    return n;
}
}  // namespace

// Node: function Server(options, requestListener) (seed 1-1).
Server::Server(ServerOptions options)
    : net::Server(netOptions(options)),
      keepAliveTimeout(options.keepAliveTimeout),
      headersTimeout(
          options.headersTimeout.value_or(std::min<std::uint64_t>(60000, options.requestTimeout))),
      requestTimeout(options.requestTimeout),
      options_(std::move(options)),
      connections_(std::make_unique<detail::ConnectionsList>()) {
    if (requestTimeout > 0 && headersTimeout > 0 && headersTimeout > requestTimeout) {
        throw Error("ERR_OUT_OF_RANGE",
                    "The value of \"headersTimeout\" is out of range. It must be <= "
                    "requestTimeout. Received " +
                        std::to_string(headersTimeout));
    }
    for (const auto& name : options_.uniqueHeaders) uniqueHeaders_.add(name);
    // 1-1-5: http's own 'connection' listener, registered before any user listener.
    on(net::Server::kConnection, [this](net::Socket& socket) { connectionListener(socket); });
    on(net::Server::kListening, [this] { setupConnectionsTracking(); });
}

Server::~Server() {
    if (connectionsCheckingInterval_) clearInterval(connectionsCheckingInterval_);
}

Ref<Server> createServer(ServerOptions options) {
    return makeRef<Server>(std::move(options));
}

// Node: connectionListener → connectionListenerInternal inside
// defaultTriggerAsyncIdScope(socket's id) (seed 3-2-4-1).
void Server::connectionListener(net::Socket& socket) {
    DefaultTriggerAsyncIdScope scope(socket.asyncId());
    (void)new detail::Connection(*this, socket);  // owns itself while the socket is consumed
}

// Node: setupConnectionsTracking — one unref'd interval enforces headersTimeout and
// requestTimeout for every connection (NODE-BEHAVIOUR §4).
void Server::setupConnectionsTracking() {
    if (connectionsCheckingInterval_) clearInterval(connectionsCheckingInterval_);
    const auto interval = static_cast<double>(options_.connectionsCheckingInterval);
    connectionsCheckingInterval_ = setInterval([this] { checkConnections(); }, interval);
    connectionsCheckingInterval_->unref();
}

void Server::checkConnections() {
    if (headersTimeout == 0 && requestTimeout == 0) return;
    Ref<Server> keep(this);
    loop().updateTime();
    const auto expired = connections_->expired(headersTimeout, requestTimeout, loop().now());
    for (detail::Connection* c : expired) {
        Ref<detail::Connection> conn(c);
        conn->onRequestTimeout();
    }
}

std::size_t Server::trackedConnections() const noexcept {
    return connections_->size();
}

// Node: closeAllConnections — destroy every tracked socket.
void Server::closeAllConnections() {
    for (detail::Connection* c : connections_->all()) {
        Ref<detail::Connection> conn(c);
        conn->destroySocket(nullptr);
    }
}

// Node: closeIdleConnections — sockets between requests, unless a response is unfinished.
// Stricter than Node: a connection whose ended responses are still being sent (bytes
// queued in the socket, or responses waiting behind the owner) is not idle yet — Node
// cuts those bytes off; a graceful shutdown here loses no response (callers repeat the
// call, as examples/hello does).
void Server::closeIdleConnections() {
    for (detail::Connection* c : connections_->idle()) {
        Ref<detail::Connection> conn(c);
        if (conn->owner() != nullptr && !conn->owner()->finished()) continue;
        if (conn->hasQueuedResponses() || conn->socketWritableLength() > 0) continue;
        conn->destroySocket(nullptr);
    }
}

// Node v19+: server.close() = httpServerPreClose (closeIdleConnections, stop the
// checking interval) + net.Server.close.
Server& Server::close(net::ServerCloseCallback callback) {
    closeIdleConnections();
    if (connectionsCheckingInterval_) {
        clearInterval(connectionsCheckingInterval_);
        connectionsCheckingInterval_.reset();
    }
    net::Server::close(std::move(callback));
    return *this;
}

}  // namespace nodecc::http
