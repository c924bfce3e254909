#include "nodecc/http/incoming_message.hpp"

#include "connection.hpp"
#include "message_pool.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc::http {

IncomingMessage::IncomingMessage(net::Socket* socket) : socket_(socket) {}

IncomingMessage::~IncomingMessage() = default;

void IncomingMessage::lastReferenceReleased() noexcept {
    if (pooled_) {
        detail::MessagePool<IncomingMessage>::recycle(this);
    } else {
        delete this;
    }
}

namespace {
// Buffers that grew past what a typical request needs are not kept by a pooled request.
constexpr std::size_t kKeptBufferCapacity = 64 * 1024;
void clearKeeping(std::string& s) noexcept {
    s.clear();
    if (s.capacity() > kKeptBufferCapacity) s.shrink_to_fit();
}
void clearKeeping(nodecc::detail::ByteString& s) noexcept {
    s.clearKeeping(kKeptBufferCapacity);
}
}  // namespace

// Every member, as the constructor leaves it (keep in step with the class).
void IncomingMessage::releaseForPool() noexcept {
    resetEmitter();
    socket_.reset();
    connection_.reset();
    nextIncoming_ = nullptr;
    clearKeeping(head_);
    clearKeeping(trailerBytes_);
    headerFields_.clear();
    trailerFields_.clear();
    // The parsed views exist only once asked for (headers) or with trailers; without fields
    // there is nothing to clear in them.
    if (!rawHeaders_.empty()) {
        rawHeaders_.clear();
        headers_.clear();
    }
    if (!rawTrailers_.empty()) {
        rawTrailers_.clear();
        trailers_.clear();
    }
    headPending_ = false;
    maxHeadersCount_ = 0;
    urlLength_ = 0;
    knownFields_ = 0;
    joinDuplicateHeaders_ = false;
    method_ = {};
    httpVersion_[0] = '1';
    httpVersion_[2] = '1';
    major_ = 1;
    minor_ = 1;
    clearKeeping(buffered_);
    highWaterMark_ = 16384;
    flowing_ = consuming_ = explicitlyPaused_ = flowScheduled_ = false;
    ended_ = endEmitted_ = complete_ = aborted_ = upgrade_ = dumped_ = false;
    destroyed_ = closeEmitted_ = false;
}

void IncomingMessage::reuse(net::Socket* socket) noexcept {
    socket_ = Ref<net::Socket>(socket);
}

std::string_view IncomingMessage::url() const noexcept {
    return {head_.data(), urlLength_};
}

const IncomingHeaders& IncomingMessage::headers() const {
    if (headPending_) addHeaderLines();
    return headers_;
}

const IncomingHeaders& IncomingMessage::trailers() const {
    return trailers_;
}

// Node: _addHeaderLines(headers, n) at headers complete — done when rawHeaders or headers
// are first read (most handlers of a plain GET read neither).
void IncomingMessage::headersComplete(std::uint32_t maxHeadersCount) {
    maxHeadersCount_ = maxHeadersCount;
    headPending_ = true;
}

// The head bytes no longer grow (later fields are trailers), so the views stay valid.
void IncomingMessage::addHeaderLines() const {
    headPending_ = false;
    rawHeaders_.clear();
    rawHeaders_.reserve(headerFields_.size());
    for (const Field& f : headerFields_) {
        rawHeaders_.push_back({std::string_view(head_.data() + f.nameOffset, f.nameLength),
                               std::string_view(head_.data() + f.valueOffset, f.valueLength)});
    }
    headers_.reset(rawHeaders_, {maxHeadersCount_, joinDuplicateHeaders_});
}

// Node: parserOnMessageComplete → _addHeaderLines(trailers, trailers.length).
void IncomingMessage::trailersComplete(std::uint32_t /*maxHeadersCount*/) {
    rawTrailers_.clear();
    rawTrailers_.reserve(trailerFields_.size());
    for (const Field& f : trailerFields_) {
        rawTrailers_.push_back(
            {std::string_view(trailerBytes_.data() + f.nameOffset, f.nameLength),
             std::string_view(trailerBytes_.data() + f.valueOffset, f.valueLength)});
    }
    trailers_.reset(rawTrailers_, {0, joinDuplicateHeaders_});
}

// ---- the readable side (Node: stream.Readable driven by parserOnBody) ----------------------

