#include <cstdio>
#include <utility>

#include "connection.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::http {

namespace {
Error writeAfterEnd() {
    return Error("ERR_STREAM_WRITE_AFTER_END", "write after end");
}
Error streamDestroyed(const char* method) {
    return Error("ERR_STREAM_DESTROYED",
                 std::string("Cannot call ") + method + " after a stream was destroyed");
}
}  // namespace

OutgoingMessage::OutgoingMessage(std::size_t highWaterMark, bool rejectNonStandardBodyWrites)
    : highWaterMark_(highWaterMark), rejectNonStandardBodyWrites_(rejectNonStandardBodyWrites) {}

OutgoingMessage::~OutgoingMessage() = default;

// ---- headers -------------------------------------------------------------------------------

OutgoingMessage& OutgoingMessage::setHeader(std::string_view name, std::string_view value) {
    headers_.setHeader(name, value);
    return *this;
}
OutgoingMessage& OutgoingMessage::setHeader(std::string_view name, std::int64_t value) {
    headers_.setHeader(name, value);
    return *this;
}
OutgoingMessage& OutgoingMessage::setHeader(std::string_view name,
                                            std::initializer_list<std::string_view> values) {
    headers_.setHeader(name, values);
    return *this;
}
OutgoingMessage& OutgoingMessage::setHeader(std::string_view name,
                                            std::span<const std::string_view> values) {
    headers_.setHeader(name, values);
    return *this;
}
OutgoingMessage& OutgoingMessage::appendHeader(std::string_view name, std::string_view value) {
    headers_.appendHeader(name, value);
    return *this;
}
void OutgoingMessage::removeHeader(std::string_view name) {
    if (headers_.removeHeader(name) == SpecialHeader::Date) sendDate = false;
}

// ---- state ---------------------------------------------------------------------------------

net::Socket* OutgoingMessage::socket() const noexcept {
    return connection_ != nullptr && connection_->owner() == this ? &connection_->socket()
                                                                  : nullptr;
}

std::size_t OutgoingMessage::writableLength() const noexcept {
    // Node: outputSize + kChunkedLength + socket.writableLength.
    return outputSize() + (socket() != nullptr ? connection_->socketWritableLength() : 0);
}

bool OutgoingMessage::writableFinished() const noexcept {
    return finished_ && outputSize() == 0 &&
           (socket() == nullptr || connection_->socketWritableLength() == 0);
}

void OutgoingMessage::cork() {
    if (socket() != nullptr) {
        connection_->cork();
    } else {
        ++corked_;
    }
}

void OutgoingMessage::uncork() {
    if (socket() != nullptr) {
        connection_->uncork();
    } else if (corked_ > 0) {
        --corked_;
    }
}

OutgoingMessage& OutgoingMessage::setTimeout(std::uint64_t ms) {
    if (connection_ != nullptr) connection_->setSocketTimeout(ms);
    return *this;
}

void OutgoingMessage::destroy() {
    if (destroyed_) return;
    destroyed_ = true;
    if (connection_ != nullptr) connection_->destroySocket(nullptr);
}

void OutgoingMessage::destroy(const Error& error) {
    if (destroyed_) return;
    destroyed_ = true;
    if (connection_ != nullptr) connection_->destroySocket(&error);
}

// Node: onError → nextTick(emitErrorNt): callback(err), then 'error' unless destroyed.
void OutgoingMessage::reportError(const Error& err, WriteCallback callback) {
    if (destroyed_) return;
    Ref<OutgoingMessage> self(this);
    process::nextTick([self, err, cb = std::move(callback)]() mutable {
        if (cb) cb(&err);
        if (!self->destroyed_) self->emit(events::kError, err);
    });
}

// ---- writing -------------------------------------------------------------------------------

bool OutgoingMessage::write(std::string_view chunk, WriteCallback callback) {
    const bool ret = writeImpl(chunk, callback, false, nullptr);
    if (!ret) needDrain_ = true;
    return ret;
}

