// Private to src/net: per-loop net state, socket internals shared by the
// socket/server translation units, address conversion and lookups.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nodecc/core/buffer.hpp"
#include "nodecc/core/byte_string.hpp"
#include "nodecc/core/error.hpp"
#include "nodecc/core/unique_function.hpp"
#include "nodecc/net/address.hpp"
#include "nodecc/net/server.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/timers/timers.hpp"
#include "socket_timeouts.hpp"

namespace nodecc::net::detail {

// One queued piece of output: bytes `data` owns (a copy, or a moved-in string), or a
// share of the caller's Buffer (`shared`, no copy). `offset` skips what the kernel took.
// A write's completion callback and the number of writes it completes: consecutive writes
// gathered in a batch may share one (Socket::commitBatchWriteAgain), which is then called
// once per write, in order, as separate callbacks would be.
struct PendingCallback {
    WriteCallback fn;
    std::uint32_t calls = 1;

    PendingCallback() noexcept = default;
    // NOLINTNEXTLINE(google-explicit-constructor): a plain callback is one call's worth
    PendingCallback(WriteCallback&& f) noexcept : fn(std::move(f)) {}
    explicit operator bool() const noexcept { return static_cast<bool>(fn); }
    // The calls left, one after the other; each is counted off before it is made, so that a
    // call that throws is not made again.
    void runAll(const Error* err) {
        while (calls > 0) {
            --calls;
            fn(err);
        }
    }
};

struct WriteChunk {
    std::string data;
    Buffer shared;
    std::size_t offset = 0;
    PendingCallback cb;
    bool copied = false;      // our copy of the caller's bytes (not a handed-over string)
    bool referenced = false;  // the bytes are `shared`'s

    std::string_view pending() const noexcept {
        return (referenced ? shared.view() : std::string_view(data)).substr(offset);
    }
};

// The write state of a socket with output pending; pooled per loop so that
// steady-state writes reuse capacity instead of allocating.
struct WriteQueue {
    // `done` and `running` hand their buffers on by swapping (and `done` with `batchCbs`),
    // so either may be the one with no room when a write's callback first takes a path it
    // had not taken before, possibly long after warm-up. Room for a few callbacks in both
    // from the start: a pooled queue then allocates nothing for them once made.
    static constexpr std::size_t kTypicalCallbacks = 4;
    WriteQueue() {
        done.reserve(kTypicalCallbacks);
        running.reserve(kTypicalCallbacks);
    }

    std::vector<WriteChunk> queued;    // waiting (corked, connecting, or behind a write in flight)
    std::vector<WriteChunk> inflight;  // handed to uv_write; untouched until its callback
    std::vector<uv_buf_t> bufs;
    std::vector<PendingCallback> done;     // written at once; their callbacks run on the next tick
    std::vector<PendingCallback> running;  // the batch of `done` being called
    std::string spare;                     // a written copy's buffer, cleared, for the next copy
    nodecc::detail::ByteString batch;      // a write batch's bytes (they count as written already)
    std::vector<PendingCallback> batchCbs;
    // The key the last of batchCbs was committed with (Socket::commitBatchWrite): while set,
    // no other callback was gathered behind it and it may complete the next write too.
    const void* batchKey = nullptr;
    std::size_t inflightBytes = 0;
    std::size_t length = 0;  // Node: writableLength — queued and in-flight bytes
    // Node: kLastWriteQueueSize — the bytes of the write in flight when it went to libuv,
    // then libuv's queue size at each timeout that found it moving (0: none in flight).
    std::size_t lastWriteQueueSize = 0;
    bool busy = false;          // a uv_write is in flight
    bool shuttingDown = false;  // `shutdown` is in flight
    uv_write_t req{};
    uv_shutdown_t shutdown{};  // end()'s request: the queue is held until its callback

