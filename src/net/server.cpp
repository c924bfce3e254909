// net::Server: createServer, listen → listenInCluster → setupListenHandle →
// createServerHandle (seed step 2), close, address, connection accounting.
// The accept path (seed 3-2, onconnection) is in server_accept.cpp.
#include "nodecc/net/server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "net_internal.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::net {

namespace f = detail;

namespace {

// Node: createServerHandle — a bound (not yet listening) descriptor. As libuv's
// uv_tcp_bind, EADDRINUSE is deferred to listen() so that "::" does not fall back
// to "0.0.0.0" because the port is taken. Returns 0 or a libuv error.
int createServerHandle(const std::string& address, int port, int addressType,
                       const ListenOptions& options, int& fd, int& delayedError) {
    sockaddr_storage ss;
    if (!f::parseIp(address, port, addressType, ss)) return UV_EINVAL;
    const int s = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    int on = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (ss.ss_family == AF_INET6) {
        int v6only = options.ipv6Only ? 1 : 0;  // libuv sets it either way (UV_TCP_IPV6ONLY)
        ::setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (options.reusePort && ::setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
        const int e = errno;
        ::close(s);
        return -e;
    }
    const socklen_t len = ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (::bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int e = errno;
        if (e != EADDRINUSE) {
            ::close(s);
            return -e;
        }
        delayedError = -e;
    }
    fd = s;
    return 0;
}

// The pipe flavour of createServerHandle (Node: new Pipe(PipeConstants.SERVER) + bind).
int createPipeHandle(const std::string& path, int& fd) {
    sockaddr_un sun{};
    if (path.size() >= sizeof sun.sun_path) return UV_ENAMETOOLONG;
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.data(), path.size());
    const bool abstract = path[0] == '\0';
    const auto len =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
    const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    if (::bind(s, reinterpret_cast<sockaddr*>(&sun), len) != 0) {
        const int e = errno;
        ::close(s);
        return -e;
    }
    fd = s;
    return 0;
}

void listenHandleClosed(uv_handle_t* h) {
    auto* lh = static_cast<f::ListenHandle*>(h->data);
    if (--lh->openHandles == 0) delete lh;  // drops `keep`, which may delete the Server
}

void closeListenHandle(f::ListenHandle* lh) {
    auto& handles = f::NetLoopState::of(lh->keep->loop()).listenHandles;
    handles.erase(std::remove(handles.begin(), handles.end(), lh), handles.end());
    lh->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&lh->poll), listenHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&lh->backoff), listenHandleClosed);
    ::close(lh->fd);
    // libuv unlinks a pipe server's path when its handle closes; so does Node.
    if (lh->pipe && !lh->path.empty() && lh->path[0] != '\0') ::unlink(lh->path.c_str());
}

}  // namespace

void f::ServerAccess::abandon(ListenHandle& lh) {
    if (lh.owner != nullptr) lh.owner->handle_ = nullptr;
    closeListenHandle(&lh);
}

Ref<Server> f::ServerAccess::make(const ServerOptions& options) {
    return Ref<Server>(new Server(options));
}

Ref<Server> createServer(const ServerOptions& options) {
    return f::ServerAccess::make(options);
}

Server::Server(const ServerOptions& options) : loop_(&Loop::current()), options_(options) {
    f::ignoreSigpipe();
}

Server::~Server() = default;  // a listening server is kept alive by its ListenHandle

// ---- listen (Node: Server.prototype.listen) ----------------------------------------

Server& Server::listen(int port, EventCallback onListening) {
    ListenOptions options;
    options.port = port;
    return listen(options, std::move(onListening));
}

Server& Server::listen(int port, std::string_view host, EventCallback onListening) {
    ListenOptions options;
    options.port = port;
    options.host = std::string(host);
    return listen(options, std::move(onListening));
}

Server& Server::listen(int port, std::string_view host, int backlog, EventCallback onListening) {
    ListenOptions options;
    options.port = port;
    options.host = std::string(host);
    options.backlog = backlog;
    return listen(options, std::move(onListening));
}

Server& Server::listenPath(std::string_view path, EventCallback onListening) {
    ListenOptions options;
    options.path = std::string(path);
    return listen(options, std::move(onListening));
}

