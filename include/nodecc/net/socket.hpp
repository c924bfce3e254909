// net::Socket — Node's net.Socket: a duplex byte stream over a libuv TCP or pipe handle.
//
// Sockets come from a server's 'connection' event or from net::connect(),
// and are owned by Refs (core/ref.hpp). An open socket also owns itself: it
// lives until its handle is closed, whoever drops their Ref. Listeners get a
// `Socket&`; keep it with `nodecc::Ref<net::Socket> keep(&socket)`.
//
//   auto client = net::connect(port, "127.0.0.1", [] { std::puts("connected"); });
//   client->on(net::Socket::kData, [](std::string_view chunk) { use(chunk); });  // copy to keep
//   client->on(net::Socket::kClose, [](bool hadError) { std::puts("closed"); });
//   if (!client->write("hello")) client->once(net::Socket::kDrain, [] { more(); });
//   client->end();
//
// Events (typed keys; by name too): 'data'(string_view) 'end' 'finish' 'drain'
// 'error'(Error) 'close'(bool hadError) 'timeout' 'connect' 'ready'.
//
// Semantics (Node v20, NODE-BEHAVIOUR.md §7.4):
// - Reading starts at once (unless ServerOptions::pauseOnConnect). Bytes are
//   delivered as 'data' once a 'data' listener is added or resume() is
//   called; until then up to writableHighWaterMark bytes are held and reading
//   stops (Node's paused mode). pause()/resume() stop/start kernel reads.
//   A SocketConsumer (socket_consumer.hpp) receives reads instead of 'data'.
// - 'data' chunks point into ONE 64 KiB buffer shared by the loop's sockets:
//   valid during the listener only.
// - The peer's FIN emits 'end'; without allowHalfOpen our side ends on the
//   next tick, and a later write fails with EPIPE "This socket has been ended
//   by the other party". Both sides done → the socket destroys itself.
// - write() tries the kernel first and queues only what did not fit. It
//   returns false once writableLength() (counting the new chunk) reaches
//   writableHighWaterMark() (16 KiB); 'drain' follows when the queue empties.
//   Write callbacks run after the bytes reached the kernel (on the next tick
//   when written at once), with nullptr or the error.
// - destroy([err]) → 'error'(err) on the next tick (if err), then
//   'close'(hadError) from the handle's close callback. Afterwards every
//   operation is a safe no-op; write() returns false and its callback gets
//   ERR_STREAM_DESTROYED. bytesRead()/bytesWritten() stay valid.
// Deviations: no encodings, no readable 'readable'/read() API, no 'lookup'
// event; 'pause'/'resume' are not emitted; a name given to connect() uses
// only the first address getaddrinfo returns (no autoSelectFamily); writes
// queued when the socket is destroyed get ERR_STREAM_DESTROYED (Node gives
// in-flight ones null); setTimeout(0, cb) does not remove an earlier cb
// (closures cannot be compared: keep the Listener from once() to remove it);
// a unix socket path is connectPath()/ConnectOptions::path, not connect(string).
//
// Threading: loop thread only (DESIGN.md §4). Cost: sizeof(Socket) includes
// the libuv handle (no separate allocation); reading allocates nothing;
// a write that the kernel takes at once allocates nothing; setTimeout()
// allocates nothing per socket (the socket is linked into its loop's list for
// that duration); a queued write copies the unwritten remainder (or moves a
// std::string handed over by rvalue, or keeps a share of a Buffer: no copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "nodecc/core/buffer.hpp"
#include "nodecc/core/error.hpp"
#include "nodecc/core/ref.hpp"
#include "nodecc/core/unique_function.hpp"
#include "nodecc/events/event_emitter.hpp"
#include "nodecc/net/address.hpp"
#include "nodecc/net/options.hpp"
#include "nodecc/net/socket_consumer.hpp"
#include "nodecc/process/async_id.hpp"

namespace nodecc::detail {
class ByteString;
}  // namespace nodecc::detail

namespace nodecc {
class Loop;
}

namespace nodecc::net {

class Server;
namespace detail {
struct WriteQueue;
struct SocketExtra;
struct SocketAccess;
class SocketTimeouts;
}  // namespace detail

// A completion callback: nullptr on success, else the error (write()/writev()
// callbacks, Server::close). A callable taking no arguments is accepted too.
class ErrorCallback : public UniqueFunction<void(const Error*), 32> {
    using Base = UniqueFunction<void(const Error*), 32>;

