// net::Socket's writable side: try-write, the queue, cork/uncork, drain, end/shutdown.
//
// Node: Writable + stream_base_commons writeGeneric/writevGeneric. A write goes
// to the kernel at once (uv_try_write) when nothing is queued; only what the
// kernel did not take is queued, and the queue leaves in one uv_write (writev).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "net_internal.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::net {

using A = detail::SocketAccess;
namespace f = detail;

namespace {

char emptyByte = 0;

void writeCb(uv_write_t* req, int status) {
    Socket& s = *static_cast<Socket*>(req->data);
    Ref<Socket> keep(&s);
    makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(), [&] { A::afterWrite(s, status); });
}

void shutdownCb(uv_shutdown_t* req, int status) {
    Socket& s = *static_cast<Socket*>(req->data);
    A::shutdownDone(s);
    if (status == UV_ECANCELED) return;  // closing: 'close' follows (and frees the queue)
    Ref<Socket> keep(&s);
    makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(), [&] { A::onShutdown(s, status); });
    A::releaseQueueIfIdle(s);
}

bool hasPendingOutput(const f::WriteQueue* q) noexcept {
    return q != nullptr && (q->busy || !q->queued.empty());
}

Error writeAfterFinError() {
    // Node: writeAfterFIN.
    Error e("EPIPE", "This socket has been ended by the other party");
    return e;
}

}  // namespace

std::size_t Socket::writableLength() const noexcept {
    return writeQueue_ != nullptr ? writeQueue_->length : 0;
}

bool Socket::write(std::string_view data, WriteCallback cb) {
    return writeGeneric(&data, 1, nullptr, nullptr, std::move(cb));
}

bool Socket::write(std::string&& data, WriteCallback cb) {
    const std::string_view view(data);
    return writeGeneric(&view, 1, &data, nullptr, std::move(cb));
}

bool Socket::write(const Buffer& data, WriteCallback cb) {
    const std::string_view view = data.view();
    return writeGeneric(&view, 1, nullptr, &data, std::move(cb));
}

bool Socket::writev(std::span<const std::string_view> pieces, WriteCallback cb) {
    return writeGeneric(pieces.data(), pieces.size(), nullptr, nullptr, std::move(cb));
}

bool Socket::writev(std::span<const std::string_view> pieces, const Buffer& keep,
                    WriteCallback cb) {
    return writeGeneric(pieces.data(), pieces.size(), nullptr, &keep, std::move(cb));
}

