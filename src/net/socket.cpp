// net::Socket: handle lifetime, reading, ending, destroy/close, timeouts, addresses.
// The write path is in socket_write.cpp, connecting in socket_connect.cpp.
#include "nodecc/net/socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cassert>

#include "net_internal.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/warning.hpp"

namespace nodecc::net {

using detail::SocketAccess;
using A = detail::SocketAccess;
namespace f = detail;

namespace {

Socket& owner(uv_handle_t* h) noexcept {
    return *static_cast<Socket*>(h->data);
}

// Node: stream_base's onread buffer — every socket of the loop reads into the same buffer.
void allocCb(uv_handle_t* h, std::size_t /*suggested*/, uv_buf_t* buf) {
    auto& state = f::NetLoopState::of(owner(h).loop());
    buf->base = state.readBuffer;
    buf->len = sizeof state.readBuffer;
}

// Node: onStreamRead, called through MakeCallback.
void readCb(uv_stream_t* h, ssize_t nread, const uv_buf_t* buf) {
    if (nread == 0) return;  // EAGAIN
    Socket& s = owner(reinterpret_cast<uv_handle_t*>(h));
    constexpr auto kChunk = static_cast<ssize_t>(f::NetLoopState::kReadChunk);
    if (nread <= kChunk) {
        makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(),
                     [&] { A::onRead(s, nread, buf->base); });
        return;
    }
    A::onLargeRead(s, std::string_view(buf->base, static_cast<std::size_t>(nread)));
}

void closeCb(uv_handle_t* h) {
    Socket& s = owner(h);
    // The self-Ref taken when the handle was opened becomes this local one: 'close'
    // listeners may drop every other Ref.
    Ref<Socket> keep(&s);
    s.release();
    makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(), [&] { A::onClosed(s); });
}

}  // namespace

// ---- construction -----------------------------------------------------------

void* Socket::operator new(std::size_t size, HandleRoom room) {
    return ::operator new(size + room.bytes);
}
void Socket::operator delete(void* p, HandleRoom /*room*/) noexcept {
    ::operator delete(p);
}
void Socket::operator delete(void* p) noexcept {
    ::operator delete(p);
}

Ref<Socket> A::make(Loop& loop, const SocketOptions& options, bool pipeRoom) {
    static_assert(
        sizeof(uv_tcp_t) <= Socket::kHandleSize && sizeof(uv_pipe_t) <= Socket::kPipeHandleSize,
        "Socket::kHandleSize must hold a uv_tcp_t, kPipeHandleSize a uv_pipe_t");
    static_assert(alignof(uv_tcp_t) <= 8 && alignof(uv_pipe_t) <= 8);
    static_assert(Socket::kHandleSize % alignof(Socket) == 0, "no padding after handle_");
    const std::size_t room = pipeRoom ? Socket::kPipeHandleSize - Socket::kHandleSize : 0;
    Ref<Socket> s(new (Socket::HandleRoom{room}) Socket(loop, options));
    // handle_ ends the object, so a pipe handle continues into the room allocated after it.
    assert(reinterpret_cast<unsigned char*>(s.get()) + sizeof(Socket) ==
           s->handle_ + Socket::kHandleSize);
    if (pipeRoom) set(*s, f::kPipeRoom);
    return s;
}

// Node: new net.Socket({ fd }) — createHandle(fd) by guessHandleType, then handle.open(fd)
// and read(0). An unsupported descriptor throws ERR_INVALID_FD_TYPE, a failed open the
// errno exception of 'open'; either way the descriptor stays the caller's.
Ref<Socket> Socket::create(const SocketOptions& options) {
    Ref<Socket> s = A::make(Loop::current(), options);
    if (options.fd < 0) return s;
    const uv_handle_type type = uv_guess_handle(options.fd);
    if (type != UV_NAMED_PIPE && type != UV_TCP) {
        const char* name = type == UV_TTY    ? "TTY"
                           : type == UV_UDP  ? "UDP"
                           : type == UV_FILE ? "FILE"
                                             : "UNKNOWN";
        throw Error("ERR_INVALID_FD_TYPE", std::string("Unsupported fd type: ") + name);
    }
    const bool pipe = type == UV_NAMED_PIPE;
    A::openHandle(*s, pipe);
    const int r =
        pipe ? uv_pipe_open(A::pipe(*s), options.fd) : uv_tcp_open(A::tcp(*s), options.fd);
    if (r != 0) {
        A::destroy(*s, nullptr);  // the handle never owned the descriptor
        throw f::errnoException(r, "open");
    }
    A::set(*s, f::kEverConnected);
    A::readStart(*s);
    return s;
}