bool OutgoingMessage::write(const Buffer& chunk, WriteCallback callback) {
    const bool ret = writeImpl(chunk.view(), callback, false, &chunk);
    if (!ret) needDrain_ = true;
    return ret;
}

// Node: _http_outgoing.js write_.
bool OutgoingMessage::writeImpl(std::string_view chunk, WriteCallback& callback, bool fromEnd,
                                const Buffer* keep) {
    if (finished_ || destroyed_) {
        if (!destroyed_) {
            reportError(writeAfterEnd(), std::move(callback));
        } else if (callback) {
            process::nextTick([cb = std::move(callback)]() mutable {
                const Error err = streamDestroyed("write");
                cb(&err);
            });
        }
        return false;
    }
    if (strictContentLength && head_.contentLength && head_.hasBody &&
        !headers_.removedContentLength() && !head_.chunkedEncoding &&
        !headers_.hasHeader("transfer-encoding")) {
        const std::uint64_t total = bytesWritten_ + chunk.size();
        if (fromEnd ? total != *head_.contentLength : total > *head_.contentLength) {
            throw Error("ERR_HTTP_CONTENT_LENGTH_MISMATCH",
                        "Response body's content-length of " + std::to_string(total) +
                            " byte(s) does not match the content-length of " +
                            std::to_string(*head_.contentLength) + " byte(s) set in header");
        }
    }
    bytesWritten_ += chunk.size();
    if (!head_.headersSent) {
        if (fromEnd) head_.contentLength = chunk.size();
        implicitHeader();
    }
    if (!head_.hasBody) {
        if (rejectNonStandardBodyWrites_) {
            throw Error("ERR_HTTP_BODY_NOT_ALLOWED",
                        "Adding content for this request method or response status is not "
                        "allowed.");
        }
        if (callback) {
            process::nextTick([cb = std::move(callback)]() mutable { cb(nullptr); });
        }
        return true;
    }
    if (!fromEnd && socket() != nullptr && !connection_->socketCorked()) {
        // Node: cork now, uncork on nextTick, so several writes leave in one writev.
        connection_->cork();
        Ref<OutgoingMessage> self(this);
        process::nextTick([self] {
            if (self->connection_ != nullptr) self->connection_->uncorkSocket();
        });
    }
    if (head_.chunkedEncoding && !chunk.empty()) {
        char hex[24];
        const int n = std::snprintf(hex, sizeof hex, "%zx\r\n", chunk.size());
        const std::string_view pieces[] = {std::string_view(hex, static_cast<std::size_t>(n)),
                                           chunk, "\r\n"};
        return send(pieces, std::move(callback), keep);
    }
    const std::string_view pieces[] = {chunk};
    return send(pieces, std::move(callback), keep);
}

// Node: _send — the head goes out in front of the first body bytes.
bool OutgoingMessage::send(std::span<const std::string_view> data, WriteCallback callback,
                           const Buffer* keep) {
    if (!headerSent_ && head_.headersSent) {
        headerSent_ = true;
        std::string_view pieces[8];
        pieces[0] = headBytes_.view();
        std::size_t n = 1;
        for (std::string_view d : data) {
            if (!d.empty() && n < 8) pieces[n++] = d;
        }
        return writeRaw(std::span<const std::string_view>(pieces, n), std::move(callback), keep);
    }
    return writeRaw(data, std::move(callback), keep);
}