bool Socket::writeGeneric(const std::string_view* pieces, std::size_t count, std::string* owned,
                          const Buffer* keep, WriteCallback&& cb) {
    std::size_t len = 0;
    for (std::size_t i = 0; i < count; ++i) len += pieces[i].size();

    if (A::has(*this, f::kWritableEnded) && A::has(*this, f::kReadEnded) &&
        !A::has(*this, f::kAllowHalfOpen)) {
        Error err = writeAfterFinError();
        A::failWriteLater(*this, std::move(cb), err);
        A::destroy(*this, err);
        return false;
    }
    if (A::has(*this, f::kDestroyed)) {
        A::failWriteLater(*this, std::move(cb), f::streamDestroyedError("write"));
        return false;
    }
    if (A::has(*this, f::kWritableEnded)) {
        // Node: Writable write() after end(): ERR_STREAM_WRITE_AFTER_END, then errorOrDestroy.
        Error err("ERR_STREAM_WRITE_AFTER_END", "write after end");
        A::failWriteLater(*this, std::move(cb), err);
        A::destroy(*this, err);
        return false;
    }
    if (!A::has(*this, f::kHandleOpen)) {
        A::failWriteLater(*this, std::move(cb), Error("ERR_SOCKET_CLOSED", "Socket is closed"));
        return false;
    }

    // Node: Writable writeOrBuffer — length counts the new chunk before it is written.
    bytesWritten_ += len;
    const bool ret = writableLength() + len < highWaterMark_;
    if (!ret) A::set(*this, f::kNeedDrain);
    A::refreshTimer(*this);

    bool batched = false;  // a batch is open: its gathered bytes go out in front of this write
    if (A::has(*this, f::kBatching) && !A::has(*this, f::kConnecting) &&
        !hasPendingOutput(writeQueue_)) {
        auto& q = A::queue(*this);
        if (q.batch.size() + len < highWaterMark_) {
            for (std::size_t i = 0; i < count; ++i) q.batch.append(pieces[i]);
            if (cb) {
                q.batchCbs.emplace_back(std::move(cb));
                q.batchKey = nullptr;
            }
            // not counted in writableLength: as if the kernel took it
            return ret;
        }
        // A write that fills the batch is not gathered (copied): the batch leaves in front
        // of it in the same writev, and what the kernel leaves of it is queued as any write.
        batched = !q.batch.empty() || !q.batchCbs.empty();
    } else if (A::has(*this, f::kConnecting) || corked_ > 0 || hasPendingOutput(writeQueue_)) {
        A::enqueue(*this, pieces, count, 0, owned, keep, std::move(cb));
        return ret;
    }

    const std::size_t front = batched ? writeQueue_->batch.size() : 0;
    int r = len + front > 0 ? A::tryWrite(*this, pieces, count, front, keep) : 0;
    if (r < 0) {
        Error err = f::errnoException(r, "write");
        if (batched) A::failBatch(*this, err);
        A::failWriteLater(*this, std::move(cb), err);
        A::destroy(*this, err);
        return false;
    }
    if (batched) {
        const std::size_t fromBatch = std::min(static_cast<std::size_t>(r), front);
        A::settleBatch(*this, fromBatch);
        r -= static_cast<int>(fromBatch);
        if (fromBatch < front) {
            A::enqueue(*this, pieces, count, 0, owned, keep, std::move(cb));
            A::startWrite(*this, fromBatch);
            return ret;
        }
    }
    if (static_cast<std::size_t>(r) == len) {
        // Node: afterWriteTick — the callback and 'drain' come on the next tick.
        if (cb || A::has(*this, f::kNeedDrain)) A::scheduleAfterWriteTick(*this, std::move(cb));
        return ret;
    }
    A::enqueue(*this, pieces, count, static_cast<std::size_t>(r), owned, keep, std::move(cb));
    A::startWrite(*this, front + static_cast<std::size_t>(r));
    return ret;
}

// One uv_try_write of the pieces, behind the first `front` bytes of the write batch.
// Returns what the kernel took (0 for EAGAIN) or a libuv error.
int A::tryWrite(Socket& s, const std::string_view* pieces, std::size_t count, std::size_t front,
                const Buffer* keep) {
    if (keep != nullptr && keep->fd() >= 0) {
        auto& out = f::NetLoopState::of(s.loop()).scratchPieces;
        out.clear();
        if (front > 0) out.push_back({std::string_view(s.writeQueue_->batch.data(), front)});
        for (std::size_t i = 0; i < count; ++i) {
            out.push_back({pieces[i], keep->contains(pieces[i]) ? keep : nullptr});
        }
        return trySendPieces(s, out);
    }
    if (count == 1 && front == 0) return writeNow(s, pieces[0]);
    // The batch alone (flushBatch): one buffer, no scratch list.
    if (count == 0) return writeNow(s, std::string_view(s.writeQueue_->batch.data(), front));
    auto& bufs = f::NetLoopState::of(s.loop()).scratchBufs;
    bufs.clear();
    if (front > 0)
        bufs.push_back(uv_buf_init(s.writeQueue_->batch.data(), static_cast<unsigned>(front)));
    for (std::size_t i = 0; i < count; ++i) {
        if (pieces[i].empty()) continue;
        bufs.push_back(uv_buf_init(const_cast<char*>(pieces[i].data()),
                                   static_cast<unsigned>(pieces[i].size())));
    }
    const int r = uv_try_write(stream(s), bufs.data(), static_cast<unsigned>(bufs.size()));
    return r == UV_EAGAIN || r == UV_ENOSYS ? 0 : r;
}