Socket::Socket(Loop& loop, const SocketOptions& options)
    : asyncId_(newAsyncId()),
      triggerAsyncId_(defaultTriggerAsyncId()),
      highWaterMark_(options.writableHighWaterMark) {
    // The handle's loop field is the socket's loop from the start (libuv's init writes the
    // same value; it stays after the handle is closed): loop() reads it.
    reinterpret_cast<uv_handle_t*>(handle_)->loop = loop.uv();
    if (options.allowHalfOpen) flags_ |= f::kAllowHalfOpen;
    f::ignoreSigpipe();
}

Socket::~Socket() {
    if (A::has(*this, f::kTimerArmed)) f::NetLoopState::of(loop()).timeouts.unenroll(*this);
    delete extra_;
    delete writeQueue_;  // not pooled: at loop teardown the pool may be gone
}

Loop& Socket::loop() const noexcept {
    return *static_cast<Loop*>(reinterpret_cast<const uv_handle_t*>(handle_)->loop->data);
}

f::SocketExtra& A::extra(Socket& s) {
    if (s.extra_ == nullptr) s.extra_ = new f::SocketExtra;
    return *s.extra_;
}

void A::openHandle(Socket& s, bool pipe) {
    assert(!pipe || has(s, f::kPipeRoom));
    if (pipe) {
        uv_pipe_init(s.loop().uv(), A::pipe(s), 0);
        set(s, f::kPipe);
    } else {
        uv_tcp_init(s.loop().uv(), tcp(s));
    }
    handle(s)->data = &s;
    set(s, f::kHandleOpen);
    s.retain();  // an open handle keeps its socket alive until closeCb
    if (has(s, f::kUnref)) uv_unref(handle(s));
}

// A socket's handle is its last member, and its data points back to the socket: a handle
// whose address is its data's plus that offset is a socket's. (Integers are compared; a
// handle of something else is never dereferenced as a socket.)
Socket* A::socketOfHandle(const uv_handle_t* h) noexcept {
    if (h->type != UV_TCP && h->type != UV_NAMED_PIPE) return nullptr;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    constexpr std::uintptr_t kHandleOffset = offsetof(Socket, handle_);
#pragma GCC diagnostic pop
    const auto data = reinterpret_cast<std::uintptr_t>(h->data);
    if (data == 0 || reinterpret_cast<std::uintptr_t>(h) - data != kHandleOffset) return nullptr;
    return static_cast<Socket*>(h->data);
}

// Loop teardown (NetLoopState::close): close without events; the close callback only
// drops the self-Ref. A handle already closing gets its normal close callback.
void A::abandon(Socket& s) {
    if (!has(s, f::kHandleOpen) || uv_is_closing(handle(s)) != 0) return;
    set(s, f::kDestroyed);
    s.consumer_ = nullptr;
    f::NetLoopState::of(s.loop()).timeouts.unenroll(s);
    uv_close(handle(s), [](uv_handle_t* h) {
        Socket& sock = owner(h);
        A::clear(sock, f::kHandleOpen);
        A::set(sock, f::kClosed);
        sock.release();
    });
}