// Node: _writeRaw — straight to the socket when this response owns it, else buffered.
bool OutgoingMessage::writeRaw(std::span<const std::string_view> pieces, WriteCallback callback,
                               const Buffer* keep) {
    // Node: `if (conn?.destroyed) return false` — the bytes and the callback are dropped. Once
    // the connection closed (destroyed_) nothing is buffered either: a response ended after
    // its client vanished holds no output and no callback (which would reference it).
    // A response still waiting behind another one has no socket yet (Node: conn is null):
    // it buffers, and finishes only once it is given the socket — never, if the socket is
    // gone; its 'close' then comes with the socket's. (A direct one writes through while
    // the socket is writable, as the owner would after it.)
    const bool owner = connection_ != nullptr && connection_->owner() == this;
    if (destroyed_ || (owner && connection_->socketDestroyed())) return false;
    if ((owner || (direct_ && connection_ != nullptr)) && connection_->socketWritable()) {
        if (outputSize() > 0) flushOutput();
        return connection_->write(pieces, keep, std::move(callback));
    }
    std::size_t added = 0;
    for (std::string_view p : pieces) {
        if (keep != nullptr && !p.empty() && keep->contains(p)) {
            const auto start = static_cast<std::size_t>(p.data() - keep->data());
            outputShares_.push_back({output_.size(), keep->subarray(start, start + p.size())});
            outputSharedBytes_ += p.size();
        } else {
            output_.append(p);
        }
        added += p.size();
    }
    if (callback) outputCallbacks_.push_back(std::move(callback));
    if (connection_ != nullptr) connection_->updateOutgoingData(static_cast<std::int64_t>(added));
    return outputSize() < highWaterMark_;
}

// Node: _flushOutput.
void OutgoingMessage::flushOutput() {
    // The owner's corks move to the socket (a direct response's stay its own).
    while (corked_ > 0 && connection_->owner() == this) {
        --corked_;
        connection_->cork();
    }
    if (outputSize() == 0 && outputCallbacks_.empty()) return;
    const auto size = static_cast<std::int64_t>(outputSize());
    // The socket copies what the kernel does not take at once, so the buffers stay with
    // this (pooled) response; shared Buffers are handed on as shares. The buffers are
    // swapped out while writing: a write may re-enter.
    std::string data;
    data.swap(output_);
    std::vector<OutputShare> shares;
    shares.swap(outputShares_);
    outputSharedBytes_ = 0;
    std::vector<WriteCallback> callbacks;
    callbacks.swap(outputCallbacks_);
    const std::string_view bytes(data);
    std::size_t from = 0;
    for (OutputShare& share : shares) {
        const std::string_view pieces[] = {bytes.substr(from, share.offset - from),
                                           share.bytes.view()};
        connection_->write(pieces, &share.bytes, {});
        from = share.offset;
    }
    // The last write carries the first callback; the others follow on empty writes, so
    // they run in order once the bytes are out.
    const std::string_view rest = bytes.substr(from);
    if (!rest.empty() || !callbacks.empty()) {
        WriteCallback first = callbacks.empty() ? WriteCallback() : std::move(callbacks.front());
        connection_->write(std::span<const std::string_view>(&rest, 1), nullptr, std::move(first));
    }
    for (std::size_t i = 1; i < callbacks.size(); ++i) {
        connection_->write(std::span<const std::string_view>(), nullptr, std::move(callbacks[i]));
    }
    data.clear();
    shares.clear();
    callbacks.clear();
    if (output_.empty()) output_.swap(data);
    if (outputShares_.empty()) outputShares_.swap(shares);
    if (outputCallbacks_.empty()) outputCallbacks_.swap(callbacks);
    connection_->updateOutgoingData(-size);
}

// Node: _flush, run by assignSocket.
void OutgoingMessage::flush() {
    if (connection_ == nullptr || !connection_->socketWritable()) return;
    const bool hadOutput = outputSize() > 0 || !outputCallbacks_.empty();
    if (hadOutput || corked_ > 0) flushOutput();
    if (finished_) {
        emit(kPrefinish);
    } else if ((hadOutput || direct_) && needDrain_ &&
               connection_->socketWritableLength() < highWaterMark_) {
        needDrain_ = false;
        emit(kDrain);
    }
}

OutgoingMessage& OutgoingMessage::end(WriteCallback callback) {
    return endImpl(std::string_view(), std::move(callback), nullptr);
}

OutgoingMessage& OutgoingMessage::end(std::string_view chunk, WriteCallback callback) {
    return endImpl(chunk, std::move(callback), nullptr);
}

OutgoingMessage& OutgoingMessage::end(const Buffer& chunk, WriteCallback callback) {
    return endImpl(chunk.view(), std::move(callback), &chunk);
}

