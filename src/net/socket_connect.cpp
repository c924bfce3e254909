// net::Socket's client side: connect() / net::connect / net::createConnection.
//
// Node: Socket.prototype.connect → lookupAndConnect (dns.lookup unless the host is
// an IP literal) → internalConnect (bind if localAddress, then connect) → afterConnect.
#include <cstring>

#include "net_internal.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::net {

using A = detail::SocketAccess;
namespace f = detail;

namespace {

void connectCb(uv_connect_t* req, int status) {
    Socket& s = *static_cast<Socket*>(req->data);
    delete req;
    Ref<Socket> keep(&s);
    A::connectDone(s, status);
}

Error lookupError(int status, std::string_view host) {
    // Node: dns errors — EAI_NONAME/EAI_NODATA are reported as ENOTFOUND.
    std::string code =
        status == UV_EAI_NONAME || status == UV_EAI_NODATA ? "ENOTFOUND" : uvErrorName(status);
    std::string msg = "getaddrinfo " + code + " " + std::string(host);
    Error e(std::move(code), std::move(msg));
    e.setSyscall("getaddrinfo").setErrnum(status);
    e.setAddress(std::string(host));
    return e;
}

}  // namespace

void A::connectDone(Socket& s, int status) {
    std::unique_ptr<f::ConnectState> state = std::move(extra(s).connect);
    if (status == UV_ECANCELED) return;  // destroyed while connecting
    makeCallback(s.loop(), s.asyncId_, s.triggerAsyncId_, [&] {
        if (has(s, f::kDestroyed)) return;
        if (status < 0) {
            destroy(s, f::exceptionWithHostPort(status, "connect", state ? state->address : "",
                                                state ? state->port : 0));
            return;
        }
        connected(s);
    });
}

// Node: afterConnect.
void A::connected(Socket& s) {
    clear(s, f::kConnecting);
    set(s, f::kEverConnected);
    if (s.extra_ != nullptr && !has(s, f::kPipe)) {
        if (s.extra_->noDelayOnConnect) uv_tcp_nodelay(tcp(s), 1);
        if (s.extra_->keepAliveOnConnect) {
            uv_tcp_keepalive(tcp(s), 1, s.extra_->keepAliveDelay);
        }
    }
    refreshTimer(s);
    readStart(s);
    flush(s);
    if (has(s, f::kDestroyed)) return;
    s.emit(Socket::kConnect);
    if (has(s, f::kDestroyed)) return;
    s.emit(Socket::kReady);
    if (has(s, f::kDestroyed)) return;
    maybeShutdown(s);
}

void A::startConnect(Socket& s, const sockaddr_storage& address) {
    auto& cs = *extra(s).connect;
    const SocketAddress sa = f::toSocketAddress(reinterpret_cast<const sockaddr*>(&address));
    cs.address = sa.address;
    cs.port = sa.port;
    if (cs.bindLocal) {
        const int r = uv_tcp_bind(tcp(s), reinterpret_cast<const sockaddr*>(&cs.local), 0);
        if (r != 0) {
            destroy(s, f::exceptionWithHostPort(r, "bind", cs.localAddress, cs.localPort));
            return;
        }
    }
    auto* req = new uv_connect_t;
    req->data = &s;
    const int r =
        uv_tcp_connect(req, tcp(s), reinterpret_cast<const sockaddr*>(&address), connectCb);
    if (r != 0) {
        delete req;
        destroy(s, f::exceptionWithHostPort(r, "connect", cs.address, cs.port));
    }
}

Socket& Socket::connect(const ConnectOptions& options, EventCallback onConnect) {
    if (A::has(*this, f::kConnecting)) {
        throw Error("ERR_SOCKET_CONNECTING", "Socket is already connecting");
    }
    if (A::has(*this, f::kHandleOpen | f::kDestroyed)) {
        throw Error("ERR_SOCKET_CLOSED", "Socket is closed");
    }
    const bool pipe = !options.path.empty();
    if (!pipe && (options.port < 0 || options.port > 65535)) f::throwBadPort(options.port);
    if (onConnect) once(kConnect, std::move(onConnect));
    if (options.allowHalfOpen) A::set(*this, f::kAllowHalfOpen);
    highWaterMark_ = options.writableHighWaterMark;

    A::openHandle(*this, pipe);
    A::set(*this, f::kConnecting);
    if (options.timeout > 0) setTimeout(options.timeout);
    auto& ex = A::extra(*this);
    ex.connect = std::make_unique<f::ConnectState>();
    auto& cs = *ex.connect;
    if (pipe) {
        cs.address = options.path;
        auto* req = new uv_connect_t;
        req->data = this;
        uv_pipe_connect(req, A::pipe(*this), options.path.c_str(), connectCb);
        return *this;
    }
    ex.noDelayOnConnect = options.noDelay;
    ex.keepAliveOnConnect = options.keepAlive;
    ex.keepAliveDelay = std::max(1u, options.keepAliveInitialDelay / 1000);
    if (!options.localAddress.empty() || options.localPort != 0) {
        const std::string local = options.localAddress.empty() ? "0.0.0.0" : options.localAddress;
        if (!f::parseIp(local, options.localPort, 0, cs.local)) {
            throw Error("ERR_INVALID_IP_ADDRESS", "Invalid IP address: " + local);
        }
        cs.bindLocal = true;
        cs.localAddress = local;
        cs.localPort = options.localPort;
    }
    sockaddr_storage address;
    if (f::parseIp(options.host, options.port, options.family, address)) {
        A::startConnect(*this, address);
        return *this;
    }
    f::lookup(loop(), options.host, options.port, options.family,
              [self = Ref<Socket>(this), host = options.host](int status,
                                                              const sockaddr_storage& resolved) {
                  Socket& s = *self;
                  makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(), [&] {
                      if (s.destroyed()) return;
                      if (status != 0) {
                          s.destroy(lookupError(status, host));
                          return;
                      }
                      A::startConnect(s, resolved);
                  });
              });
    return *this;
}

Socket& Socket::connect(int port, std::string_view host, EventCallback onConnect) {
    ConnectOptions options;
    options.port = port;
    options.host = std::string(host);
    return connect(options, std::move(onConnect));
}

Socket& Socket::connect(int port, EventCallback onConnect) {
    return connect(port, "localhost", std::move(onConnect));
}

Socket& Socket::connectPath(std::string_view path, EventCallback onConnect) {
    ConnectOptions options;
    options.path = std::string(path);
    return connect(options, std::move(onConnect));
}

Ref<Socket> createConnection(const ConnectOptions& options, EventCallback onConnect) {
    SocketOptions so;
    so.allowHalfOpen = options.allowHalfOpen;
    so.writableHighWaterMark = options.writableHighWaterMark;
    Ref<Socket> s = A::make(Loop::current(), so);
    s->connect(options, std::move(onConnect));
    return s;
}

Ref<Socket> connect(int port, std::string_view host, EventCallback onConnect) {
    ConnectOptions options;
    options.port = port;
    options.host = std::string(host);
    return createConnection(options, std::move(onConnect));
}

Ref<Socket> connect(int port, EventCallback onConnect) {
    return connect(port, "localhost", std::move(onConnect));
}

Ref<Socket> connectPath(std::string_view path, EventCallback onConnect) {
    ConnectOptions options;
    options.path = std::string(path);
    return createConnection(options, std::move(onConnect));
}

}  // namespace nodecc::net