Ref<Socket> A::adopt(Loop& loop, int fd, bool pipe, const ServerOptions& options, Server* server,
                     int* error) {
    Ref<Socket> s = make(loop, SocketOptions{options.allowHalfOpen, options.highWaterMark}, pipe);
    openHandle(*s, pipe);
    const int r = pipe ? uv_pipe_open(A::pipe(*s), fd) : uv_tcp_open(tcp(*s), fd);
    if (r != 0) {
        ::close(fd);
        *error = r;
        destroy(*s, nullptr);
        return nullptr;
    }
    set(*s, f::kEverConnected);
    s->server_ = Ref<Server>(server);
    if (options.pauseOnConnect) {
        set(*s, f::kPaused);  // Node: pauseOnCreate → readStop, readableFlowing = false
    } else {
        readStart(*s);
    }
    return s;
}

// ---- reading ---------------------------------------------------------------

void A::readStart(Socket& s) {
    if (!has(s, f::kHandleOpen) ||
        has(s, f::kConnecting | f::kReading | f::kReadEnded | f::kDestroyed | f::kPaused)) {
        return;
    }
    if (s.extra_ != nullptr && s.extra_->held.size() >= s.highWaterMark_) return;
    if (uv_read_start(stream(s), allocCb, readCb) == 0) set(s, f::kReading);
}

void A::readStop(Socket& s) {
    if (!has(s, f::kReading)) return;
    uv_read_stop(stream(s));
    clear(s, f::kReading);
}

// A read(2) larger than Node's 64 KiB goes on as the reads Node would have made: a callback
// per 64 KiB, ticks drained between them. Once reading stopped (pause(), back-pressure) the
// rest is held as Node holds what it read (the kernel would have kept it); once destroyed
// it is dropped.
void A::onLargeRead(Socket& s, std::string_view bytes) {
    Ref<Socket> keep(&s);
    while (!bytes.empty()) {
        if (has(s, f::kDestroyed)) return;
        if (!has(s, f::kReading)) {
            s.bytesRead_ += bytes.size();
            extra(s).held.append(bytes);
            return;
        }
        const std::string_view chunk = bytes.substr(0, f::NetLoopState::kReadChunk);
        bytes.remove_prefix(chunk.size());
        makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(),
                     [&] { onRead(s, static_cast<ssize_t>(chunk.size()), chunk.data()); });
    }
}

void A::onRead(Socket& s, ssize_t nread, const char* base) {
    if (nread > 0) {
        s.bytesRead_ += static_cast<std::uint64_t>(nread);
        const std::string_view chunk(base, static_cast<std::size_t>(nread));
        if (SocketConsumer* consumer = s.consumer_) {
            const bool share = sharesData(s, *consumer);
            if (share || !consumer->refreshesTimeout()) refreshTimer(s);
            consumer->onSocketData(s, chunk);
            if (share) emitDataBesideConsumer(s, chunk);
            return;
        }
        refreshTimer(s);
        if (has(s, f::kFlowing)) {
            s.emit(Socket::kData, chunk);
        } else {
            // Node's paused mode: buffer up to the high-water mark, then stop reading.
            auto& held = extra(s).held;
            held.append(chunk);
            if (held.size() >= s.highWaterMark_) readStop(s);
        }
        return;
    }
    readStop(s);
    if (nread == UV_EOF) {
        onEof(s);
        return;
    }
    destroy(s, errnoException(static_cast<int>(nread), "read"));
}

// Node: a 'data' listener added to a socket the HTTP server consumes unconsumes it
// (_http_server.js generateSocketListenerWrapper); the server's own 'data' listener, first
// in line, keeps feeding its parser. A consumer that shares its bytes so keeps them, and the
// listeners hear them after it (the consumer of this read, even if it let go of the socket
// meanwhile), as in an emit.
// Decided before the consumer runs: a listener it adds meanwhile (a request handler, an
// 'upgrade' listener) hears only later reads, as with Node's emit.
bool A::sharesData(const Socket& s, const SocketConsumer& consumer) noexcept {
    return consumer.sharesDataWithListeners() && s.listenerCount(Socket::kData) > 0;
}

void A::emitDataBesideConsumer(Socket& s, std::string_view chunk) {
    Ref<Socket> keep(&s);
    s.emit(Socket::kData, chunk);
}