// Node: _http_outgoing.js end. Head, last body bytes and the chunked terminator are
// sent as one write whose completion emits 'finish'.
OutgoingMessage& OutgoingMessage::endImpl(std::string_view chunk, WriteCallback&& callback,
                                          const Buffer* keep) {
    Ref<OutgoingMessage> self(this);
    if (finished_) {
        if (!chunk.empty()) {
            reportError(writeAfterEnd(), std::move(callback));
        } else if (callback) {
            if (!writableFinished()) {
                once(kFinish, [cb = std::move(callback)]() mutable { cb(nullptr); });
            } else {
                const Error err("ERR_STREAM_ALREADY_FINISHED",
                                "Cannot call end after a stream was finished");
                callback(&err);
            }
        }
        return *this;
    }
    // A head not built yet is built straight into the socket's write batch, when the bytes
    // would be gathered there anyway (see directBatch); a throw below leaves it as the other
    // path does, built but not sent (in headBytes_).
    nodecc::detail::ByteString* batch = head_.headersSent ? nullptr : directBatch(chunk.size());
    const std::size_t batchStart = batch != nullptr ? batch->size() : 0;
    if (batch == nullptr && socket() != nullptr) connection_->cork();
    HeadInBatch headInBatch(*this, batch, batchStart);
    bool bodyDropped = false;
    if (!chunk.empty()) {
        if (strictContentLength && head_.contentLength && head_.hasBody &&
            !headers_.removedContentLength() && !head_.chunkedEncoding &&
            bytesWritten_ + chunk.size() != *head_.contentLength) {
            throw Error("ERR_HTTP_CONTENT_LENGTH_MISMATCH",
                        "Response body's content-length of " +
                            std::to_string(bytesWritten_ + chunk.size()) +
                            " byte(s) does not match the content-length of " +
                            std::to_string(*head_.contentLength) + " byte(s) set in header");
        }
        bytesWritten_ += chunk.size();
        if (!head_.headersSent) {
            head_.contentLength = chunk.size();
            implicitHeader();
        }
        if (!head_.hasBody) {
            if (rejectNonStandardBodyWrites_) {
                throw Error("ERR_HTTP_BODY_NOT_ALLOWED",
                            "Adding content for this request method or response status is "
                            "not allowed.");
            }
            bodyDropped = true;
        }
    } else if (!head_.headersSent) {
        head_.contentLength = 0;
        implicitHeader();
    }
    if (callback) once(kFinish, [cb = std::move(callback)]() mutable { cb(nullptr); });
    if (strictContentLength && head_.contentLength && head_.hasBody &&
        !headers_.removedContentLength() && !head_.chunkedEncoding &&
        bytesWritten_ != *head_.contentLength) {
        throw Error("ERR_HTTP_CONTENT_LENGTH_MISMATCH",
                    "Response body's content-length of " + std::to_string(bytesWritten_) +
                        " byte(s) does not match the content-length of " +
                        std::to_string(*head_.contentLength) + " byte(s) set in header");
    }

    if (batch != nullptr && headInBatch.finish(chunk, bodyDropped)) {
        // As below, with socket() spelled out (the connection is set: directBatch checked it).
        if (connection_->owner() == this) connection_->uncorkFully();
        corked_ = 0;
        finished_ = true;
        connection_->responseEnded(static_cast<ServerResponse&>(*this));
        if (outputSize() == 0 && connection_ != nullptr && connection_->owner() == this) {
            emit(kPrefinish);  // Node: _finish
        }
        return *this;
    }
    std::string_view pieces[4];
    std::size_t n = 0;
    char hex[24];
    if (!chunk.empty() && !bodyDropped) {
        if (head_.chunkedEncoding) {
            const int len = std::snprintf(hex, sizeof hex, "%zx\r\n", chunk.size());
            pieces[n++] = std::string_view(hex, static_cast<std::size_t>(len));
            pieces[n++] = chunk;
            pieces[n++] = "\r\n";
        } else {
            pieces[n++] = chunk;
        }
    }
    WriteCallback onFinish = [self](const Error*) { self->emitFinish(); };
    std::string tail;
    if (head_.hasBody && head_.chunkedEncoding) {
        tail.reserve(5 + trailer_.size());
        tail.append("0\r\n").append(trailer_).append("\r\n");
        pieces[n++] = tail;
    }
    if (n > 0 || !headerSent_ || writableLength() > 0) {
        send(std::span<const std::string_view>(pieces, n), std::move(onFinish), keep);
    } else {
        process::nextTick([f = std::move(onFinish)]() mutable { f(nullptr); });
    }
    if (socket() != nullptr) connection_->uncorkFully();
    corked_ = 0;
    finished_ = true;
    if (connection_ != nullptr && (direct_ || connection_->owner() == this)) {
        connection_->responseEnded(static_cast<ServerResponse&>(*this));
    }
    if (outputSize() == 0 && socket() != nullptr) emit(kPrefinish);  // Node: _finish
    return *this;
}