// One write(2), as uv_try_write makes it for one buffer, without its checks: the callers
// write only when libuv has nothing of this socket queued (no uv_write in flight, not
// connecting, not shut down). Returns what the kernel took (0 for EAGAIN) or a libuv error.
int A::writeNow(Socket& s, std::string_view bytes) {
    // libuv's own uv__stream_fd (uv_fileno without its type switch: the handle is open).
    const int fd = stream(s)->io_watcher.fd;
    if (fd < 0) return UV_EBADF;
    ssize_t r = 0;
    do {
        r = ::write(fd, bytes.data(), bytes.size());
    } while (r < 0 && errno == EINTR);
    if (r >= 0) return static_cast<int>(r);
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -errno;
}

namespace {
constexpr std::size_t kSendfileMin = 64 * 1024;  // below this a copy costs less

bool sendsFromFile(const f::OutgoingPiece& p) noexcept {
    return p.file != nullptr && p.bytes.size() >= kSendfileMin;
}
}  // namespace

// One try-write of pieces of which some lie in sealed Buffers (Buffer::sealed): those large
// pieces go with sendfile(2), so that the kernel references the file's pages instead of
// copying the bytes; the pieces around them with sendmsg(MSG_MORE), so that a head and its
// body share packets. Stops where the kernel refuses. Returns what the kernel took (0 for
// EAGAIN) or a libuv error.
int A::trySendPieces(Socket& s, std::span<const f::OutgoingPiece> pieces) {
    constexpr int kMaxIov = 16;
    uv_os_fd_t fd = -1;
    if (uv_fileno(handle(s), &fd) != 0) return UV_EBADF;
    std::size_t sent = 0;
    iovec iov[kMaxIov];
    int iovCount = 0;
    std::size_t iovBytes = 0;
    // Sends the gathered iovecs; false when the kernel did not take all of them (or failed).
    int error = 0;
    auto sendGathered = [&](bool more) {
        if (iovCount == 0) return true;
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<std::size_t>(iovCount);
        ssize_t r = 0;
        do {
            r = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        } while (r < 0 && errno == EINTR);
        iovCount = 0;
        if (r < 0) {
            if (errno != EAGAIN) error = -errno;
            return false;
        }
        if (r > 0) {  // a send without MSG_MORE pushes what earlier ones held
            if (more) {
                set(s, f::kTailHeld);
            } else {
                clear(s, f::kTailHeld);
            }
        }
        sent += static_cast<std::size_t>(r);
        return static_cast<std::size_t>(r) == std::exchange(iovBytes, 0);
    };
    auto gather = [&](std::string_view p) {
        if (iovCount == kMaxIov && !sendGathered(true)) return false;
        iov[iovCount++] = iovec{const_cast<char*>(p.data()), p.size()};
        iovBytes += p.size();
        return true;
    };
    auto result = [&] { return sent == 0 && error != 0 ? error : static_cast<int>(sent); };
    for (const f::OutgoingPiece& piece : pieces) {
        const std::string_view p = piece.bytes;
        if (p.empty()) continue;
        if (!sendsFromFile(piece)) {
            if (!gather(p)) return result();
            continue;
        }
        if (!sendGathered(true)) return result();
        const Buffer& file = *piece.file;
        auto offset = static_cast<off_t>(file.fileOffset() +
                                         static_cast<std::size_t>(p.data() - file.data()));
        std::size_t left = p.size();
        while (left > 0) {
            const ssize_t r = ::sendfile(fd, file.fd(), &offset, left);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                if (r < 0 && errno != EAGAIN) error = -errno;
                return result();
            }
            sent += static_cast<std::size_t>(r);
            left -= static_cast<std::size_t>(r);
        }
    }
    sendGathered(false);
    return result();
}