    bool empty() const noexcept {
        return queued.empty() && !busy && !shuttingDown && done.empty() && running.empty() &&
               batch.empty() && batchCbs.empty();
    }
};

struct ListenHandle;

// Bytes to send, and the sealed Buffer (Buffer::sealed) they lie in, if any: those go with
// sendfile(2) from its file.
struct OutgoingPiece {
    std::string_view bytes;
    const Buffer* file = nullptr;
};

// Per-loop state of the net module (Loop::extension<NetLoopState>()).
class NetLoopState final : public nodecc::detail::LoopExtension {
  public:
    static constexpr std::size_t kLoopSlot = ::nodecc::detail::kNetSlot;
    // Node reads at most 64 KiB per read callback, and that is the largest chunk the
    // consumers see (kReadChunk). One read(2) may take two such chunks (a 64 KiB request
    // body and its head in one syscall instead of two); readCb hands them on one by one.
    // What a pause() leaves of a read is held: at most one chunk per connection.
    static constexpr std::size_t kReadChunk = 64 * 1024;
    static constexpr std::size_t kReadBufferSize = 2 * kReadChunk;
    static constexpr std::size_t kMaxPooledQueues = 1024;
    static constexpr std::size_t kScratchPieces = 64;

    // The scratch lists are sized once, so that a write with more pieces than the ones
    // before it does not allocate on the hot path.
    explicit NetLoopState(Loop& loop) : timeouts(loop), loop_(loop) {
        scratchBufs.reserve(kScratchPieces);
        scratchPieces.reserve(kScratchPieces);
        pool_.reserve(kMaxPooledQueues);
    }
    ~NetLoopState() override;
    // Loop teardown: what the application left open is closed without events, so that
    // sockets and servers are freed (their self-Refs released).
    void close() override;

    static NetLoopState& of(Loop& loop) { return loop.extension<NetLoopState>(); }

    // A keep-alive exchange takes a queue for its response and gives it back after the
    // write's callbacks: both inline, the pool's room reserved (giving back cannot throw).
    WriteQueue* takeQueue() {
        if (pool_.empty()) return new WriteQueue;
        WriteQueue* q = pool_.back();
        pool_.pop_back();
        return q;
    }
    // `q` is empty() (nothing queued, in flight or waiting for its callbacks).
    void giveQueue(WriteQueue* q) noexcept {
        q->inflight.clear();
        q->inflightBytes = 0;
        q->length = 0;
        q->lastWriteQueueSize = 0;
        if (pool_.size() < kMaxPooledQueues) {
            pool_.push_back(q);
        } else {
            delete q;
        }
    }

    // Node: the buffer every stream of the loop reads into (stream_base / kOnExecute).
    alignas(64) char readBuffer[kReadBufferSize];
    std::vector<uv_buf_t> scratchBufs;         // for uv_try_write of several pieces
    std::vector<OutgoingPiece> scratchPieces;  // for trySendPieces

    std::vector<ListenHandle*> listenHandles;
    SocketTimeouts timeouts;  // every socket's setTimeout

  private:
    std::vector<WriteQueue*> pool_;
    Loop& loop_;
};

// Client-side connect state; freed once the connect attempt is over.
struct ConnectState {
    std::string address;  // for "connect ECONNREFUSED <address>:<port>"
    int port = 0;
    bool bindLocal = false;
    sockaddr_storage local{};
    std::string localAddress;
    int localPort = 0;
};

// Cold, lazily allocated per-socket state.
struct SocketExtra {
    bool peerCached = false;
    bool noDelayOnConnect = false;
    bool keepAliveOnConnect = false;
    unsigned keepAliveDelay = 0;
    union {
        sockaddr_in v4;
        sockaddr_in6 v6;
    } peer{};          // Node: _peername, cached on first use
    std::string held;  // bytes read before anyone consumed them (Node: the readable buffer)
    std::unique_ptr<ConnectState> connect;
};

// Socket flag bits.
enum SocketFlag : std::uint32_t {
    kHandleOpen = 1u << 0,  // handle_ holds an initialized libuv handle (self-Ref held)
    kPipe = 1u << 1,
    kConnecting = 1u << 2,
    kReading = 1u << 3,    // uv_read_start active
    kFlowing = 1u << 4,    // Node: readableFlowing === true
    kPaused = 1u << 5,     // Node: readableFlowing === false (pause() or pauseOnConnect)
    kReadEnded = 1u << 6,  // EOF read from the kernel
    kEndEmitted = 1u << 7,
    kEofHeld = 1u << 8,  // EOF seen while bytes are held
    kWritableEnded = 1u << 9,
    kShutdownSent = 1u << 10,
    kFinished = 1u << 11,
    kDestroyed = 1u << 12,
    kClosed = 1u << 13,
    kNeedDrain = 1u << 14,
    kAllowHalfOpen = 1u << 15,
    kDestroySoon = 1u << 16,
    kHadError = 1u << 17,
    kResetOnClose = 1u << 18,
    kAfterWriteTick = 1u << 19,
    kFlushHeldTick = 1u << 20,
    kUnref = 1u << 21,
    kEverConnected = 1u << 22,
    kBatching = 1u << 23,    // between beginWriteBatch and endWriteBatch
    kTimerArmed = 1u << 24,  // in a timeout list (SocketTimeouts), maybe disarmed in place
    kPipeRoom = 1u << 25,    // allocated with room for a uv_pipe_t
    kTailHeld = 1u << 26,    // bytes sent with MSG_MORE may wait in the kernel for a push
};

// Friend of Socket: the functions of socket*.cpp that need its internals.
struct SocketAccess {
    // `pipeRoom`: the socket may hold a pipe handle (false only for a server's TCP socket).
    static Ref<Socket> make(Loop& loop, const SocketOptions& options, bool pipeRoom = true);
    // Server side: wraps an accepted descriptor (TCP or pipe). Null on failure (fd closed).
    static Ref<Socket> adopt(Loop& loop, int fd, bool pipe, const ServerOptions& options,
                             Server* server, int* error);