  public:
    ErrorCallback() noexcept = default;
    ErrorCallback(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)
    // Callables taking the error.
    template <
        class F, class D = std::decay_t<F>,
        std::enable_if_t<std::is_invocable_v<D&, const Error*> && !std::is_same_v<D, ErrorCallback>,
                         int> = 0>
    ErrorCallback(F&& f)  // NOLINT(google-explicit-constructor)
        : Base(std::forward<F>(f)) {}
    // Callables taking nothing (the error is dropped).
    template <class F, class D = std::decay_t<F>,
              std::enable_if_t<std::is_invocable_v<D&> && !std::is_invocable_v<D&, const Error*>,
                               long> = 0>
    ErrorCallback(F&& f)  // NOLINT(google-explicit-constructor)
        : Base([g = D(std::forward<F>(f))](const Error*) mutable { g(); }) {}
};
using WriteCallback = ErrorCallback;

// Called once, as a listener of 'connect', 'finish', 'timeout' or 'listening'.
using EventCallback = UniqueFunction<void()>;

class Socket final : public events::EventEmitter {
  public:
    static constexpr events::Event<std::string_view> kData{"data"};
    static constexpr events::Event<> kEnd{"end"};
    static constexpr events::Event<> kFinish{"finish"};
    static constexpr events::Event<> kDrain{"drain"};
    static constexpr events::Event<bool> kClose{"close"};
    static constexpr events::Event<> kTimeout{"timeout"};
    static constexpr events::Event<> kConnect{"connect"};
    static constexpr events::Event<> kReady{"ready"};
    static constexpr const events::Event<Error>& kError = events::kError;

    // Node: new net.Socket(options) — not connected yet; see connect(). With options.fd, a
    // connected stream socket (unix: a pipe, else TCP) that reads and writes at once; throws
    // ERR_INVALID_FD_TYPE for any other descriptor (the caller keeps it then). Handing it to
    // a server with server.emit(net::Server::kConnection, socket) serves it without listen().
    static Ref<Socket> create(const SocketOptions& options = {});
    ~Socket() override;

    // ---- connecting (Node: socket.connect; 'connect' then 'ready' on success,
    // 'error' with "connect ECONNREFUSED 127.0.0.1:port" and 'close' on failure).
    // Writes made while connecting are sent once connected.
    Socket& connect(int port, std::string_view host = "localhost", EventCallback onConnect = {});
    Socket& connect(int port, EventCallback onConnect);
    Socket& connect(const ConnectOptions& options, EventCallback onConnect = {});
    // A unix domain socket path (Node: socket.connect(path[, cb])).
    Socket& connectPath(std::string_view path, EventCallback onConnect = {});

    // ---- reading
    Socket& pause();   // Node: socket.pause() — stops reading from the kernel
    Socket& resume();  // Node: socket.resume() — flowing; held bytes are emitted on the next tick
    bool isPaused() const noexcept;  // Node: readable.isPaused()
    // Node: parser.consume(handle) / unconsume() — see socket_consumer.hpp.
    void consume(SocketConsumer* consumer);
    void unconsume() noexcept;
    SocketConsumer* consumer() const noexcept { return consumer_; }