void A::enqueue(Socket& s, const std::string_view* pieces, std::size_t count, std::size_t skip,
                std::string* owned, const Buffer* keep, WriteCallback&& cb) {
    auto& q = queue(s);
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) total += pieces[i].size();
    q.length += total - std::min(skip, total);
    if (owned != nullptr) {
        f::WriteChunk chunk;
        chunk.data = std::move(*owned);
        chunk.offset = skip;
        chunk.cb.fn = std::move(cb);
        q.queued.push_back(std::move(chunk));
        return;
    }
    // A piece of the kept Buffer is queued as a share of it. Copied bytes join the last
    // copy still queued (corked responses leave in one buffer); a new copy reuses the
    // buffer of an earlier, written one.
    for (std::size_t i = 0; i < count; ++i) {
        std::string_view p = pieces[i];
        const std::size_t drop = std::min(skip, p.size());
        skip -= drop;
        p.remove_prefix(drop);
        if (p.empty()) continue;
        if (keep != nullptr && keep->contains(p)) {
            f::WriteChunk chunk;
            const auto start = static_cast<std::size_t>(p.data() - keep->data());
            chunk.shared = keep->subarray(start, start + p.size());
            chunk.referenced = true;
            q.queued.push_back(std::move(chunk));
            continue;
        }
        if (q.queued.empty() || !q.queued.back().copied) {
            f::WriteChunk chunk;
            chunk.data = std::move(q.spare);
            chunk.data.clear();
            chunk.copied = true;
            q.queued.push_back(std::move(chunk));
        }
        q.queued.back().data.append(p);
    }
    // The callback rides on the last chunk (it completes after every byte before it); if
    // that one has a callback already, on an empty chunk behind it, so callbacks keep
    // their order.
    if (!cb) return;
    if (q.queued.empty() || q.queued.back().cb) q.queued.emplace_back();
    q.queued.back().cb.fn = std::move(cb);
}

// Keeps the buffer of a written copy for the next one (small ones only: a pooled queue
// should not pin a large response).
void A::recycleChunk(f::WriteQueue& q, f::WriteChunk& chunk) noexcept {
    constexpr std::size_t kMaxSpare = 64 * 1024;
    if (chunk.copied && chunk.data.capacity() <= kMaxSpare &&
        chunk.data.capacity() > q.spare.capacity()) {
        q.spare = std::move(chunk.data);
    }
}

// Hands the queue to libuv in one uv_write (writev). libuv writes at once what the
// kernel takes and keeps the rest; writeCb runs when all of it is out. `tookAlready`: what
// the kernel took of the same write by try-write (Node counts a write's bytes whole).
void A::startWrite(Socket& s, std::size_t tookAlready) {
    f::WriteQueue* qp = s.writeQueue_;
    if (qp == nullptr || qp->busy || qp->queued.empty()) return;
    auto& q = *qp;
    std::swap(q.queued, q.inflight);
    q.bufs.clear();
    q.inflightBytes = 0;
    for (auto& c : q.inflight) {
        const std::string_view p = c.pending();
        if (p.empty()) continue;
        q.bufs.push_back(uv_buf_init(const_cast<char*>(p.data()), static_cast<unsigned>(p.size())));
        q.inflightBytes += p.size();
    }
    if (q.bufs.empty()) q.bufs.push_back(uv_buf_init(&emptyByte, 0));
    q.busy = true;
    q.req.data = &s;
    const int r =
        uv_write(&q.req, stream(s), q.bufs.data(), static_cast<unsigned>(q.bufs.size()), writeCb);
    if (r == 0) {
        // Node: _writeGeneric — an async write notes its size for _onTimeout.
        q.lastWriteQueueSize = tookAlready + q.inflightBytes;
    } else {
        q.busy = false;
        const Error err = f::errnoException(r, "write");
        for (auto& c : q.inflight) failWriteLater(s, std::move(c.cb), err);
        q.inflight.clear();
        destroy(s, err);
    }
}