Server& Server::listen(const ListenOptions& options, EventCallback onListening) {
    if (handle_ != nullptr) {
        throw Error("ERR_SERVER_ALREADY_LISTEN",
                    "Listen method has been called more than once without closing.");
    }
    if (options.path.empty() && (options.port < 0 || options.port > 65535)) {
        f::throwBadPort(options.port);
    }
    if (onListening) once(kListening, std::move(onListening));
    const int backlog = options.backlog > 0 ? options.backlog : kDefaultBacklog;
    const std::uint64_t id = ++listeningId_;

    if (!options.path.empty()) {
        listenInCluster(options.path, -1, -1, backlog, options);
        return *this;
    }
    if (options.host.empty()) {
        // Node: listenInCluster(this, null, port, 4, …) — setupListenHandle tries "::" first.
        listenInCluster(std::string(), options.port, 4, backlog, options);
        return *this;
    }
    if (const int type = isIP(options.host); type != 0) {
        listenInCluster(options.host, options.port, type, backlog, options);
        return *this;
    }
    // Node: dns.lookup(host) first; a lookup made stale by another listen/close is ignored.
    f::lookup(
        *loop_, options.host, options.port, 0,
        [self = Ref<Server>(this), id, backlog, options](int status, const sockaddr_storage& ss) {
            Server& server = *self;
            makeCallback(server.loop(), server.asyncId_, kTopLevelAsyncId, [&] {
                if (server.listeningId_ != id) return;
                if (status != 0) {
                    std::string code = status == UV_EAI_NONAME || status == UV_EAI_NODATA
                                           ? "ENOTFOUND"
                                           : uvErrorName(status);
                    Error err(code, "getaddrinfo " + code + " " + options.host);
                    err.setSyscall("getaddrinfo").setErrnum(status);
                    server.emit(kError, err);
                    return;
                }
                const SocketAddress sa = f::toSocketAddress(reinterpret_cast<const sockaddr*>(&ss));
                server.listenInCluster(sa.address, options.port, sa.family == "IPv6" ? 6 : 4,
                                       backlog, options);
            });
        });
    return *this;
}

// Node: listenInCluster — in the primary (or with `exclusive`) this is
// server._listen2 = setupListenHandle. Workers will ask the primary for a
// handle here once the cluster issue lands.
void Server::listenInCluster(std::string address, int port, int addressType, int backlog,
                             const ListenOptions& options) {
    setupListenHandle(std::move(address), port, addressType, backlog, options);
}

// Node: setupListenHandle (Server.prototype._listen2), seed 2-3.
void Server::setupListenHandle(std::string address, int port, int addressType, int backlog,
                               const ListenOptions& options) {
    int fd = -1;
    int delayed = 0;
    int err = 0;
    const bool pipe = addressType == -1;
    if (pipe) {
        err = createPipeHandle(address, fd);
    } else if (address.empty()) {
        // Node: try "::" (dual stack unless ipv6Only); if that fails, "0.0.0.0".
        err = createServerHandle("::", port, 6, options, fd, delayed);
        if (err != 0) {
            address = "0.0.0.0";
            err = createServerHandle(address, port, 4, options, fd, delayed);
        } else {
            address = "::";
        }
    } else {
        err = createServerHandle(address, port, addressType, options, fd, delayed);
    }
    if (err != 0) {
        emitErrorNT(Error::fromUv(err, "listen", address, port));
        return;
    }
    // seed 2-3-2: the server's async id (Node: this[async_id_symbol] = this._handle.getAsyncId()).
    asyncId_ = newAsyncId();
    if (delayed == 0 && ::listen(fd, backlog) != 0) delayed = -errno;
    if (delayed != 0) {
        ::close(fd);
        emitErrorNT(Error::fromUv(delayed, "listen", address, port));
        return;
    }
    if (pipe && (options.readableAll || options.writableAll)) {
        // Node: handle.fchmod(mode) after listening; an error closes the handle and throws.
        ::mode_t mode = 0;
        if (options.readableAll) mode |= S_IRUSR | S_IRGRP | S_IROTH;
        if (options.writableAll) mode |= S_IWUSR | S_IWGRP | S_IWOTH;
        struct stat st {};
        if (address[0] == '\0' || ::stat(address.c_str(), &st) != 0 ||
            ::chmod(address.c_str(), st.st_mode | mode) != 0) {
            const int e = address[0] == '\0' ? UV_EINVAL : -errno;
            ::close(fd);
            if (address[0] != '\0') ::unlink(address.c_str());
            throw f::errnoException(e, "uv_pipe_chmod");
        }
    }

    // seed 2-3-3..5: _handle, onconnection, owner_symbol.
    auto* lh = new f::ListenHandle;
    lh->fd = fd;
    lh->pipe = pipe;
    if (pipe) lh->path = address;
    lh->owner = this;
    lh->keep = Ref<Server>(this);
    lh->triggerAsyncId = defaultTriggerAsyncId();
    uv_poll_init_socket(loop_->uv(), &lh->poll, fd);
    uv_timer_init(loop_->uv(), &lh->backoff);
    lh->poll.data = lh;
    lh->backoff.data = lh;
    lh->openHandles = 2;
    handle_ = lh;
    f::NetLoopState::of(*loop_).listenHandles.push_back(lh);
    f::startAccepting(*lh);
    if (unref_) {
        uv_unref(reinterpret_cast<uv_handle_t*>(&lh->poll));
        uv_unref(reinterpret_cast<uv_handle_t*>(&lh->backoff));
    }

    // seed 2-3-6: defaultTriggerAsyncIdScope(this[async_id_symbol], process.nextTick,
    // emitListeningNT, this) — 'listening' only if the handle still exists by then.
    DefaultTriggerAsyncIdScope scope(asyncId_);
    process::nextTick([self = Ref<Server>(this)] {
        if (self->handle_ != nullptr) self->emit(kListening);
    });
}