void A::onEof(Socket& s) {
    set(s, f::kReadEnded);
    if (s.extra_ != nullptr && !s.extra_->held.empty()) {
        set(s, f::kEofHeld);  // 'end' follows the held bytes
        return;
    }
    emitEnd(s);
}

// Node: endReadableNT / onReadableStreamEnd.
void A::emitEnd(Socket& s) {
    set(s, f::kEndEmitted);
    if (s.consumer_ != nullptr) s.consumer_->onSocketEnd(s);
    if (has(s, f::kDestroyed)) return;
    s.emit(Socket::kEnd);
    if (has(s, f::kDestroyed)) return;
    if (!has(s, f::kAllowHalfOpen) && !has(s, f::kWritableEnded)) {
        // Node: the writable side ends on the next tick (endWritableNT); writes made in an
        // 'end' listener still go out, later ones fail with EPIPE (writeAfterFIN).
        DefaultTriggerAsyncIdScope scope(s.asyncId_);
        process::nextTick([self = Ref<Socket>(&s)] {
            if (!self->destroyed()) self->end();
        });
    } else if (has(s, f::kFinished) || !has(s, f::kHandleOpen)) {
        destroy(s, nullptr);  // Node: autoDestroy once both sides are done
    }
}

void A::scheduleFlushHeld(Socket& s) {
    if (has(s, f::kFlushHeldTick)) return;
    set(s, f::kFlushHeldTick);
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    process::nextTick([self = Ref<Socket>(&s)] { flushHeld(*self); });
}

void A::flushHeld(Socket& s) {
    clear(s, f::kFlushHeldTick);
    if (has(s, f::kDestroyed)) return;
    if (s.extra_ != nullptr && !s.extra_->held.empty()) {
        if (s.consumer_ == nullptr && !has(s, f::kFlowing)) return;
        std::string bytes = std::move(s.extra_->held);
        s.extra_->held.clear();
        // In chunks of at most 64 KiB, as Node's reads come: a consumer (the HTTP parser) gets
        // one per tick, as it gets one per read callback; 'data' listeners get them in one go
        // until one pauses, as Node's flow() empties its buffer.
        const bool chunkPerTick = s.consumer_ != nullptr;
        std::string_view rest(bytes);
        do {
            const std::string_view chunk = rest.substr(0, f::NetLoopState::kReadChunk);
            rest.remove_prefix(chunk.size());
            if (SocketConsumer* consumer = s.consumer_) {
                const bool share = sharesData(s, *consumer);
                consumer->onSocketData(s, chunk);
                if (share) emitDataBesideConsumer(s, chunk);
            } else {
                s.emit(Socket::kData, chunk);
            }
            if (has(s, f::kDestroyed)) return;
        } while (!chunkPerTick && !rest.empty() && s.consumer_ == nullptr && has(s, f::kFlowing));
        if (!rest.empty()) {
            extra(s).held.insert(0, rest);
            if (!has(s, f::kPaused) && (s.consumer_ != nullptr || has(s, f::kFlowing))) {
                scheduleFlushHeld(s);
            }
            return;
        }
    }
    if (has(s, f::kEofHeld)) {
        clear(s, f::kEofHeld);
        emitEnd(s);
        return;
    }
    readStart(s);
}

Socket& Socket::pause() {
    A::set(*this, f::kPaused);
    A::clear(*this, f::kFlowing);
    A::readStop(*this);
    return *this;
}

Socket& Socket::resume() {
    // Already flowing and reading, nothing held: nothing to do (HTTP asks after each message).
    constexpr std::uint32_t kState =
        f::kDestroyed | f::kPaused | f::kEofHeld | f::kReading | f::kFlowing;
    if ((flags_ & kState) == (f::kReading | f::kFlowing) &&
        (extra_ == nullptr || extra_->held.empty())) {
        return *this;
    }
    if (A::has(*this, f::kDestroyed)) return *this;
    A::clear(*this, f::kPaused);
    A::set(*this, f::kFlowing);
    if ((extra_ != nullptr && !extra_->held.empty()) || A::has(*this, f::kEofHeld)) {
        A::scheduleFlushHeld(*this);
    } else {
        A::readStart(*this);
    }
    return *this;
}