// The socket's write batch, when this response's next write would be gathered into it:
// writeRaw would write to the socket (this response owns it, or writes ahead of its turn),
// nothing of this response waits in output_, and the body fits in the batch.
nodecc::detail::ByteString* OutgoingMessage::directBatch(std::size_t bodySize) {
    if (connection_ == nullptr || destroyed_ || outputSize() != 0) return nullptr;
    if ((connection_->owner() != this && !direct_) || !connection_->socketWritable()) {
        return nullptr;
    }
    nodecc::detail::ByteString* batch = connection_->socket().writeBatch();
    if (batch == nullptr || batch->size() + bodySize >= highWaterMark_) return nullptr;
    return batch;
}

OutgoingMessage::HeadInBatch::HeadInBatch(OutgoingMessage& res, nodecc::detail::ByteString* batch,
                                          std::size_t start) noexcept
    : res_(res), batch_(batch), start_(start) {
    res.headOut_ = batch;
}

// A throw between the head and the write: the head moves to headBytes_, where the other path
// keeps it.
OutgoingMessage::HeadInBatch::~HeadInBatch() {
    if (batch_ == nullptr) return;
    res_.headOut_ = nullptr;
    if (batch_->size() > start_) unbatchHead();
}

void OutgoingMessage::HeadInBatch::unbatchHead() noexcept {
    res_.headBytes_.clear();
    res_.headBytes_.append(batch_->view().substr(start_));
    batch_->truncate(start_);
}

// After the head: the body, its framing and the chunked terminator join it in the batch, as
// one write whose completion emits 'finish' — as writeGeneric would gather send()'s pieces.
// When they would not all fit below the socket's high-water mark (writeGeneric then sends the
// batch in front of the write), the head moves to headBytes_ and false sends it the other way.
bool OutgoingMessage::HeadInBatch::finish(std::string_view chunk, bool bodyDropped) {
    res_.headOut_ = nullptr;
    const ResponseHead& head = res_.head_;
    const bool chunked = head.hasBody && head.chunkedEncoding;
    const bool body = !chunk.empty() && !bodyDropped;
    char hex[24];
    std::size_t hexLen = 0;
    std::size_t length = body ? chunk.size() : 0;
    if (body && chunked) {
        hexLen = static_cast<std::size_t>(std::snprintf(hex, sizeof hex, "%zx\r\n", chunk.size()));
        length += hexLen + 2;
    }
    if (chunked) length += 5 + res_.trailer_.size();
    if (batch_->size() + length >= res_.highWaterMark_) {
        unbatchHead();
        batch_ = nullptr;
        return false;
    }
    // The room is reserved once; the pieces are copied behind each other.
    char* p = batch_->reserveTail(length);
    const auto put = [&p](std::string_view s) {
        nodecc::detail::copyBytes(p, s.data(), s.size());
        p += s.size();
    };
    if (body) {
        if (chunked) put(std::string_view(hex, hexLen));
        put(chunk);
        if (chunked) put("\r\n");
    }
    if (chunked) {
        put("0\r\n");
        put(res_.trailer_);
        put("\r\n");
    }
    batch_->commitTail(p);
    const std::size_t written = batch_->size() - start_;
    batch_ = nullptr;
    res_.headerSent_ = true;
    res_.commitFinishToBatch(written);
    return true;
}

