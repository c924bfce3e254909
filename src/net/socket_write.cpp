// net::Socket's writable side: try-write, the queue, cork/uncork, drain, end/shutdown.
//
// Node: Writable + stream_base_commons writeGeneric/writevGeneric. A write goes
// to the kernel at once (uv_try_write) when nothing is queued; only what the
// kernel did not take is queued, and the queue leaves in one uv_write (writev).
#include <algorithm>

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
    delete req;
    if (status == UV_ECANCELED) return;  // closing: 'close' follows
    Ref<Socket> keep(&s);
    makeCallback(s.loop(), s.asyncId(), s.triggerAsyncId(), [&] { A::onShutdown(s, status); });
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

f::WriteQueue& A::queue(Socket& s) {
    if (s.writeQueue_ == nullptr) s.writeQueue_ = f::NetLoopState::of(s.loop()).takeQueue();
    return *s.writeQueue_;
}

void A::releaseQueueIfIdle(Socket& s) noexcept {
    f::WriteQueue* q = s.writeQueue_;
    if (q == nullptr || !q->empty() || has(s, f::kAfterWriteTick)) return;
    s.writeQueue_ = nullptr;
    f::NetLoopState::of(s.loop()).giveQueue(q);
}

std::size_t Socket::writableLength() const noexcept {
    return writeQueue_ != nullptr ? writeQueue_->length : 0;
}

bool Socket::write(std::string_view data, WriteCallback cb) {
    return writeGeneric(&data, 1, nullptr, std::move(cb));
}

bool Socket::write(std::string&& data, WriteCallback cb) {
    const std::string_view view(data);
    return writeGeneric(&view, 1, &data, std::move(cb));
}

bool Socket::writev(std::span<const std::string_view> pieces, WriteCallback cb) {
    return writeGeneric(pieces.data(), pieces.size(), nullptr, std::move(cb));
}

bool Socket::writeGeneric(const std::string_view* pieces, std::size_t count, std::string* owned,
                          WriteCallback&& cb) {
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

    if (A::has(*this, f::kBatching) && !A::has(*this, f::kConnecting) &&
        !hasPendingOutput(writeQueue_)) {
        auto& q = A::queue(*this);
        for (std::size_t i = 0; i < count; ++i) q.batch.append(pieces[i]);
        if (cb) q.batchCbs.push_back(std::move(cb));  // not counted: as if the kernel took it
        if (q.batch.size() >= highWaterMark_) A::flushBatch(*this);
        return ret;
    }
    if (A::has(*this, f::kConnecting) || corked_ > 0 || hasPendingOutput(writeQueue_)) {
        A::enqueue(*this, pieces, count, 0, owned, std::move(cb));
        return ret;
    }

    int r = 0;
    if (len > 0) {
        if (count == 1) {
            uv_buf_t buf = uv_buf_init(const_cast<char*>(pieces[0].data()),
                                       static_cast<unsigned>(pieces[0].size()));
            r = uv_try_write(A::stream(*this), &buf, 1);
        } else {
            auto& bufs = f::NetLoopState::of(loop()).scratchBufs;
            bufs.clear();
            for (std::size_t i = 0; i < count; ++i) {
                if (pieces[i].empty()) continue;
                bufs.push_back(uv_buf_init(const_cast<char*>(pieces[i].data()),
                                           static_cast<unsigned>(pieces[i].size())));
            }
            r = uv_try_write(A::stream(*this), bufs.data(), static_cast<unsigned>(bufs.size()));
        }
    }
    if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    if (r < 0) {
        Error err = f::errnoException(r, "write");
        A::failWriteLater(*this, std::move(cb), err);
        A::destroy(*this, err);
        return false;
    }
    if (static_cast<std::size_t>(r) == len) {
        // Node: afterWriteTick — the callback and 'drain' come on the next tick.
        if (cb || A::has(*this, f::kNeedDrain)) A::scheduleAfterWriteTick(*this, std::move(cb));
        return ret;
    }
    A::enqueue(*this, pieces, count, static_cast<std::size_t>(r), owned, std::move(cb));
    A::startWrite(*this);
    return ret;
}