bool IncomingMessage::push(std::string_view chunk) {
    if (dumped_ || destroyed_) return true;  // Node: parserOnBody skips a dumped stream
    if (flowing_ && buffered_.empty()) {
        Ref<IncomingMessage> self(this);
        emit(kData, chunk);  // zero-copy: the view is valid during the call
        return true;
    }
    buffered_.append(chunk);
    if (flowing_) scheduleFlow();
    return buffered_.size() < highWaterMark_;
}

void IncomingMessage::pushEnd() {
    ended_ = true;
    if (flowing_ && buffered_.empty()) {
        Ref<IncomingMessage> self(this);
        process::nextTick([self] { self->emitEndIfDone(); });
    }
}

void IncomingMessage::onListenerAdded(events::EventId id) {
    // Node: Readable.on('data') resumes unless the stream was explicitly paused.
    if (id == kData.id && !explicitlyPaused_) resume();
}

IncomingMessage& IncomingMessage::resume() {
    explicitlyPaused_ = false;
    consuming_ = true;
    if (!flowing_) {
        flowing_ = true;
        scheduleFlow();
    }
    return *this;
}

IncomingMessage& IncomingMessage::pause() {
    explicitlyPaused_ = true;
    flowing_ = false;
    return *this;
}

void IncomingMessage::scheduleFlow() {
    if (flowScheduled_) return;
    flowScheduled_ = true;
    Ref<IncomingMessage> self(this);
    process::nextTick([self] { self->flow(); });
}

// Node: resume_ → flow: hand out what was buffered, then ask the socket for more (_read).
void IncomingMessage::flow() {
    flowScheduled_ = false;
    if (destroyed_) return;
    while (flowing_ && !buffered_.empty()) {
        std::string chunk;
        chunk.swap(buffered_);
        if (!dumped_) emit(kData, std::string_view(chunk));
        if (buffered_.empty()) {
            chunk.clear();
            buffered_.swap(chunk);  // keep the capacity
        }
    }
    if (!flowing_) return;
    if (connection_ != nullptr && !ended_) connection_->readStart();
    emitEndIfDone();
}

void IncomingMessage::emitEndIfDone() {
    if (!ended_ || endEmitted_ || !flowing_ || !buffered_.empty() || destroyed_) return;
    endEmitted_ = true;
    Ref<IncomingMessage> self(this);
    emit(kEnd);
    destroyImpl(nullptr);  // Node: autoDestroy after 'end'
}

// Node: _dump — nobody will read this body; discard it and keep the socket flowing.
bool IncomingMessage::dump(bool deferFlow) {
    if (dumped_) return false;
    dumped_ = true;
    removeAllListeners(kData);
    buffered_.clear();
    // A request still receiving its body goes on to readStart() after resume()'s tick.
    const bool defer = deferFlow && ended_ && !flowing_ && !flowScheduled_;
    if (defer) {
        explicitlyPaused_ = false;
        consuming_ = true;
        flowing_ = true;
        flowScheduled_ = true;  // as scheduleFlow(): the caller's tick runs flow()
    } else {
        resume();
    }
    if (connection_ != nullptr && !ended_) connection_->readStart();
    return defer;
}

IncomingMessage& IncomingMessage::setTimeout(std::uint64_t ms) {
    if (connection_ != nullptr) connection_->setSocketTimeout(ms);
    return *this;
}

void IncomingMessage::destroy() {
    destroyImpl(nullptr);
}

void IncomingMessage::destroy(const Error& error) {
    destroyImpl(&error);
}

// Node: IncomingMessage._destroy — 'aborted' unless fully read, the socket goes too, then
// 'error' (only with a listener) and 'close' on the next tick.
void IncomingMessage::destroyImpl(const Error* error) {
    if (destroyed_) return;
    destroyed_ = true;
    Ref<IncomingMessage> self(this);
    if (!endEmitted_ || !complete_) {
        aborted_ = true;
        emit(kAborted);
    }
    if (aborted_ && connection_ != nullptr) connection_->destroySocket(error);
    // Node: emitErrorCloseNT. Without an error the closure fits a tick's inline storage.
    if (error != nullptr) {
        process::nextTick([self, err = *error] {
            if (self->listenerCount(events::kError) > 0) self->emit(events::kError, err);
            self->emitCloseOnce();
        });
    } else {
        process::nextTick([self] { self->emitCloseOnce(); });
    }
}

void IncomingMessage::emitCloseOnce() {
    if (closeEmitted_) return;
    closeEmitted_ = true;
    emit(kClose);
    // 'close' is the last event: release the listeners, which may hold Refs to this request
    // or its response (a cycle without a GC to collect it).
    removeAllListeners();
}

}  // namespace nodecc::http