// Uncork / connect: what is queued goes out, first by try-write, the rest by uv_write.
void A::flush(Socket& s) {
    f::WriteQueue* qp = s.writeQueue_;
    if (qp == nullptr || qp->busy || qp->queued.empty() || s.corked_ > 0 ||
        has(s, f::kConnecting | f::kDestroyed) || !has(s, f::kHandleOpen)) {
        return;
    }
    auto& q = *qp;
    auto& state = f::NetLoopState::of(s.loop());
    auto& bufs = state.scratchBufs;
    auto& out = state.scratchPieces;
    bufs.clear();
    out.clear();
    std::size_t total = 0;
    bool fromFile = false;  // a share of a sealed Buffer is queued: as a direct write, sendfile
    for (auto& c : q.queued) {
        const std::string_view p = c.pending();
        if (p.empty()) continue;
        bufs.push_back(uv_buf_init(const_cast<char*>(p.data()), static_cast<unsigned>(p.size())));
        out.push_back({p, c.referenced && c.shared.fd() >= 0 ? &c.shared : nullptr});
        fromFile = fromFile || sendsFromFile(out.back());
        total += p.size();
    }
    int r = 0;
    if (fromFile) {
        r = trySendPieces(s, out);
    } else if (total > 0) {
        r = uv_try_write(stream(s), bufs.data(), static_cast<unsigned>(bufs.size()));
    }
    if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    if (r < 0) {
        const Error err = f::errnoException(r, "write");
        for (auto& c : q.queued) failWriteLater(s, std::move(c.cb), err);
        q.queued.clear();
        q.length = 0;
        destroy(s, err);
        return;
    }
    const auto took = static_cast<std::size_t>(r);
    auto left = took;
    q.length -= left;
    std::size_t done = 0;
    for (auto& c : q.queued) {
        const std::size_t n = c.pending().size();
        if (n > left) {
            c.offset += left;
            break;
        }
        left -= n;
        ++done;
        if (c.cb) q.done.push_back(std::move(c.cb));
        recycleChunk(q, c);
    }
    q.queued.erase(q.queued.begin(), q.queued.begin() + static_cast<std::ptrdiff_t>(done));
    if (!q.done.empty() || (has(s, f::kNeedDrain) && q.length == 0)) {
        scheduleAfterWriteTick(s);
    }
    startWrite(s, took);
}

void A::afterWrite(Socket& s, int status) {
    auto& q = *s.writeQueue_;
    q.busy = false;
    q.lastWriteQueueSize = 0;  // Node: kAfterAsyncWrite
    if (status < 0) {
        // UV_ECANCELED: the handle is closing (destroy() during the write).
        const Error err = status == UV_ECANCELED ? f::streamDestroyedError("write")
                                                 : f::errnoException(status, "write");
        q.length -= std::min(q.length, q.inflightBytes);
        q.inflightBytes = 0;
        for (auto& c : q.inflight) {
            if (c.cb) q.running.push_back(std::move(c.cb));
        }
        q.inflight.clear();
        if (status != UV_ECANCELED) destroy(s, err);
        for (std::size_t i = 0; i < q.running.size(); ++i) q.running[i].runAll(&err);
        q.running.clear();
        return;
    }
    q.length -= q.inflightBytes;
    q.inflightBytes = 0;
    for (auto& c : q.inflight) {
        if (c.cb) q.running.push_back(std::move(c.cb));
        recycleChunk(q, c);
    }
    q.inflight.clear();
    refreshTimer(s);
    if (!has(s, f::kDestroyed) && s.corked_ == 0) startWrite(s);
    finishWrites(s);
}

// Node: afterWrite — 'drain' (not once end() was called), then the callbacks of the writes
// that completed, then the shutdown that end() asked for.
void A::finishWrites(Socket& s) {
    if (!has(s, f::kDestroyed)) maybeDrain(s);
    if (s.writeQueue_ != nullptr) {
        auto& q = *s.writeQueue_;
        // In place: a callback shared by several writes is called once for each (nothing
        // pushes to `running` while it runs).
        for (std::size_t i = 0; i < q.running.size(); ++i) q.running[i].runAll(nullptr);
        q.running.clear();
    }
    if (!has(s, f::kDestroyed)) maybeShutdown(s);
    releaseQueueIfIdle(s);
}