bool Socket::isPaused() const noexcept {
    return A::has(*this, f::kPaused);
}

// Node: Readable.prototype.on — a 'data' listener makes the stream flow unless paused.
void Socket::onListenerAdded(events::EventId id) {
    if (id == kData.id && !A::has(*this, f::kPaused) && !A::has(*this, f::kFlowing)) resume();
}

void Socket::consume(SocketConsumer* consumer) {
    consumer_ = consumer;
    if (consumer == nullptr || A::has(*this, f::kDestroyed)) return;
    if ((extra_ != nullptr && !extra_->held.empty()) || A::has(*this, f::kEofHeld)) {
        A::scheduleFlushHeld(*this);
    } else {
        A::readStart(*this);
    }
}

void Socket::unconsume() noexcept {
    consumer_ = nullptr;
}

// ---- errors, destroy, close ----------------------------------------------------

void A::emitError(Socket& s, const Error& err) {
    if (s.consumer_ != nullptr) {
        s.consumer_->onSocketError(s, err);
        if (s.listenerCount(Socket::kError) == 0) return;
    }
    s.emit(Socket::kError, err);  // no listener: thrown, an uncaught exception (Node)
}

void A::destroy(Socket& s, const Error* err) {
    if (has(s, f::kDestroyed)) return;
    if (has(s, f::kBatching)) {
        // What a write batch holds looked written: it goes out before the close.
        clear(s, f::kBatching);
        flushBatch(s);
        if (has(s, f::kDestroyed)) return;
    }
    set(s, f::kDestroyed);
    if (err != nullptr) set(s, f::kHadError);
    readStop(s);
    if (has(s, f::kTimerArmed)) f::NetLoopState::of(s.loop()).timeouts.unenroll(s);
    // Node: Socket._destroy — server._connections-- and _emitCloseIfDrained.
    if (s.server_) ServerAccess::onSocketDestroyed(*s.server_);
    if (err != nullptr) {
        // Node: emitErrorCloseNT — 'error' on the next tick, 'close' from the handle.
        DefaultTriggerAsyncIdScope scope(s.asyncId_);
        process::nextTick([self = Ref<Socket>(&s), e = *err] { emitError(*self, e); });
    }
    if (has(s, f::kHandleOpen)) {
        pushHeldTail(s);
        if (has(s, f::kResetOnClose) && !has(s, f::kPipe | f::kShutdownSent) &&
            uv_tcp_close_reset(tcp(s), closeCb) == 0) {
            return;
        }
        uv_close(handle(s), closeCb);
        return;
    }
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    process::nextTick([self = Ref<Socket>(&s)] { onClosed(*self); });
}

void A::destroy(Socket& s, const Error& err) {
    destroy(s, &err);
}

void A::onClosed(Socket& s) {
    clear(s, f::kHandleOpen);
    set(s, f::kClosed);
    failPendingWrites(s);
    const bool hadError = has(s, f::kHadError);
    if (SocketConsumer* c = std::exchange(s.consumer_, nullptr)) c->onSocketClose(s, hadError);
    releaseQueueIfIdle(s);
    s.emit(Socket::kClose, hadError);
}

Socket& Socket::destroy() {
    A::destroy(*this, nullptr);
    return *this;
}

Socket& Socket::destroy(Error error) {
    A::destroy(*this, &error);
    return *this;
}

Socket& Socket::destroySoon() {
    if (!A::has(*this, f::kWritableEnded)) end();
    if (A::has(*this, f::kFinished) || !A::has(*this, f::kHandleOpen)) {
        destroy();
    } else {
        A::set(*this, f::kDestroySoon);
    }
    return *this;
}

Socket& Socket::resetAndDestroy() {
    A::set(*this, f::kResetOnClose);
    return destroy();
}

// ---- timeout ----------------------------------------------------------------