    static uv_handle_t* handle(Socket& s) noexcept {
        return reinterpret_cast<uv_handle_t*>(s.handle_);
    }
    static uv_stream_t* stream(Socket& s) noexcept {
        return reinterpret_cast<uv_stream_t*>(s.handle_);
    }
    static uv_tcp_t* tcp(Socket& s) noexcept { return reinterpret_cast<uv_tcp_t*>(s.handle_); }
    static uv_pipe_t* pipe(Socket& s) noexcept { return reinterpret_cast<uv_pipe_t*>(s.handle_); }
    static bool has(const Socket& s, std::uint32_t f) noexcept { return (s.flags_ & f) != 0; }
    static void set(Socket& s, std::uint32_t f) noexcept { s.flags_ |= f; }
    static void clear(Socket& s, std::uint32_t f) noexcept { s.flags_ &= ~f; }
    static SocketExtra& extra(Socket& s);

    // socket.cpp
    static void openHandle(Socket& s, bool pipe);
    // The socket whose handle `h` is, or null (a handle of something else). The loop's own
    // list of handles is the list of open sockets: no registry per socket.
    static Socket* socketOfHandle(const uv_handle_t* h) noexcept;
    static void abandon(Socket& s);
    static void readStart(Socket& s);
    static void readStop(Socket& s);
    static void onRead(Socket& s, ssize_t nread, const char* base);
    static void onLargeRead(Socket& s, std::string_view bytes);
    static void onEof(Socket& s);
    static bool sharesData(const Socket& s, const SocketConsumer& consumer) noexcept;
    static void emitDataBesideConsumer(Socket& s, std::string_view chunk);
    static void emitEnd(Socket& s);
    static void scheduleFlushHeld(Socket& s);
    static void flushHeld(Socket& s);
    static void emitError(Socket& s, const Error& err);
    static void destroy(Socket& s, const Error* err);
    static void destroy(Socket& s, const Error& err);
    static const sockaddr* peer(const Socket& s);
    static bool sockName(const Socket& s, sockaddr_storage& out);
    static void onClosed(Socket& s);
    static void refreshTimer(Socket& s);
    static void onTimeout(Socket& s);
    static void connected(Socket& s);
    static void connectDone(Socket& s, int status);
    static void startConnect(Socket& s, const sockaddr_storage& address);