void A::scheduleAfterWriteTick(Socket& s, WriteCallback&& cb) {
    if (cb) queue(s).done.emplace_back(std::move(cb));
    scheduleAfterWriteTick(s);
}

void A::scheduleAfterWriteTick(Socket& s) {
    if (has(s, f::kAfterWriteTick)) return;
    set(s, f::kAfterWriteTick);
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    process::nextTick([self = Ref<Socket>(&s)] { afterWriteTick(*self); });
}

void A::afterWriteTick(Socket& s) {
    clear(s, f::kAfterWriteTick);
    if (s.writeQueue_ != nullptr) std::swap(s.writeQueue_->done, s.writeQueue_->running);
    finishWrites(s);
}

void A::maybeDrain(Socket& s) {
    // Node: needDrain = !state.ending && !destroyed && state.length === 0 && state.needDrain.
    if (!has(s, f::kNeedDrain) || has(s, f::kWritableEnded) || s.writableLength() != 0) return;
    clear(s, f::kNeedDrain);
    if (s.consumer_ != nullptr) s.consumer_->onSocketDrain(s);
    if (!has(s, f::kDestroyed)) s.emit(Socket::kDrain);
}

void A::failWriteLater(Socket& s, WriteCallback&& cb, Error err) {
    if (!cb) return;
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    process::nextTick([cb = std::move(cb), e = std::move(err)] { cb(&e); });
}

// A callback shared by several writes fails once for each, each call on a tick of its own, as
// the writes' own callbacks would.
void A::failWriteLater(Socket& s, PendingCallback&& cb, const Error& err) {
    if (!cb || cb.calls == 0) return;
    if (cb.calls == 1) {
        failWriteLater(s, std::move(cb.fn), err);
        return;
    }
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    auto shared = std::make_shared<WriteCallback>(std::move(cb.fn));
    for (std::uint32_t i = 0; i < cb.calls; ++i) {
        process::nextTick([shared, e = err] { (*shared)(&e); });
    }
}

// Node: the pending writes of a destroyed stream fail with ERR_STREAM_DESTROYED (the error
// is built only when there is one: most sockets close with nothing queued).
void A::failPendingWrites(Socket& s) {
    if (s.writeQueue_ == nullptr) return;
    auto& q = *s.writeQueue_;
    std::vector<f::WriteChunk> chunks;
    chunks.swap(q.queued);
    q.length = 0;
    if (chunks.empty()) return;
    const Error err = f::streamDestroyedError("write");
    for (auto& c : chunks) {
        if (c.cb) c.cb.runAll(&err);
    }
}

void Socket::beginWriteBatch() noexcept {
    A::set(*this, f::kBatching);
}

void Socket::endWriteBatch(bool endFollows) {
    if (!A::has(*this, f::kBatching)) return;
    A::clear(*this, f::kBatching);
    A::flushBatch(*this, endFollows);
}

nodecc::detail::ByteString* Socket::writeBatch() noexcept {
    // writeGeneric's gathering case: every other one (an error, queued output) goes through it.
    constexpr std::uint32_t kMask =
        f::kBatching | f::kHandleOpen | f::kConnecting | f::kDestroyed | f::kWritableEnded;
    if ((flags_ & kMask) != (f::kBatching | f::kHandleOpen) || hasPendingOutput(writeQueue_)) {
        return nullptr;
    }
    return writeQueue_ != nullptr ? &writeQueue_->batch : &A::queue(*this).batch;
}

bool Socket::commitBatchWrite(std::size_t length, WriteCallback&& cb, const void* key) {
    // As writeGeneric's gathered write (nothing is queued: writableLength() is 0).
    auto& q = *writeQueue_;
    if (cb) {
        q.batchCbs.emplace_back(std::move(cb));
        q.batchKey = key;
    }
    return A::committedToBatch(*this, length);
}

const void* Socket::batchCallbackKey() const noexcept {
    return writeQueue_ != nullptr ? writeQueue_->batchKey : nullptr;
}