// Node: _unrefTimer — activity restarts an enrolled timeout (a fired one too); nothing
// after setTimeout(0) or destroy().
void A::refreshTimer(Socket& s) {
    if (s.timeoutMs_ != 0 && !has(s, f::kDestroyed)) {
        f::NetLoopState::of(s.loop()).timeouts.enroll(s);
    }
}

// Node: _onTimeout — a write in flight that moved since the last look (libuv's queue of it
// shrank) holds the timeout off for another period; one that stalled lets it fire.
void A::onTimeout(Socket& s) {
    if (has(s, f::kDestroyed)) return;
    if (f::WriteQueue* q = s.writeQueue_;
        q != nullptr && q->lastWriteQueueSize > 0 && has(s, f::kHandleOpen)) {
        const std::size_t queued = uv_stream_get_write_queue_size(stream(s));
        if (queued != q->lastWriteQueueSize) {
            q->lastWriteQueueSize = queued;
            refreshTimer(s);
            return;
        }
    }
    Ref<Socket> keep(&s);
    // Node: the http server's socketOnTimeout is the first 'timeout' listener; the others
    // still hear the event when it destroyed the socket.
    if (s.consumer_ != nullptr) s.consumer_->onSocketTimeout(s);
    s.emit(Socket::kTimeout);
}

// Node: socket.setTimeout — setUnrefTimeout(this._onTimeout, msecs), refreshed by I/O.
// Sockets share one timer per duration (socket_timeouts.hpp).
// Without a callback no UniqueFunction is made and destroyed (the http server's re-arms).
Socket& Socket::setTimeout(std::uint32_t ms, EventCallback onTimeout) {
    if (ms != 0 && onTimeout) once(kTimeout, std::move(onTimeout));
    return setTimeout(ms);
}

// setTimeout(0) (inline) disarms in place: the socket stays in its list, passed over when that
// list fires or moved when it is armed again (the http server's off and on per request).
Socket& Socket::armTimeout(std::uint32_t ms) {
    if (A::has(*this, f::kDestroyed)) return *this;
    if (ms > f::SocketTimeouts::kTimeoutMax) {
        // Node: getTimerDuration.
        process::emitWarning("TimeoutOverflowWarning",
                             std::to_string(ms) +
                                 " does not fit into a 32-bit signed integer.\n"
                                 "Timer duration was truncated to 2147483647.");
        ms = f::SocketTimeouts::kTimeoutMax;
    }
    timeoutMs_ = ms;
    f::NetLoopState::of(loop()).timeouts.enroll(*this);
    return *this;
}

void Socket::refreshTimeout() {
    A::refreshTimer(*this);
}

std::uint32_t Socket::timeout() const noexcept {
    return timeoutMs_;
}

// ---- options ------------------------------------------------------------------

Socket& Socket::setNoDelay(bool noDelay) {
    if (A::has(*this, f::kPipe)) return *this;
    if (A::has(*this, f::kHandleOpen) && !A::has(*this, f::kConnecting | f::kDestroyed)) {
        uv_tcp_nodelay(A::tcp(*this), noDelay ? 1 : 0);
    } else {
        A::extra(*this).noDelayOnConnect = noDelay;
    }
    return *this;
}

Socket& Socket::setKeepAlive(bool enable, unsigned initialDelayMs) {
    if (A::has(*this, f::kPipe)) return *this;
    // Node: ~~(initialDelay / 1000) seconds; Linux rejects TCP_KEEPIDLE 0, so at least 1.
    const unsigned delay = std::max(1u, initialDelayMs / 1000);
    if (A::has(*this, f::kHandleOpen) && !A::has(*this, f::kConnecting | f::kDestroyed)) {
        uv_tcp_keepalive(A::tcp(*this), enable ? 1 : 0, delay);
    } else {
        auto& ex = A::extra(*this);
        ex.keepAliveOnConnect = enable;
        ex.keepAliveDelay = delay;
    }
    return *this;
}

Socket& Socket::ref() {
    A::clear(*this, f::kUnref);
    if (A::has(*this, f::kHandleOpen)) uv_ref(A::handle(*this));
    return *this;
}

