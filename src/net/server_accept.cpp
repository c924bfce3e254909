// net::Server's accept path (Node: onconnection, seed 3-2), with EMFILE back-off.
//
// libuv's own accept loop cannot be paused: on EMFILE it either spins or
// accepts and closes (the "reserve descriptor" trick). nodecc watches the
// listening descriptor itself and accepts with accept4(); when descriptors run
// out it stops watching and retries after 10 ms, doubling up to 1 s, or as soon
// as one of the server's own connections closes. Clients wait in the backlog.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "net_internal.hpp"
#include "nodecc/net/server.hpp"
#include "nodecc/process/callback_scope.hpp"

namespace nodecc::net {

namespace f = detail;

namespace {

constexpr int kMaxAcceptsPerWakeup = 128;  // bounded: other handles get their turn
constexpr std::uint64_t kFirstBackoffMs = 10;
constexpr std::uint64_t kMaxBackoffMs = 1000;

void pollCb(uv_poll_t* poll, int status, int events);

void backoffCb(uv_timer_t* timer) {
    auto* lh = static_cast<f::ListenHandle*>(timer->data);
    lh->backingOff = false;
    if (lh->owner != nullptr) f::startAccepting(*lh);
}

void startBackoff(f::ListenHandle& lh) {
    uv_poll_stop(&lh.poll);
    lh.backingOff = true;
    lh.delayMs = lh.delayMs == 0 ? kFirstBackoffMs : std::min(lh.delayMs * 2, kMaxBackoffMs);
    uv_timer_start(&lh.backoff, backoffCb, lh.delayMs, 0);
}

DropInfo dropInfo(int fd, bool pipe) {
    DropInfo info;
    if (pipe) return info;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        SocketAddress a = f::toSocketAddress(reinterpret_cast<sockaddr*>(&ss));
        info.localAddress = std::move(a.address);
        info.localPort = a.port;
        info.localFamily = std::move(a.family);
    }
    len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        SocketAddress a = f::toSocketAddress(reinterpret_cast<sockaddr*>(&ss));
        info.remoteAddress = std::move(a.address);
        info.remotePort = a.port;
        info.remoteFamily = std::move(a.family);
    }
    return info;
}

void pollCb(uv_poll_t* poll, int status, int /*events*/) {
    auto* lh = static_cast<f::ListenHandle*>(poll->data);
    if (lh->owner == nullptr) return;
    Server& server = *lh->owner;
    Ref<Server> keep(&server);
    auto& stats = f::ServerAccess::stats(server);
    ++stats.wakeups;
    if (status < 0) {
        makeCallback(server.loop(), server.asyncId(), lh->triggerAsyncId,
                     [&] { server.emit(Server::kError, f::errnoException(status, "accept")); });
        return;
    }
    for (int i = 0; i < kMaxAcceptsPerWakeup && lh->owner == &server && !lh->backingOff; ++i) {
        ++stats.acceptCalls;
        const int fd = ::accept4(lh->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int e = errno;
            if (e == EAGAIN || e == EWOULDBLOCK) break;
            if (e == EINTR || e == ECONNABORTED) continue;  // as libuv: try the next one
            if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
                ++stats.fdExhausted;
                startBackoff(*lh);
                break;
            }
            makeCallback(server.loop(), server.asyncId(), lh->triggerAsyncId,
                         [&] { server.emit(Server::kError, f::errnoException(-e, "accept")); });
            break;
        }
        ++stats.accepted;
        lh->delayMs = 0;
        // Node: each connection is its own MakeCallback into onconnection.
        makeCallback(server.loop(), server.asyncId(), lh->triggerAsyncId,
                     [&] { f::ServerAccess::onconnection(server, fd); });
    }
}

}  // namespace

void f::startAccepting(ListenHandle& lh) {
    uv_poll_start(&lh.poll, UV_READABLE, pollCb);
}

void f::resumeAccepting(ListenHandle& lh) {
    if (!lh.backingOff) return;
    uv_timer_stop(&lh.backoff);
    lh.backingOff = false;
    startAccepting(lh);
}

// Node: onconnection(err, clientHandle), seed 3-2.
void Server::onconnection(int fd) {
    // seed 3-2-2: above maxConnections the connection is closed and 'drop' emitted.
    if (maxConnections_ > 0 && connections_ >= maxConnections_) {
        DropInfo info = dropInfo(fd, handle_->pipe);
        ::close(fd);
        emit(kDrop, info);
        return;
    }
    // seed 3-2-3: new Socket({handle, allowHalfOpen, pauseOnCreate, …}).
    int err = 0;
    Ref<Socket> socket = f::SocketAccess::adopt(*loop_, fd, handle_->pipe, options_, this, &err);
    if (!socket) {
        emit(kError, f::errnoException(err, "accept"));
        return;
    }
    if (options_.noDelay) socket->setNoDelay(true);
    if (options_.keepAlive) socket->setKeepAlive(true, options_.keepAliveInitialDelay);
    ++connections_;
    // seed 3-2-4: 'connection'.
    emit(kConnection, *socket);
}

}  // namespace nodecc::net