// The batched write's completion: when the batch's last callback is the FinishChain of the
// response before this one (nothing else completes in between), this response joins it; else
// a chain starts here. One callback per batch of pipelined responses instead of one each.
void OutgoingMessage::commitFinishToBatch(std::size_t length) {
    net::Socket& socket = connection_->socket();
    // The key is the chain's last response (only FinishChain commits with one on a socket
    // the HTTP server consumes).
    if (const void* key = socket.batchCallbackKey()) {
        auto* tail = static_cast<OutgoingMessage*>(const_cast<void*>(key));
        retain();
        tail->nextFinish_ = this;
        socket.commitBatchWriteAgain(length, this);
        return;
    }
    socket.commitBatchWrite(length, FinishChain(*this), this);
}

OutgoingMessage::FinishChain::FinishChain(OutgoingMessage& first) noexcept : head_(&first) {
    first.retain();
}

OutgoingMessage::FinishChain::FinishChain(FinishChain&& other) noexcept
    : head_(std::exchange(other.head_, nullptr)) {}

// Calls not made (a throw, a loop torn down) leave their responses unfinished, as dropped
// write callbacks would.
OutgoingMessage::FinishChain::~FinishChain() {
    while (head_ != nullptr) {
        OutgoingMessage* m = std::exchange(head_, head_->nextFinish_);
        m->nextFinish_ = nullptr;
        m->release();
    }
}

// One write's completion: the next response's 'finish' (its reference is dropped after it, as
// a write callback of its own would be).
void OutgoingMessage::FinishChain::operator()(const Error* /*error*/) {
    if (head_ == nullptr) return;
    OutgoingMessage* m = std::exchange(head_, head_->nextFinish_);
    m->nextFinish_ = nullptr;
    struct Drop {  // the chain's reference, taken over
        OutgoingMessage* m;
        ~Drop() { m->release(); }
    } drop{m};
    m->emitFinish();
}

// Node: emitCloseNT. 'close' is the last event; dropping the listeners then breaks the
// cycles a listener holding a Ref to this response (or to its request) would form.
void OutgoingMessage::emitClose() {
    if (closed_) return;
    Ref<OutgoingMessage> self(this);
    destroyed_ = true;
    closed_ = true;
    // Output still queued behind another response can never be sent; its callbacks (end()'s
    // holds a Ref to this response) are dropped uncalled, as Node drops outputData.
    std::vector<WriteCallback> dropped;
    dropped.swap(outputCallbacks_);
    output_.clear();
    if (output_.capacity() > kKeptOutputCapacity) output_.shrink_to_fit();
    outputShares_.clear();
    outputSharedBytes_ = 0;
    emit(kResponseClose);
    removeAllListeners();
    dropped.clear();
    if (outputCallbacks_.empty()) outputCallbacks_.swap(dropped);
}

// Node: onFinish — not emitted when the socket had an error. Called by the write's callback,
// whose reference to this response lasts until it returns (resOnFinish counts on it).
void OutgoingMessage::emitFinish() {
    if (finishEmitted_) return;
    if (connection_ != nullptr && connection_->socketHadError()) return;
    finishEmitted_ = true;
    if (connection_ != nullptr) connection_->resOnFinish(static_cast<ServerResponse&>(*this));
    emit(kFinish);
}

void OutgoingMessage::addTrailers(std::span<const HeaderField> fields) {
    http::addTrailers(trailer_, fields);
}

// Node: flushHeaders — build the head and send it now (the body then goes chunked).
void OutgoingMessage::flushHeaders() {
    if (!head_.headersSent) implicitHeader();
    send(std::span<const std::string_view>(), {});
}

}  // namespace nodecc::http