    // ---- writing (Node: socket.write(data[, cb]) → false when the caller should wait for 'drain')
    bool write(std::string_view data, WriteCallback cb = nullptr);
    bool write(const char* data, WriteCallback cb = nullptr) {
        return write(std::string_view(data), std::move(cb));
    }
    // Hands the string over: queued without a copy if the kernel does not take it at once.
    bool write(std::string&& data, WriteCallback cb = nullptr);
    // Node: socket.write(buffer) — what the kernel does not take at once is queued as a share
    // of the Buffer, not copied; the share is released when the write completes or fails.
    // A Buffer::sealed() is sent with sendfile(2) when it can go to the kernel at once
    // (uncorked, nothing queued before it); queued, it is written from its mapping.
    bool write(const Buffer& data, WriteCallback cb = nullptr);
    // Several pieces in one writev (Node: _writev of a corked stream); one callback.
    bool writev(std::span<const std::string_view> pieces, WriteCallback cb = nullptr);
    // nodecc: the same, where the pieces that lie inside `keep` are queued as shares of it
    // (by reference) and only the others are copied: an HTTP body between its framing.
    bool writev(std::span<const std::string_view> pieces, const Buffer& keep,
                WriteCallback cb = nullptr);
    // Node: cork()/uncork() — writes are held and leave in one writev at the last uncork().
    void cork() noexcept;
    void uncork();
    // nodecc: a write batch. Until endWriteBatch(), writes that would reach the kernel at
    // once are gathered and leave in one write at the end; to the caller they look written
    // already (writableLength() stays 0, callbacks come on the next tick, as after an
    // immediate write). end() and destroy() send what is gathered first, and a batch that
    // reaches the high-water mark is sent at once. The HTTP server batches the responses
    // to one read, so a pipelined burst is answered with one write.
    // endFollows: the caller ends the socket (end() or destroySoon()) once the batch's
    // callbacks have run, on the same turn of the loop — a response that closes its
    // connection. A TCP batch then leaves with MSG_MORE, so that its last segment carries
    // the FIN: one packet less per connection. The kernel sends the bytes at the latest
    // with the FIN, the next write or the close.
    void beginWriteBatch() noexcept;
    void endWriteBatch(bool endFollows = false);
    // nodecc: a write built in place in the open batch (the HTTP response head and a small
    // body, without a copy through a buffer of their own). writeBatch() is the batch's
    // buffer when a write now would be gathered into it (a batch is open, nothing is queued
    // or connecting, the socket is writable), else null. The caller appends its bytes to it
    // and then calls commitBatchWrite(bytes appended, cb): that write is then what writev()
    // of the same bytes would have been (bytesWritten, the high-water mark and its return
    // value, the timeout refresh, cb on the next tick after the batch went out; a batch that
    // reached the high-water mark is sent at once). Nothing else may touch the socket in
    // between; a caller that gives up truncates the buffer back instead.
    nodecc::detail::ByteString* writeBatch() noexcept;
    // `key` (optional) tags cb: while no other callback is gathered behind it in the same
    // batch, batchCallbackKey() returns it, and commitBatchWriteAgain(length, newKey) commits
    // a write completed by one more call of cb (cb then runs once per write, in order, each
    // call as the write's own callback would: after the batch went out, or with the error on
    // a tick of its own). The HTTP server finishes a pipelined batch's responses that way.
    bool commitBatchWrite(std::size_t length, WriteCallback&& cb, const void* key = nullptr);
    const void* batchCallbackKey() const noexcept;
    bool commitBatchWriteAgain(std::size_t length, const void* key);
    // Node: socket.end([data][, cb]) — cb runs on 'finish' (FIN sent after the queue drained).
    Socket& end(EventCallback onFinish = {});
    Socket& end(std::string_view data, EventCallback onFinish = {});
    Socket& end(const char* data, EventCallback onFinish = {}) {
        return end(std::string_view(data), std::move(onFinish));
    }
    Socket& end(std::string&& data, EventCallback onFinish = {});
    Socket& end(const Buffer& data, EventCallback onFinish = {});

    // ---- ending (Node: destroy([err]), destroySoon(), resetAndDestroy())
    Socket& destroy();
    Socket& destroy(Error error);
    Socket& destroySoon();      // end(), then destroy() once the data is flushed
    Socket& resetAndDestroy();  // close with a TCP RST (SO_LINGER 0); pipes just close

    // ---- options
    // Node: socket.setTimeout(ms[, cb]) — an unref'd inactivity timer, refreshed by
    // every read and write; 'timeout' fires, nothing is closed. 0 disables it.
    // Inline: 0 only disarms in place (the http server's switch-off per request).
    Socket& setTimeout(std::uint32_t ms) {
        if (ms != 0) return armTimeout(ms);
        timeoutMs_ = 0;  // the socket stays in its timeout list, passed over there
        return *this;
    }
    Socket& setTimeout(std::uint32_t ms, EventCallback onTimeout);  // cb: once('timeout')
    // Node: socket._unrefTimer() — activity: the timeout set, if any, starts again from now.
    void refreshTimeout();
    Socket& setNoDelay(bool noDelay = true);                                 // Node: setNoDelay
    Socket& setKeepAlive(bool enable = false, unsigned initialDelayMs = 0);  // Node: setKeepAlive
    Socket& ref();                                                           // Node: socket.ref()
    Socket& unref();  // Node: socket.unref() — the socket alone does not keep run() alive