bool Socket::commitBatchWriteAgain(std::size_t length, const void* key) {
    auto& q = *writeQueue_;
    ++q.batchCbs.back().calls;
    q.batchKey = key;
    return A::committedToBatch(*this, length);
}

bool A::committedToBatch(Socket& s, std::size_t length) {
    s.bytesWritten_ += length;
    const bool ret = length < s.highWaterMark_;
    if (!ret) set(s, f::kNeedDrain);
    refreshTimer(s);
    if (s.writeQueue_->batch.size() >= s.highWaterMark_) flushBatch(s);
    return ret;
}

// Sends a batch in one try-write. What the kernel does not take is queued as any
// write is; its callbacks then run when all of it is out.
void A::flushBatch(Socket& s, bool endFollows) {
    f::WriteQueue* qp = s.writeQueue_;
    if (qp == nullptr || (qp->batch.empty() && qp->batchCbs.empty())) return;
    auto& q = *qp;
    int r = 0;
    if (!q.batch.empty()) {
        r = endFollows && !has(s, f::kPipe) && !hasPendingOutput(qp)
                ? sendBeforeEnd(s, q.batch.view())
                : tryWrite(s, nullptr, 0, q.batch.size(), nullptr);
    }
    if (r < 0) {
        const Error err = f::errnoException(r, "write");
        failBatch(s, err);
        destroy(s, err);
        return;
    }
    settleBatch(s, static_cast<std::size_t>(r));
    if (s.corked_ == 0 && !q.queued.empty()) startWrite(s, static_cast<std::size_t>(r));
}

// The last bytes before end(): MSG_MORE keeps a short tail in the kernel until the FIN
// that shutdown(2) sends, and both leave in one segment. What the kernel refuses is
// queued as by tryWrite.
int A::sendBeforeEnd(Socket& s, std::string_view bytes) {
    uv_os_fd_t fd = -1;
    if (uv_fileno(handle(s), &fd) != 0) return UV_EBADF;
    ssize_t r = 0;
    do {
        r = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE);
    } while (r < 0 && errno == EINTR);
    if (r > 0) set(s, f::kTailHeld);
    if (r >= 0) return static_cast<int>(r);
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