Socket& Socket::unref() {
    A::set(*this, f::kUnref);
    if (A::has(*this, f::kHandleOpen)) uv_unref(A::handle(*this));
    return *this;
}

// ---- state ------------------------------------------------------------------------

// Node caches _peername on first use: remoteAddress stays readable after destroy().
const sockaddr* A::peer(const Socket& cs) {
    auto& s = const_cast<Socket&>(cs);
    if (has(s, f::kPipe)) return nullptr;
    if (s.extra_ != nullptr && s.extra_->peerCached) {
        return reinterpret_cast<const sockaddr*>(&s.extra_->peer.v6);
    }
    if (!has(s, f::kHandleOpen) || has(s, f::kConnecting | f::kDestroyed)) return nullptr;
    auto& ex = extra(s);
    int len = sizeof ex.peer.v6;
    if (uv_tcp_getpeername(tcp(s), reinterpret_cast<sockaddr*>(&ex.peer.v6), &len) != 0) {
        return nullptr;
    }
    ex.peerCached = true;
    return reinterpret_cast<const sockaddr*>(&ex.peer.v6);
}

bool A::sockName(const Socket& cs, sockaddr_storage& out) {
    auto& s = const_cast<Socket&>(cs);
    if (has(s, f::kPipe) || !has(s, f::kHandleOpen) || has(s, f::kDestroyed)) return false;
    int len = sizeof out;
    return uv_tcp_getsockname(tcp(s), reinterpret_cast<sockaddr*>(&out), &len) == 0;
}

std::string Socket::remoteAddress() const {
    const sockaddr* sa = A::peer(*this);
    return sa != nullptr ? f::toSocketAddress(sa).address : std::string();
}
std::string Socket::remoteFamily() const {
    const sockaddr* sa = A::peer(*this);
    return sa != nullptr ? f::familyName(sa->sa_family) : std::string();
}
int Socket::remotePort() const {
    const sockaddr* sa = A::peer(*this);
    return sa != nullptr ? f::toSocketAddress(sa).port : 0;
}
SocketAddress Socket::address() const {
    sockaddr_storage ss;
    return A::sockName(*this, ss) ? f::toSocketAddress(reinterpret_cast<sockaddr*>(&ss))
                                  : SocketAddress{};
}
std::string Socket::localAddress() const {
    return address().address;
}
std::string Socket::localFamily() const {
    return address().family;
}
int Socket::localPort() const {
    return address().port;
}

std::string_view Socket::readyState() const noexcept {
    if (A::has(*this, f::kConnecting)) return "opening";
    const bool live = A::has(*this, f::kHandleOpen) && !A::has(*this, f::kDestroyed);
    const bool readable = live && !A::has(*this, f::kEndEmitted);
    const bool writable = live && !A::has(*this, f::kWritableEnded);
    if (readable && writable) return "open";
    if (readable) return "readOnly";
    if (writable) return "writeOnly";
    return "closed";
}

bool Socket::pending() const noexcept {
    return !A::has(*this, f::kHandleOpen) || A::has(*this, f::kConnecting | f::kDestroyed);
}
bool Socket::connecting() const noexcept {
    return A::has(*this, f::kConnecting);
}
bool Socket::destroyed() const noexcept {
    return A::has(*this, f::kDestroyed);
}
bool Socket::writableNeedDrain() const noexcept {
    // Node: !destroyed && !ending && needDrain.
    return A::has(*this, f::kNeedDrain) && !A::has(*this, f::kWritableEnded) &&
           !A::has(*this, f::kDestroyed);
}
bool Socket::writableEnded() const noexcept {
    return A::has(*this, f::kWritableEnded);
}
bool Socket::writableFinished() const noexcept {
    return A::has(*this, f::kFinished);
}
bool Socket::readableEnded() const noexcept {
    return A::has(*this, f::kEndEmitted);
}
bool Socket::allowHalfOpen() const noexcept {
    return A::has(*this, f::kAllowHalfOpen);
}

}  // namespace nodecc::net