    // ---- state (Node's getters)
    std::uint64_t bytesRead() const noexcept { return bytesRead_; }
    std::uint64_t bytesWritten() const noexcept { return bytesWritten_; }
    std::string remoteAddress() const;  // empty when unknown (Node: undefined)
    std::string remoteFamily() const;
    int remotePort() const;  // 0 when unknown
    std::string localAddress() const;
    std::string localFamily() const;
    int localPort() const;
    SocketAddress address() const;  // Node: socket.address() (the local side)
    std::string_view readyState()
        const noexcept;                // "opening", "open", "readOnly", "writeOnly", "closed"
    bool pending() const noexcept;     // Node: not connected yet (no handle, or connecting)
    bool connecting() const noexcept;  // Node: socket.connecting
    bool destroyed() const noexcept;
    std::size_t writableLength() const noexcept;
    bool writableNeedDrain() const noexcept;
    std::uint32_t writableHighWaterMark() const noexcept { return highWaterMark_; }
    bool writableEnded() const noexcept;     // end() was called
    bool writableFinished() const noexcept;  // 'finish' was emitted
    bool readableEnded() const noexcept;     // 'end' was emitted
    bool allowHalfOpen() const noexcept;
    std::uint32_t timeout() const noexcept;                    // Node: socket.timeout (0: none)
    Server* server() const noexcept { return server_.get(); }  // Node: socket.server
    AsyncId asyncId() const noexcept { return asyncId_; }
    AsyncId triggerAsyncId() const noexcept { return triggerAsyncId_; }
    Loop& loop() const noexcept;

  protected:
    const char* emitterName() const noexcept override { return "Socket"; }
    void onListenerAdded(events::EventId id) override;

  private:
    friend struct detail::SocketAccess;
    friend class detail::SocketTimeouts;
    Socket(Loop& loop, const SocketOptions& options);

    Socket& armTimeout(std::uint32_t ms);  // setTimeout(ms), ms > 0
    bool writeGeneric(const std::string_view* pieces, std::size_t count, std::string* owned,
                      const Buffer* keep, WriteCallback&& cb);

    // The libuv handle lives inside the socket, as its last member: a uv_tcp_t, or a
    // uv_pipe_t whose last bytes lie past handle_, in room allocated for them (a socket that
    // may become a pipe is allocated with it; a TCP socket from a server is not). Sizes are
    // checked in socket.cpp.
    static constexpr std::size_t kHandleSize = 248;      // uv_tcp_t
    static constexpr std::size_t kPipeHandleSize = 264;  // uv_pipe_t
    struct HandleRoom {
        std::size_t bytes;  // allocated past the end of the Socket
    };
    static void* operator new(std::size_t size, HandleRoom room);
    static void operator delete(void* p, HandleRoom room) noexcept;  // the constructor threw
    static void operator delete(void* p) noexcept;

    AsyncId asyncId_;
    AsyncId triggerAsyncId_;
    Ref<Server> server_;
    SocketConsumer* consumer_ = nullptr;
    detail::WriteQueue* writeQueue_ = nullptr;  // pooled per loop while writes are pending
    detail::SocketExtra* extra_ = nullptr;      // cold state (connect, held bytes, options)
    // Node <= v10 timers.enroll: the socket is an item of its timeout's list (socket_timeouts.hpp).
    Socket* timerPrev_ = nullptr;
    Socket* timerNext_ = nullptr;
    std::uint64_t bytesRead_ = 0;
    std::uint64_t bytesWritten_ = 0;
    std::uint32_t highWaterMark_;
    std::uint32_t flags_ = 0;
    std::uint32_t timeoutMs_ = 0;    // Node: socket.timeout
    std::uint32_t timerStart_ = 0;   // loop ms (mod 2^32) of the last activity, while armed
    std::uint32_t timerListMs_ = 0;  // its list's duration (timeoutMs_ unless disarmed in place)
    std::uint8_t corked_ = 0;
    alignas(8) unsigned char handle_[kHandleSize];  // last: see kHandleSize
};

// Node: net.createConnection(options[, connectListener]).
Ref<Socket> createConnection(const ConnectOptions& options, EventCallback onConnect = {});
// Node: net.connect(port[, host][, connectListener]).
Ref<Socket> connect(int port, std::string_view host = "localhost", EventCallback onConnect = {});
Ref<Socket> connect(int port, EventCallback onConnect);
// Node: net.connect(path[, connectListener]) — a unix domain socket.
Ref<Socket> connectPath(std::string_view path, EventCallback onConnect = {});

}  // namespace nodecc::net