// A tail held back by MSG_MORE for a FIN that did not come (the socket is destroyed first:
// a parse error later in the same read, an exception) is pushed out before the close.
// Otherwise a close with unread input would reset the connection and discard it unsent,
// where Node, which has no MSG_MORE, had already sent it.
void A::pushHeldTail(Socket& s) noexcept {
    if (!has(s, f::kTailHeld) || has(s, f::kShutdownSent)) return;
    clear(s, f::kTailHeld);
    uv_os_fd_t fd = -1;
    if (uv_fileno(handle(s), &fd) != 0) return;
    const int on = 1;  // setting TCP_NODELAY pushes pending output, even if it was on
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void A::failBatch(Socket& s, const Error& err) {
    auto& q = *s.writeQueue_;
    q.batchKey = nullptr;
    for (auto& cb : q.batchCbs) failWriteLater(s, std::move(cb), err);
    q.batchCbs.clear();
    q.batch.clear();
}

// After a try-write took `written` bytes of the batch: their callbacks run on the next
// tick when all of it went, else the rest is queued as any write is.
void A::settleBatch(Socket& s, std::size_t written) {
    auto& q = *s.writeQueue_;
    q.batchKey = nullptr;
    if (written == q.batch.size()) {
        if (q.done.empty()) {
            q.done.swap(q.batchCbs);
        } else {
            for (auto& cb : q.batchCbs) q.done.push_back(std::move(cb));
            q.batchCbs.clear();
        }
        q.batch.clear();
        if (!q.done.empty() || has(s, f::kNeedDrain)) scheduleAfterWriteTick(s);
        return;
    }
    queueBatchRest(s, written);
}

// The rest of a batch that the kernel did not take waits in the queue (it did look
// written: now it counts again). Out of line: settleBatch's usual case stays small.
void A::queueBatchRest(Socket& s, std::size_t written) {
    auto& q = *s.writeQueue_;
    const std::size_t left = q.batch.size() - written;
    q.length += left;
    if (q.length >= s.highWaterMark_) set(s, f::kNeedDrain);
    f::WriteChunk chunk;
    chunk.data = std::move(q.spare);
    chunk.data.assign(q.batch.data() + written, left);
    chunk.copied = true;
    q.queued.push_back(std::move(chunk));
    for (auto& cb : q.batchCbs) {
        f::WriteChunk c;
        c.cb = std::move(cb);
        q.queued.push_back(std::move(c));
    }
    q.batchCbs.clear();
    q.batch.clear();
}

void Socket::cork() noexcept {
    ++corked_;
}

void Socket::uncork() {
    if (corked_ == 0) return;
    if (--corked_ > 0) return;
    A::flush(*this);
    A::maybeShutdown(*this);
}

// ---- end / shutdown (Node: Writable end → Socket._final → shutdown) ----------------

Socket& Socket::end(EventCallback onFinish) {
    if (onFinish) once(kFinish, std::move(onFinish));
    if (A::has(*this, f::kWritableEnded | f::kDestroyed)) return *this;
    A::set(*this, f::kWritableEnded);
    corked_ = 0;  // Node: end() uncorks
    A::flushBatch(*this);
    A::flush(*this);
    A::maybeShutdown(*this);
    return *this;
}

Socket& Socket::end(std::string_view data, EventCallback onFinish) {
    if (!data.empty() && !A::has(*this, f::kWritableEnded | f::kDestroyed)) write(data);
    return end(std::move(onFinish));
}

Socket& Socket::end(std::string&& data, EventCallback onFinish) {
    if (!data.empty() && !A::has(*this, f::kWritableEnded | f::kDestroyed)) write(std::move(data));
    return end(std::move(onFinish));
}

Socket& Socket::end(const Buffer& data, EventCallback onFinish) {
    if (!data.empty() && !A::has(*this, f::kWritableEnded | f::kDestroyed)) write(data);
    return end(std::move(onFinish));
}

void A::maybeShutdown(Socket& s) {
    if (!has(s, f::kWritableEnded) || !has(s, f::kHandleOpen) ||
        has(s, f::kShutdownSent | f::kConnecting | f::kDestroyed) || s.corked_ > 0 ||
        hasPendingOutput(s.writeQueue_)) {
        return;
    }
    doShutdown(s);
}

void A::doShutdown(Socket& s) {
    set(s, f::kShutdownSent);
    // The FIN leaves now rather than on libuv's pass over its pending requests, after the
    // rest of this poll's events: a tail held back by MSG_MORE (sendBeforeEnd) goes with it
    // at once. libuv's own shutdown(2) then finds the socket shut (a no-op) and completes
    // the request on its usual turn, so 'finish' keeps Node's timing.
    uv_os_fd_t fd = -1;
    if (!has(s, f::kPipe) && uv_fileno(handle(s), &fd) == 0) ::shutdown(fd, SHUT_WR);
    // The request lives in the socket's pooled write queue (no allocation per connection).
    auto& q = queue(s);
    q.shutdown.data = &s;
    q.shuttingDown = true;
    const int r = uv_shutdown(&q.shutdown, stream(s), shutdownCb);
    if (r != 0) {
        q.shuttingDown = false;
        destroy(s, f::errnoException(r, "shutdown"));
    }
}

void A::shutdownDone(Socket& s) noexcept {
    if (s.writeQueue_ != nullptr) s.writeQueue_->shuttingDown = false;
}

void A::onShutdown(Socket& s, int /*status*/) {
    // Node ignores the shutdown status (afterShutdown); ENOTCONN after a reset shows as
    // a read error instead.
    if (has(s, f::kDestroyed)) return;
    set(s, f::kFinished);
    s.emit(Socket::kFinish);
    if (has(s, f::kDestroyed)) return;
    if (has(s, f::kEndEmitted | f::kDestroySoon)) destroy(s, nullptr);
}

}  // namespace nodecc::net