    // socket_write.cpp
    static void recycleChunk(WriteQueue& q, WriteChunk& chunk) noexcept;
    static void flushBatch(Socket& s, bool endFollows = false);
    static int sendBeforeEnd(Socket& s, std::string_view bytes);
    static void pushHeldTail(Socket& s) noexcept;
    static void settleBatch(Socket& s, std::size_t written);
    [[gnu::noinline]] static void queueBatchRest(Socket& s, std::size_t written);
    static void failBatch(Socket& s, const Error& err);
    static bool committedToBatch(Socket& s, std::size_t length);
    static int tryWrite(Socket& s, const std::string_view* pieces, std::size_t count,
                        std::size_t front, const Buffer* keep);
    static int writeNow(Socket& s, std::string_view bytes);
    static int trySendPieces(Socket& s, std::span<const OutgoingPiece> pieces);
    static void enqueue(Socket& s, const std::string_view* pieces, std::size_t count,
                        std::size_t skip, std::string* owned, const Buffer* keep,
                        WriteCallback&& cb);
    static void startWrite(Socket& s, std::size_t tookAlready = 0);
    static void flush(Socket& s);
    static void doShutdown(Socket& s);
    static void shutdownDone(Socket& s) noexcept;
    static void afterWrite(Socket& s, int status);
    static void scheduleAfterWriteTick(Socket& s, WriteCallback&& cb);
    static void scheduleAfterWriteTick(Socket& s);  // for the callbacks in `done`, or 'drain'
    static void afterWriteTick(Socket& s);
    static void finishWrites(Socket& s);
    static void maybeDrain(Socket& s);
    static void maybeShutdown(Socket& s);
    static void onShutdown(Socket& s, int status);
    static void failPendingWrites(Socket& s);
    static void failWriteLater(Socket& s, WriteCallback&& cb, Error err);
    static void failWriteLater(Socket& s, PendingCallback&& cb, const Error& err);
    // The socket's write queue, taken from the loop's pool when it has none. Asked for per
    // write and let go when idle: the usual answers (it has one; it is still in use) inline.
    static WriteQueue& queue(Socket& s) {
        return s.writeQueue_ != nullptr ? *s.writeQueue_ : takeQueue(s);
    }
    static void releaseQueueIfIdle(Socket& s) noexcept {
        const WriteQueue* q = s.writeQueue_;
        if (q != nullptr && q->empty() && !has(s, kAfterWriteTick)) giveQueue(s);
    }
    static WriteQueue& takeQueue(Socket& s) {
        s.writeQueue_ = NetLoopState::of(s.loop()).takeQueue();
        return *s.writeQueue_;
    }
    static void giveQueue(Socket& s) noexcept {
        NetLoopState::of(s.loop()).giveQueue(std::exchange(s.writeQueue_, nullptr));
    }
};

struct ServerAccess {
    static Ref<Server> make(const ServerOptions& options);
    static void onSocketDestroyed(Server& server) { server.onSocketDestroyed(); }
    static void onconnection(Server& server, int fd) { server.onconnection(fd); }
    static AcceptStats& stats(Server& server) noexcept { return server.stats_; }
    static void abandon(ListenHandle& lh);
};

// The listening descriptor of a Server, watched with a uv_poll_t (seed 2-3-3: `_handle`).
struct ListenHandle {
    uv_poll_t poll{};
    uv_timer_t backoff{};  // EMFILE: retry accepting after a delay
    int fd = -1;
    bool pipe = false;
    bool backingOff = false;
    int openHandles = 0;
    std::uint64_t delayMs = 0;
    std::string path;         // pipe path, unlinked on close (libuv does the same)
    Server* owner = nullptr;  // Node: _handle[owner_symbol]
    Ref<Server> keep;         // a listening server stays alive without user Refs
    AsyncId triggerAsyncId = 0;
};

// server_accept.cpp
void startAccepting(ListenHandle& lh);
void resumeAccepting(ListenHandle& lh);

// ---- errors (Node: lib/internal/errors.js)
// errnoException: "<syscall> <CODE>" (read/write errors: "read ECONNRESET").
Error errnoException(int uvErr, std::string_view syscall);
// exceptionWithHostPort: "<syscall> <CODE> <address>:<port>" ("connect ECONNREFUSED 127.0.0.1:1").
Error exceptionWithHostPort(int uvErr, std::string_view syscall, std::string_view address,
                            int port);
Error streamDestroyedError(std::string_view method);
[[noreturn]] void throwBadPort(long long port, std::string_view name = "options.port");

// Node ignores SIGPIPE at startup; nodecc does it when the first socket or server is made,
// unless the application installed its own handler.
void ignoreSigpipe() noexcept;

// ---- addresses
// Fills `out` from a numeric address; false if `host` is not an IP literal of `family` (0: any).
bool parseIp(std::string_view host, int port, int family, sockaddr_storage& out) noexcept;
SocketAddress toSocketAddress(const sockaddr* sa);
std::string familyName(int af);

// Node: dns.lookup(host, {family}) through the libuv thread pool; the callback gets the
// first address (port set) or a libuv error.
using LookupCallback = UniqueFunction<void(int status, const sockaddr_storage& address), 48>;
void lookup(Loop& loop, std::string_view host, int port, int family, LookupCallback cb);

}  // namespace nodecc::net::detail