void A::enqueue(Socket& s, const std::string_view* pieces, std::size_t count, std::size_t skip,
                std::string* owned, WriteCallback&& cb) {
    auto& q = queue(s);
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) total += pieces[i].size();
    q.length += total - std::min(skip, total);
    f::WriteChunk chunk;
    if (owned != nullptr) {
        chunk.data = std::move(*owned);
        chunk.offset = skip;
    } else {
        // Copied bytes join the last copy still queued (corked responses leave in one
        // buffer); a callback then rides on an empty chunk behind it, so callbacks keep
        // their order. A new copy reuses the buffer of an earlier, written one.
        WriteChunk* last = q.queued.empty() ? nullptr : &q.queued.back();
        std::string* dest = nullptr;
        if (last != nullptr && last->copied) {
            dest = &last->data;
        } else {
            chunk.data = std::move(q.spare);
            chunk.data.clear();
            chunk.copied = true;
            dest = &chunk.data;
        }
        for (std::size_t i = 0; i < count; ++i) {
            std::string_view p = pieces[i];
            const std::size_t drop = std::min(skip, p.size());
            skip -= drop;
            dest->append(p.substr(drop));
        }
        if (dest != &chunk.data) {
            if (!cb) return;
            if (!last->cb) {
                last->cb = std::move(cb);
                return;
            }
        }
    }
    chunk.cb = std::move(cb);
    q.queued.push_back(std::move(chunk));
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
// kernel takes and keeps the rest; writeCb runs when all of it is out.
void A::startWrite(Socket& s) {
    f::WriteQueue* qp = s.writeQueue_;
    if (qp == nullptr || qp->busy || qp->queued.empty()) return;
    auto& q = *qp;
    std::swap(q.queued, q.inflight);
    q.bufs.clear();
    q.inflightBytes = 0;
    for (auto& c : q.inflight) {
        const std::size_t n = c.data.size() - c.offset;
        if (n == 0) continue;
        q.bufs.push_back(uv_buf_init(c.data.data() + c.offset, static_cast<unsigned>(n)));
        q.inflightBytes += n;
    }
    if (q.bufs.empty()) q.bufs.push_back(uv_buf_init(&emptyByte, 0));
    q.busy = true;
    q.req.data = &s;
    const int r =
        uv_write(&q.req, stream(s), q.bufs.data(), static_cast<unsigned>(q.bufs.size()), writeCb);
    if (r != 0) {
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
    auto& bufs = f::NetLoopState::of(s.loop()).scratchBufs;
    bufs.clear();
    std::size_t total = 0;
    for (auto& c : q.queued) {
        const std::size_t n = c.data.size() - c.offset;
        if (n == 0) continue;
        bufs.push_back(uv_buf_init(c.data.data() + c.offset, static_cast<unsigned>(n)));
        total += n;
    }
    int r =
        total == 0 ? 0 : uv_try_write(stream(s), bufs.data(), static_cast<unsigned>(bufs.size()));
    if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    if (r < 0) {
        const Error err = f::errnoException(r, "write");
        for (auto& c : q.queued) failWriteLater(s, std::move(c.cb), err);
        q.queued.clear();
        q.length = 0;
        destroy(s, err);
        return;
    }
    auto left = static_cast<std::size_t>(r);
    q.length -= left;
    std::size_t done = 0;
    for (auto& c : q.queued) {
        const std::size_t n = c.data.size() - c.offset;
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
        scheduleAfterWriteTick(s, nullptr);
    }
    startWrite(s);
}

void A::afterWrite(Socket& s, int status) {
    auto& q = *s.writeQueue_;
    q.busy = false;
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
        for (auto& cb : q.running) cb(&err);
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

// Node: afterWrite — the callbacks of the writes that completed, then 'drain', then
// the shutdown that end() asked for.
void A::finishWrites(Socket& s) {
    if (s.writeQueue_ != nullptr) {
        auto& q = *s.writeQueue_;
        for (std::size_t i = 0; i < q.running.size(); ++i) {
            WriteCallback cb = std::move(q.running[i]);
            cb(nullptr);
        }
        q.running.clear();
    }
    if (!has(s, f::kDestroyed)) {
        maybeDrain(s);
        maybeShutdown(s);
    }
    releaseQueueIfIdle(s);
}

void A::scheduleAfterWriteTick(Socket& s, WriteCallback&& cb) {
    if (cb) queue(s).done.push_back(std::move(cb));
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
    if (!has(s, f::kNeedDrain) || s.writableLength() != 0) return;
    clear(s, f::kNeedDrain);
    if (s.consumer_ != nullptr) s.consumer_->onSocketDrain(s);
    if (!has(s, f::kDestroyed)) s.emit(Socket::kDrain);
}

void A::failWriteLater(Socket& s, WriteCallback&& cb, Error err) {
    if (!cb) return;
    DefaultTriggerAsyncIdScope scope(s.asyncId_);
    process::nextTick([cb = std::move(cb), e = std::move(err)] { cb(&e); });
}

void A::failPendingWrites(Socket& s, const Error& err) {
    if (s.writeQueue_ == nullptr) return;
    auto& q = *s.writeQueue_;
    std::vector<f::WriteChunk> chunks;
    chunks.swap(q.queued);
    q.length = 0;
    for (auto& c : chunks) {
        if (c.cb) c.cb(&err);
    }
}

void Socket::beginWriteBatch() noexcept {
    A::set(*this, f::kBatching);
}

void Socket::endWriteBatch() {
    if (!A::has(*this, f::kBatching)) return;
    A::clear(*this, f::kBatching);
    A::flushBatch(*this);
}

// Sends a batch in one try-write. What the kernel does not take is queued as any
// write is; its callbacks then run when all of it is out.
void A::flushBatch(Socket& s) {
    f::WriteQueue* qp = s.writeQueue_;
    if (qp == nullptr || (qp->batch.empty() && qp->batchCbs.empty())) return;
    auto& q = *qp;
    int r = 0;
    if (!q.batch.empty()) {
        uv_buf_t buf = uv_buf_init(q.batch.data(), static_cast<unsigned>(q.batch.size()));
        r = uv_try_write(stream(s), &buf, 1);
        if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
    }
    if (r < 0) {
        const Error err = f::errnoException(r, "write");
        for (auto& cb : q.batchCbs) failWriteLater(s, std::move(cb), err);
        q.batchCbs.clear();
        q.batch.clear();
        destroy(s, err);
        return;
    }
    const auto written = static_cast<std::size_t>(r);
    if (written == q.batch.size()) {
        for (auto& cb : q.batchCbs) q.done.push_back(std::move(cb));
        q.batchCbs.clear();
        q.batch.clear();
        if (!q.done.empty() || has(s, f::kNeedDrain)) scheduleAfterWriteTick(s, nullptr);
        return;
    }
    // The rest waits in the queue (it did look written: now it counts again).
    const std::size_t left = q.batch.size() - written;
    q.length += left;
    if (q.length >= s.highWaterMark_) set(s, f::kNeedDrain);
    f::WriteChunk chunk;
    chunk.data = std::move(q.spare);
    chunk.data.assign(q.batch, written, left);
    chunk.copied = true;
    q.queued.push_back(std::move(chunk));
    for (auto& cb : q.batchCbs) {
        f::WriteChunk c;
        c.cb = std::move(cb);
        q.queued.push_back(std::move(c));
    }
    q.batchCbs.clear();
    q.batch.clear();
    if (s.corked_ == 0) startWrite(s);
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
    auto* req = new uv_shutdown_t;
    req->data = &s;
    const int r = uv_shutdown(req, stream(s), shutdownCb);
    if (r != 0) {
        delete req;
        destroy(s, f::errnoException(r, "shutdown"));
    }
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
