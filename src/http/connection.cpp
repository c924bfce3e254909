#include "connection.hpp"

#include <cassert>
#include <limits>

#include "connections_list.hpp"
#include "message_pool.hpp"
#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/diagnostics.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/parser_pool.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/uncaught.hpp"
#include "usdt.hpp"

namespace nodecc::http::detail {

namespace {
// Node: HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER.
constexpr std::uint64_t kKeepAliveTimeoutBuffer = 1000;
// Node's native parser hands header fields to JavaScript in batches of 31
// (kMaxHeaderFieldsCount = 32); a batch is kept while fewer than maxHeaderPairs
// strings are held. This reproduces rawHeaders' 1023-field cap (ECHO.md §3.1).
constexpr std::uint32_t kFieldBatch = 31;

// Node: _http_common.js `parsers`, a FreeList of 1000 — one per loop here, and each parser
// travels with a connection's MessageState: the two are taken and given back together.
// Owning pointers, the room for all of them reserved: giving one back cannot throw.
struct StatePool final : ::nodecc::detail::LoopExtension {
    static constexpr std::size_t kLoopSlot = ::nodecc::detail::kHttpPoolsSlot;
    static constexpr std::size_t kMaxStates = ParserFreeList::kDefaultMax;
    explicit StatePool(Loop& /*loop*/) { states.reserve(kMaxStates); }
    StatePool(const StatePool&) = delete;
    StatePool& operator=(const StatePool&) = delete;
    ~StatePool() override {
        for (Connection::MessageState* state : states) delete state;
    }
    std::vector<Connection::MessageState*> states;
};

StatePool& statePool() {
    return Loop::current().extension<StatePool>();
}

// An exception thrown by user code in a parser callback, rethrown when execute() returns
// (no user code runs in between, so one slot per thread serves every connection).
thread_local std::exception_ptr pendingException;

}  // namespace

// Node: connectionListenerInternal (seed 3-2-4-1).
Connection::Connection(Server& server, net::Socket& socket) : server_(&server), socket_(&socket) {
    retain();  // alive while the socket is consumed (finish() lets go)
    alive_ = true;
    if (server.timeout > 0)
        socket.setTimeout(static_cast<std::uint32_t>(server.timeout));  // 3-2-4-1-3
    // 3-2-4-1-4: a parser, initialized for a request stream with the server's limits.
    // 3-2-4-1-4-2/3: parsers.alloc() + initialize — taken with the MessageState (state()),
    // and given back with it whenever the connection is between requests.
    if (server.maxHeadersCount) maxHeaderPairs_ = *server.maxHeadersCount << 1;
    // Node: parser.initialize(..., server[kConnections]) — tracked from accept on.
    server.connections_->add(*this, Loop::current().now());
    // 3-2-4-1-6/8: consume the socket: its bytes go to the parser, not to 'data'.
    socket.consume(this);
    paused_ = false;
}

Connection::~Connection() {
    delete state_;  // idle states went back to the pool already
}

Connection::MessageState& Connection::state() {
    if (state_ != nullptr) return *state_;
    return takeState();
}

Connection::MessageState& Connection::takeState() {
    std::vector<MessageState*>& free = statePool().states;
    if (free.empty()) {
        state_ = new MessageState;
    } else {
        state_ = free.back();
        free.pop_back();
    }
    // Node: parsers.alloc() + parser.initialize(...) (a pooled state keeps its parser).
    if (!state_->parser) state_->parser = std::make_unique<Parser>();
    state_->parser->initialize(this, parserOptions());
    // Node: a batch of 31 fields is kept while _headers.length < maxHeaderPairs, i.e.
    // 2·31·⌊n/31⌋ < pairs, i.e. n < 31·⌈pairs/62⌉ (pairs 0: no limit).
    const std::uint64_t batches =
        (std::uint64_t{maxHeaderPairs_} + 2 * kFieldBatch - 1) / (2 * kFieldBatch);
    state_->acceptedFields = maxHeaderPairs_ == 0
                                 ? std::numeric_limits<std::uint32_t>::max()
                                 : static_cast<std::uint32_t>(kFieldBatch * batches);
    return *state_;
}

// Between messages a connection keeps nothing of them: an idle keep-alive connection is
// the Connection alone. Its parser goes back with the state unless it holds something of
// a message (or is executing, or paused for back-pressure): freed (freeParser), it is idle.
void Connection::releaseStateUnlessBusy() noexcept {
    if (inActive && messageStarted) return;
    if (!parserFreed_ && (executing_ || paused_ || !state_->parser->atMessageBoundary())) return;
    if (inActive) server_->connections_->leaveActive(*this);  // its `active` links are here
    MessageState* state = std::exchange(state_, nullptr);
    std::vector<MessageState*>& free = statePool().states;
    if (free.size() < StatePool::kMaxStates) {
        free.push_back(state);
    } else {
        delete state;
    }
}

ParserOptions Connection::parserOptions() const noexcept {
    ParserOptions options =
        server_->options().insecureHTTPParser ? ParserOptions::insecure() : ParserOptions{};
    options.maxHeaderSize = server_->options().maxHeaderSize;
    return options;
}

// ---- the socket, as the responses use it -----------------------------------------------------

// Node: socket.writable — not destroyed and end() not called.
bool Connection::socketWritable() const noexcept {
    return !closed_ && !socket_->destroyed() && !socket_->writableEnded();
}
bool Connection::socketReadable() const noexcept {
    return !closed_ && !socket_->destroyed() && !socket_->readableEnded();
}
bool Connection::socketDestroyed() const noexcept {
    return closed_ || socket_->destroyed();
}
bool Connection::socketHadError() const noexcept {
    return hadError_;
}
std::size_t Connection::socketWritableLength() const noexcept {
    return closed_ ? 0 : socket_->writableLength();
}
bool Connection::socketCorked() const noexcept {
    return corks_ > 0;
}

bool Connection::write(std::span<const std::string_view> pieces, const Buffer* keep,
                       WriteCallback callback) {
    if (keep != nullptr) return socket_->writev(pieces, *keep, std::move(callback));
    return socket_->writev(pieces, std::move(callback));
}

void Connection::writeOwned(std::string&& data, WriteCallback callback) {
    socket_->write(std::move(data), std::move(callback));
}

void Connection::cork() {
    ++corks_;
    socket_->cork();
}
void Connection::uncorkSocket() {
    if (corks_ == 0) return;
    --corks_;
    socket_->uncork();
}
void Connection::uncorkFully() {
    while (corks_ > 0) uncorkSocket();
}
void Connection::setSocketTimeout(std::uint64_t ms) {
    socket_->setTimeout(static_cast<std::uint32_t>(ms));
}

void Connection::destroySocket(const Error* error) {
    if (error != nullptr) {
        socket_->destroy(*error);
    } else {
        socket_->destroy();
    }
}

// Node: readStart — unless the connection paused itself for back-pressure.
void Connection::readStart() {
    if (!paused_ && socketReadable()) socket_->resume();
}
void Connection::readStop() {
    if (!closed_) socket_->pause();
}

HeadContext Connection::headContext(DateCache& dates) const {
    HeadContext ctx;
    ctx.date = dates.utcDate();
    ctx.keepAliveTimeoutMs = server_->keepAliveTimeout;
    ctx.maxRequestsPerSocket = server_->maxRequestsPerSocket;
    ctx.uniqueHeaders = &server_->uniqueHeaders_;
    return ctx;
}

HeadContext Connection::defaultContext(DateCache& dates) {
    HeadContext ctx;
    ctx.date = dates.utcDate();
    return ctx;
}

// ---- back-pressure (Node: updateOutgoingData, socketOnDrain; NODE-BEHAVIOUR §3.3) -----------

void Connection::updateOutgoingData(std::int64_t delta) {
    state().outgoingData += delta;
    onSocketDrain(*socket_);
}

void Connection::onSocketDrain(net::Socket& /*socket*/) {
    const std::int64_t outgoingData = state_ != nullptr ? state_->outgoingData : 0;
    const bool needPause =
        outgoingData > static_cast<std::int64_t>(socket_->writableHighWaterMark());
    if (paused_ && !needPause && !closed_) {
        paused_ = false;
        if (Parser* parser = this->parser()) parser->resume();
        socket_->resume();
    }
    ServerResponse* owner = this->owner();
    if (owner != nullptr && !owner->finished_ && owner->needDrain_) {
        owner->needDrain_ = false;
        Ref<ServerResponse> msg(owner);
        msg->emit(kDrain);
    }
}

// ---- reading (Node: socketOnData → parser.execute → onParserExecuteCommon) -------------------

void Connection::onSocketData(net::Socket& socket, std::string_view data) {
    if (parserFreed_) return;
    // Node: a socket with 'data' listeners is read by socketOnData, its timeout restarted by
    // the read (onStreamRead); a consumed one by onParserExecute, after the parser ran.
    const bool consumed = socket.listenerCount(net::Socket::kData) == 0;
    Parser& parser = *state().parser;
    Ref<Connection> keep(this);
    executing_ = true;
    // Responses written while this read is parsed (a pipelined burst) leave in one write.
    socket_->beginWriteBatch();
    const ExecuteResult result = parser.execute(data);
    executing_ = false;
    socket_->endWriteBatch(closesAfterBatch());
    if (freePending_) {
        freePending_ = false;
        freeParser();
    }
    rethrowPending();
    if (!parserFreed_) {
        if (consumed) socket.refreshTimeout();
        onParserExecuteCommon(result, data);
    }
    releaseStateIfIdle();
}

void Connection::rethrowPending() {
    if (pendingException) {
        // Node: an exception in a parser callback propagates out of execute
        // ('uncaughtException'); the parser stays in its error state.
        std::exception_ptr e = std::move(pendingException);
        pendingException = nullptr;
        std::rethrow_exception(e);
    }
}

void Connection::onParserExecuteCommon(ExecuteResult result, std::string_view data) {
    MessageState& ms = *state_;
    if (isParseError(result.error)) {
        // Node: prepareError — code, "Parse Error: <reason>", bytesParsed, rawPacket.
        Error err(std::string(errorCode(result.error)),
                  "Parse Error: " + std::string(ms.parser->errorReason()));
        err.setParseDetails(std::string(ms.parser->errorReason()),
                            static_cast<std::int64_t>(result.consumed), std::string(data));
        socketOnError(err);
    } else if (ms.current && ms.current->upgrade_) {
        // Upgrade or CONNECT: the socket leaves HTTP with the bytes after the head.
        Ref<IncomingMessage> req = std::move(ms.current);
        Ref<net::Socket> socket = socket_;
        const bool isConnect = req->method() == "CONNECT";
        socket->unconsume();
        freeParser();
        req->connection_ = nullptr;
        if (ms.owner != nullptr || !ms.incoming.empty() || !ms.outgoing.empty()) {
            // Earlier pipelined requests are still being answered. No longer the socket's
            // consumer, the connection would never hear of its close, and the pending
            // messages (which reference it) would outlive everything: close them with the
            // socket, as socketOnClose does (Node relies on its GC here).
            socket->once(net::Socket::kClose, [keep = Ref<Connection>(this)](bool hadError) {
                keep->onSocketClose(keep->socket(), hadError);
            });
        }
        finish();
        const std::string_view head = data.substr(std::min(result.consumed, data.size()));
        if (!isConnect) {
            server_->emit(kUpgrade, *req, *socket, head);
        } else if (server_->listenerCount(kConnect) > 0) {
            server_->emit(kConnect, *req, *socket, head);
        } else {
            socket->destroy();  // Node: CONNECT without a listener
        }
        return;
    } else if (result.error == ParserError::PausedUpgrade && parser() != nullptr) {
        // An Upgrade request handled as a normal request (no 'upgrade' listener):
        // Node resumes after the upgrade pause and drops the rest of this read.
        ms.parser->resumeAfterUpgrade();
    }
    if (paused_ && parser() != nullptr) ms.parser->pause();  // Node: onParserExecuteCommon's pause
}

// Node: socketOnError (NODE-BEHAVIOUR §2.1).
void Connection::socketOnError(const Error& error) {
    if (errorHandled_) return;
    errorHandled_ = true;
    Ref<Connection> keep(this);
    Ref<net::Socket> socket = socket_;
    if (!server_->emit(kClientError, error, *socket)) {
        if (socketWritable() && (owner() == nullptr || !owner()->headerSent_)) {
            socket->write(clientErrorResponse(error.code()));
        }
        socket->destroy(error);
    }
}

void Connection::onSocketError(net::Socket& /*socket*/, const Error& error) {
    hadError_ = true;
    socketOnError(error);
}

void Connection::onRequestTimeout() {
    socketOnError(Error("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout"));
}

// Node: socketOnEnd.
void Connection::onSocketEnd(net::Socket& /*socket*/) {
    Ref<Connection> keep(this);
    Parser* parser = this->parser();
    const ParserError err = parser != nullptr ? parser->finish() : ParserError::Ok;
    pendingException = nullptr;  // one from a final onMessageComplete is dropped, as ever
    if (isParseError(err)) {
        // Node: parser.finish() builds its error in C++: message "Parse Error", bytesParsed 0,
        // no rawPacket (prepareError only runs for execute()).
        Error e(std::string(errorCode(err)), "Parse Error");
        e.setParseDetails(std::string(parser->errorReason()), 0, std::string());
        socketOnError(e);
    } else if (!server_->httpAllowHalfOpen) {
        socket_->end();
    } else if (state_ != nullptr && !state_->outgoing.empty()) {
        state_->outgoing.back()->head_.last = true;
    } else if (owner() != nullptr) {
        owner()->head_.last = true;
    } else {
        socket_->end();
    }
}

// Node: socketOnTimeout.
void Connection::onSocketTimeout(net::Socket& /*socket*/) {
    Ref<Connection> keep(this);
    Ref<net::Socket> socket = socket_;
    bool handled = false;
    if (state_ != nullptr && state_->current && !state_->current->complete_) {
        Ref<IncomingMessage> req = state_->current;
        handled = req->emit(kTimeout, *socket) || handled;
    }
    if (owner() != nullptr) {
        Ref<ServerResponse> res(owner());
        handled = res->emit(kTimeout, *socket) || handled;
    }
    handled = server_->emit(kTimeout, *socket) || handled;
    if (!handled) socket->destroy();
}

// Node: socketOnClose → freeParser, abortIncoming; and each response's 'close'.
void Connection::onSocketClose(net::Socket& /*socket*/, bool hadError) {
    Ref<Connection> keep(this);
    hadError_ = hadError_ || hadError;
    closed_ = true;
    freeParser();
    abortIncoming();
    closeResponses();
    releaseStateIfIdle();
    finish();
}

void Connection::abortIncoming() {
    if (state_ == nullptr) return;
    const auto reset = [] { return Error("ECONNRESET", "aborted"); };  // built when needed
    if (state_->current) {
        Ref<IncomingMessage> req = std::move(state_->current);
        if (!req->complete_) req->destroy(reset());
        req->connection_ = nullptr;
    }
    while (state_ != nullptr && !state_->incoming.empty()) {
        Ref<IncomingMessage> req = state_->incoming.shift();
        req->destroy(reset());
        req->connection_ = nullptr;
    }
}

// Node: onServerResponseClose for the owner; queued responses are closed too (Node main).
void Connection::closeResponses() {
    const auto close = [](ServerResponse& res) {
        res.connection_ = nullptr;
        res.emitClose();
    };
    if (state_ == nullptr) return;
    if (ServerResponse* owner = std::exchange(state_->owner, nullptr)) {
        Ref<ServerResponse> res(owner);
        owner->release();
        close(*res);
    }
    while (state_ != nullptr && !state_->outgoing.empty()) {
        Ref<ServerResponse> res = state_->outgoing.shift();
        close(*res);
    }
}

// Node: freeParser — back to the pool (unless it is executing: then right after).
void Connection::freeParser() {
    if (executing_) {
        freePending_ = true;
        return;
    }
    if (!parserFreed_) {
        parserFreed_ = true;  // the parser stays in the state, initialized again when taken
        server_->connections_->remove(*this);
    }
}

void Connection::finish() {
    if (!alive_) return;
    alive_ = false;
    release();
}

// ---- parsing (Node: _http_common.js parserOnHeaders / parserOnHeadersComplete / …) ----------

template <class F>
ParserAction Connection::guarded(F&& f) {
    try {
        return f();
    } catch (...) {
        pendingException = std::current_exception();
        state_->parser->setUserError("exception in a callback");
        return ParserAction::Error;
    }
}

ParserAction Connection::onMessageBegin() {
    server_->connections_->messageBegin(*this, Loop::current().now());
    return guarded([&] {
        const ServerOptions& opts = server_->options();
        Ref<IncomingMessage>& current = state_->current;
        current = opts.incomingMessage
                      ? opts.incomingMessage(socket_.get())
                      : Ref<IncomingMessage>(MessagePool<IncomingMessage>::make(socket_.get()));
        current->connection_ = Ref<Connection>(this);
        current->joinDuplicateHeaders_ = opts.joinDuplicateHeaders;
        current->highWaterMark_ = opts.highWaterMark;
        current->field_ = {};
        return ParserAction::Continue;
    });
}

ParserAction Connection::onUrl(std::string_view piece, bool /*complete*/) {
    state_->current->head_.append(piece);
    state_->current->urlLength_ += static_cast<std::uint32_t>(piece.size());
    return ParserAction::Continue;
}

bool Connection::fieldAccepted() const noexcept {
    return state_->current->field_.sectionFields < state_->acceptedFields;
}

void Connection::beginField(nodecc::detail::ByteString& dest) {
    IncomingMessage::FieldInProgress& f = state_->current->field_;
    f.nameOffset = static_cast<std::uint32_t>(dest.size());
    f.nameLength = 0;
    f.inName = true;
}

void Connection::endField(nodecc::detail::ByteString& dest) {
    IncomingMessage::FieldInProgress& f = state_->current->field_;
    const bool trailers = state_->parser->inTrailers();
    std::string_view value(dest.data() + f.valueOffset, dest.size() - f.valueOffset);
    value = trimTrailingWhitespace(value);
    dest.truncate(f.valueOffset + value.size());
    if (fieldAccepted()) {
        const IncomingMessage::Field field{f.nameOffset, f.nameLength, f.valueOffset,
                                           static_cast<std::uint32_t>(value.size())};
        IncomingMessage& req = *state_->current;
        if (trailers) {
            req.trailerFields_.push_back(field);
        } else {
            req.headerFields_.push_back(field);
            req.knownFields_ |= knownFieldOf({dest.data() + f.nameOffset, f.nameLength});
        }
    } else {
        dest.truncate(f.nameOffset);
    }
    ++f.sectionFields;
    f.inName = f.inValue = false;
}

ParserAction Connection::onHeaderField(std::string_view piece, bool complete) {
    nodecc::detail::ByteString& dest =
        state_->parser->inTrailers() ? state_->current->trailerBytes_ : state_->current->head_;
    IncomingMessage::FieldInProgress& f = state_->current->field_;
    if (!f.inName) beginField(dest);
    dest.append(piece);
    f.nameLength += static_cast<std::uint32_t>(piece.size());
    if (complete) {
        f.inName = false;
        f.inValue = true;
        f.valueOffset = static_cast<std::uint32_t>(dest.size());
    }
    return ParserAction::Continue;
}

ParserAction Connection::onHeaderValue(std::string_view piece, bool complete) {
    nodecc::detail::ByteString& dest =
        state_->parser->inTrailers() ? state_->current->trailerBytes_ : state_->current->head_;
    IncomingMessage::FieldInProgress& f = state_->current->field_;
    if (!f.inValue) {
        // A field whose name came whole in an earlier call.
        f.inValue = true;
        f.valueOffset = static_cast<std::uint32_t>(dest.size());
    }
    dest.append(piece);
    if (complete) endField(dest);
    return ParserAction::Continue;
}

ParserAction Connection::onHeader(std::string_view name, std::string_view value) {
    IncomingMessage& req = *state_->current;
    const bool trailers = state_->parser->inTrailers();
    nodecc::detail::ByteString& dest = trailers ? req.trailerBytes_ : req.head_;
    if (fieldAccepted()) {
        const auto nameOffset = static_cast<std::uint32_t>(dest.size());
        dest.append(name);
        const auto valueOffset = static_cast<std::uint32_t>(dest.size());
        dest.append(value);
        const IncomingMessage::Field f{nameOffset, static_cast<std::uint32_t>(name.size()),
                                       valueOffset, static_cast<std::uint32_t>(value.size())};
        if (trailers) {
            req.trailerFields_.push_back(f);
        } else {
            req.headerFields_.push_back(f);
            req.knownFields_ |= knownFieldOf(name);
        }
    }
    ++req.field_.sectionFields;
    return ParserAction::Continue;
}

// Node: parserOnHeadersComplete (seed 4-1): the IncomingMessage gets its head, then
// parser.onIncoming = parserOnIncoming.
HeadersAction Connection::onHeadersComplete(const Parser& parser) {
    server_->connections_->headersComplete(*this);
    IncomingMessage& req = *state_->current;
    req.method_ = parser.methodName();
    req.major_ = parser.httpMajor();
    req.minor_ = parser.httpMinor();
    // One digit each: the parser's grammar (HTTP-version = "HTTP/" DIGIT "." DIGIT).
    req.httpVersion_[0] = static_cast<char>('0' + req.major_);
    req.httpVersion_[2] = static_cast<char>('0' + req.minor_);
    req.upgrade_ = parser.upgrade();
    req.headersComplete(maxHeaderPairs_ / 2);
    req.field_.sectionFields = 0;
    const bool keepAlive = parser.shouldKeepAlive();
    HeadersAction action = HeadersAction::Continue;
    const ParserAction guard = guarded([&] {
        action = parserOnIncoming(req, keepAlive);
        return ParserAction::Continue;
    });
    return guard == ParserAction::Error ? HeadersAction::Error : action;
}

// Node: parserOnIncoming (seed 4-1-4).
HeadersAction Connection::parserOnIncoming(IncomingMessage& reqRef, bool keepAlive) {
    Ref<IncomingMessage> req(&reqRef);
    resetSocketTimeout();
    if (req->upgrade_) {
        req->upgrade_ = req->method() == "CONNECT" || server_->listenerCount(kUpgrade) > 0;
        if (req->upgrade_) return HeadersAction::Upgrade;
    }
    state_->incoming.push(req.get());
    // Node: stop reading while the responses are not being consumed (pipeline flood).
    if (!paused_ &&
        (socket_->writableNeedDrain() ||
         state_->outgoingData >= static_cast<std::int64_t>(socket_->writableHighWaterMark()))) {
        paused_ = true;
        socket_->pause();
    }
    const ServerOptions& opts = server_->options();
    Ref<ServerResponse> res =
        opts.serverResponse
            ? opts.serverResponse(*req)
            : Ref<ServerResponse>(MessagePool<ServerResponse>::make(
                  *req, socket_->writableHighWaterMark(), opts.rejectNonStandardBodyWrites));
    res->connection_ = Ref<Connection>(this);
    res->head_.shouldKeepAlive = keepAlive;  // Node: res.shouldKeepAlive = keepAlive
    // 4-1-4-4: Node's onRequestStartChannel (formerly DTRACE_HTTP_SERVER_REQUEST).
    if (diagnostics::detail::hasSubscribers) {
        diagnostics::detail::publish(diagnostics::RequestStart{*req, *res, *socket_, *server_});
    }
    NODECC_USDT_HTTP_SERVER_REQUEST(*req);
    if (state_->owner != nullptr) {
        // Behind responses that have all handed their bytes to the socket, this one may
        // write at once (Node buffers it until it owns the socket; the bytes on the wire
        // are the same, in the same order).
        ServerResponse* tail = state_->outgoing.empty() ? state_->owner : state_->outgoing.back();
        if ((tail == state_->owner || tail->direct_) && tail->finished_ && !tail->head_.last) {
            res->direct_ = true;
        }
        state_->outgoing.push(res.get());
    } else {
        assignSocket(*res);
    }

    bool handled = false;
    if (req->httpVersionMajor() == 1 && req->httpVersionMinor() == 1) {
        // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400.
        if (opts.requireHostHeader && (req->knownFields_ & kHostField) == 0) {
            const HeaderField close[] = {{"Connection", "close"}};
            res->writeHead(400, std::string_view(), close);
            res->end();
            return HeadersAction::Continue;
        }
        const bool limitSet = server_->maxRequestsPerSocket > 0;
        if (limitSet) {
            ++requestsCount_;
            res->head_.maxRequestsOnConnectionReached =
                server_->maxRequestsPerSocket <= requestsCount_;
        }
        if (limitSet && server_->maxRequestsPerSocket < requestsCount_) {
            handled = true;
            server_->emit(kDropRequest, *req, *socket_);
            res->writeHead(503);
            res->end();
        } else if (const auto* expect = (req->knownFields_ & kExpectField) != 0
                                            ? req->headers().get("expect")
                                            : nullptr) {
            handled = true;
            if (isContinue(expect->value())) {
                res->head_.expectContinue = true;
                if (server_->listenerCount(kCheckContinue) > 0) {
                    server_->emit(kCheckContinue, *req, *res);
                } else {
                    res->writeContinue();
                    server_->emit(kRequest, *req, *res);
                }
            } else if (server_->listenerCount(kCheckExpectation) > 0) {
                server_->emit(kCheckExpectation, *req, *res);
            } else {
                res->writeHead(417);
                res->end();
            }
        }
    }
    if (!handled) server_->emit(kRequest, *req, *res);
    return HeadersAction::Continue;
}

void Connection::resetSocketTimeout() {
    if (!keepAliveTimeoutSet_) return;
    socket_->setTimeout(static_cast<std::uint32_t>(server_->timeout));
    keepAliveTimeoutSet_ = false;
}

// Node: parserOnBody — push into the request; a full buffer stops the socket.
ParserAction Connection::onBody(std::string_view data) {
    if (!state_->current) return ParserAction::Continue;
    return guarded([&] {
        if (!state_->current->push(data)) readStop();
        return ParserAction::Continue;
    });
}

// Node: parserOnMessageComplete.
ParserAction Connection::onMessageComplete() {
    server_->connections_->messageComplete(*this);
    return guarded([&] {
        if (state_->current) {
            // An upgrade stays parser.incoming: onParserExecuteCommon hands it over.
            Ref<IncomingMessage> req =
                state_->current->upgrade_ ? state_->current : std::move(state_->current);
            req->complete_ = true;
            if (!req->trailerFields_.empty()) req->trailersComplete(0);
            req->pushEnd();
            if (req->nextIncoming_ == nullptr && state_->incoming.back() != req.get()) {
                req->connection_ = nullptr;  // already answered: nothing left to do here
            }
        }
        readStart();  // Node: force reading the next message
        return ParserAction::Continue;
    });
}

// ---- responses (Node: assignSocket / detachSocket / resOnFinish) ----------------------------

void Connection::assignSocket(ServerResponse& res) {
    state_->owner = &res;
    res.retain();
    res.flush();
}

void Connection::flushQueuedBehind(ServerResponse& res) {
    Ref<Connection> keep;  // taken once there is something to flush
    ServerResponse* cur = &res;
    for (;;) {
        ServerResponse* next = cur == owner() ? state_->outgoing.front() : cur->nextOutgoing_;
        if (next == nullptr || next->direct_ || cur->head_.last || !socketWritable()) return;
        if (!keep) keep = Ref<Connection>(this);
        next->direct_ = true;
        Ref<ServerResponse> hold(next);
        next->flushOutput();
        if (!next->finished_) return;
        cur = next;
    }
}

void Connection::detachSocket(ServerResponse& res) {
    if (owner() == &res) {
        state_->owner = nullptr;
        res.release();
    }
}

namespace {
// Whether the end of an exchange can no longer be seen: no listener on either object, and no
// reference to them but the ones the caller counts (a user's Ref could add listeners or
// read their flags later). The request is complete and nothing of its body is left.
bool exchangeUnobserved(const IncomingMessage& req, std::uint32_t reqRefs,
                        const ServerResponse& res, std::uint32_t resRefs) noexcept {
    return res.refCount() == resRefs && req.refCount() == reqRefs && !res.hasListeners() &&
           !req.hasListeners();
}
}  // namespace

// What the rest of an unobserved exchange would leave: the request dumped, ended, destroyed
// and closed, the response closed (Node: resume_, endReadableNT, emitCloseNT twice). Its
// ticks are not run but take their async ids, so that later resources keep theirs.
void Connection::endUnobserved(IncomingMessage& req, ServerResponse& res, int ticks) noexcept {
    req.dumped_ = req.consuming_ = req.flowing_ = true;
    req.explicitlyPaused_ = req.flowScheduled_ = false;
    req.endEmitted_ = req.destroyed_ = req.closeEmitted_ = true;
    res.destroyed_ = res.closed_ = true;
    for (int i = 0; i < ticks; ++i) newAsyncId();
}

// The tick of a finished exchange whose complete request resOnFinish dumped: the request's
// resume_ (flow → 'end' → destroy, whose emitCloseNT is a tick of its own), then the
// response's emitCloseNT. Unobserved by then, it only leaves their state.
void Connection::closeExchange(ServerResponse& res, AsyncId flowId, AsyncId flowTrigger) {
    IncomingMessage& req = res.req();
    // res: this tick's reference; req: res.req_'s.
    if (exchangeUnobserved(req, 1, res, 1) && !res.closed_ && res.outputCallbacks_.empty() &&
        req.flowScheduled_ && req.flowing_ && req.ended_ && req.complete_ && !req.endEmitted_ &&
        !req.destroyed_ && req.buffered_.empty()) {
        endUnobserved(req, res, 1);
        return;
    }
    const auto saved = nodecc::detail::enterAsyncContext(flowId, flowTrigger);
    try {
        req.flow();
    } catch (...) {
        // As between two ticks: 'uncaughtException', then the next one runs.
        nodecc::detail::restoreAsyncContext(saved);
        process::triggerUncaughtException(std::current_exception());
        res.emitClose();
        return;
    }
    nodecc::detail::restoreAsyncContext(saved);
    res.emitClose();
}

// Node: resOnFinish (seed 4-2).
void Connection::resOnFinish(ServerResponse& resRef) {
    // Only the response that owns the socket finishes (the others wait in `outgoing`, and
    // the socket's close closes them); one ahead of its turn leaves the queues alone.
    if (owner() != &resRef) return;
    MessageState& ms = *state_;
    // The write callback that emits 'finish' holds res until it returns.
    ServerResponse* const res = &resRef;
    Ref<Connection> keep(this);
    // Node: onResponseFinishChannel.
    if (diagnostics::detail::hasSubscribers) {
        diagnostics::detail::publish(
            diagnostics::ResponseFinish{res->req(), *res, *socket_, *server_});
    }
    NODECC_USDT_HTTP_SERVER_RESPONSE(res->req(), *res);
    Ref<IncomingMessage> req;
    if (!ms.incoming.empty() && ms.incoming.front() == &res->req()) req = ms.incoming.shift();
    // References to res here: the socket owner's and the write callback's (its FinishChain's).
    constexpr std::uint32_t kFinishRefs = 2;
    assert(res->refCount() >= kFinishRefs);
    bool unobserved = false;
    bool flowDeferred = false;
    if (req) {
        // req: ours and res.req_. Node dumps the body nobody read (then the request ends
        // and closes, each on a tick) so that the next request can be parsed; nobody can see
        // that of a complete request that no one holds or listens to.
        unobserved = !req->consuming_ && !req->dumped_ && !req->flowing_ && !req->flowScheduled_ &&
                     req->ended_ && req->complete_ && !req->endEmitted_ && !req->destroyed_ &&
                     req->buffered_.empty() && !res->closed_ && res->outputCallbacks_.empty() &&
                     exchangeUnobserved(*req, 2, *res, kFinishRefs);
        if (!unobserved && !req->consuming_) flowDeferred = req->dump(true);
        if (req->complete_) req->connection_ = nullptr;
    }
    detachSocket(*res);
    res->connection_ = nullptr;
    if (unobserved) {
        endUnobserved(*req, *res, 3);
    } else if (flowDeferred) {
        // Node: _dump()'s resume() queued resume_, then nextTick(emitCloseNT, res): two ticks
        // back to back, which one tick runs in turn, each in its own async context.
        const AsyncId flowId = newAsyncId();
        const AsyncId flowTrigger = defaultTriggerAsyncId();
        process::nextTick([res = Ref<ServerResponse>(res), flowId, flowTrigger] {
            closeExchange(*res, flowId, flowTrigger);
        });
    } else {
        // Node: nextTick(emitCloseNT, res)
        process::nextTick([res = Ref<ServerResponse>(res)] { res->emitClose(); });
    }
    if (closed_) return;
    if (res->head_.last) {
        socket_->destroySoon();
    } else if (ms.outgoing.empty()) {
        if (server_->keepAliveTimeout > 0) {
            // Node: the socket outlives the advertised timeout by a second (LB races).
            socket_->setTimeout(
                static_cast<std::uint32_t>(server_->keepAliveTimeout + kKeepAliveTimeoutBuffer));
            keepAliveTimeoutSet_ = true;
        }
    } else {
        // assignSocket, with the queue's reference to the response kept as the owner's.
        ServerResponse* next = ms.outgoing.shiftHeld();
        ms.owner = next;
        Ref<ServerResponse> hold(next);
        next->flush();
        return;  // the next response owns the socket: the state stays
    }
    releaseStateIfIdle();
}

}  // namespace nodecc::http::detail