void Server::emitErrorNT(Error error) {
    DefaultTriggerAsyncIdScope scope(asyncId_ > 0 ? asyncId_ : defaultTriggerAsyncId());
    process::nextTick([self = Ref<Server>(this), e = std::move(error)] { self->emit(kError, e); });
}

// ---- close (Node: Server.prototype.close, _emitCloseIfDrained) --------------------

Server& Server::close(ServerCloseCallback cb) {
    if (cb) {
        if (handle_ == nullptr) {
            once(kClose, [cb = std::move(cb)]() mutable {
                const Error err("ERR_SERVER_NOT_RUNNING", "Server is not running.");
                cb(&err);
            });
        } else {
            once(kClose, [cb = std::move(cb)]() mutable { cb(nullptr); });
        }
    }
    ++listeningId_;
    if (handle_ != nullptr) {
        closeListenHandle(handle_);
        handle_ = nullptr;
    }
    emitCloseIfDrained();
    return *this;
}

void Server::emitCloseIfDrained() {
    if (handle_ != nullptr || connections_ > 0) return;
    DefaultTriggerAsyncIdScope scope(asyncId_ > 0 ? asyncId_ : defaultTriggerAsyncId());
    process::nextTick([self = Ref<Server>(this)] { self->emit(kClose); });
}

void Server::onSocketDestroyed() {
    if (connections_ > 0) --connections_;
    // A descriptor was just freed: if accepting is backing off after EMFILE, retry now.
    if (handle_ != nullptr) f::resumeAccepting(*handle_);
    emitCloseIfDrained();
}

std::optional<SocketAddress> Server::address() const {
    if (handle_ == nullptr) return std::nullopt;
    if (handle_->pipe) return SocketAddress{handle_->path, std::string(), 0};
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(handle_->fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        return std::nullopt;
    }
    return f::toSocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

Server& Server::getConnections(ConnectionsCallback cb) {
    DefaultTriggerAsyncIdScope scope(asyncId_ > 0 ? asyncId_ : defaultTriggerAsyncId());
    process::nextTick([self = Ref<Server>(this), cb = std::move(cb)]() mutable {
        cb(nullptr, self->connections_);
    });
    return *this;
}

Server& Server::ref() {
    unref_ = false;
    if (handle_ != nullptr) {
        uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
        uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->backoff));
    }
    return *this;
}

Server& Server::unref() {
    unref_ = true;
    if (handle_ != nullptr) {
        uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
        uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->backoff));
    }
    return *this;
}

}  // namespace nodecc::net
