#include "connection.hpp"

#include "connections_list.hpp"
#include "message_pool.hpp"
#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/diagnostics.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/parser_pool.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "usdt.hpp"

namespace nodecc::http::detail {

namespace {
// Node: HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER.
constexpr std::uint64_t kKeepAliveTimeoutBuffer = 1000;
// Node's native parser hands header fields to JavaScript in batches of 31
// (kMaxHeaderFieldsCount = 32); a batch is kept while fewer than maxHeaderPairs
// strings are held. This reproduces rawHeaders' 1023-field cap (ECHO.md §3.1).
constexpr std::uint32_t kFieldBatch = 31;

// Node: _http_common.js `parsers`, a FreeList of 1000 — one per loop here.
struct ParserPool final : ::nodecc::detail::LoopExtension {
    explicit ParserPool(Loop& /*loop*/) {}
    ParserFreeList parsers;
};

ParserFreeList& parserPool() {
    return Loop::current().extension<ParserPool>().parsers;
}

// Whether the request has a field of that (lowercase) name: a scan of the raw fields, so
// that req.headers is only built when someone reads it.
bool hasRawField(const IncomingMessage& req, std::string_view lowerName) noexcept {
    for (const HeaderField& f : req.rawHeaders()) {
        if (equalsIgnoreCase(f.name, lowerName)) return true;
    }
    return false;
}
}  // namespace

// Node: connectionListenerInternal (seed 3-2-4-1).
Connection::Connection(Server& server, net::Socket& socket)
    : server_(&server), socket_(&socket), self_(this) {
    if (server.timeout > 0)
        socket.setTimeout(static_cast<std::uint32_t>(server.timeout));  // 3-2-4-1-3
    // 3-2-4-1-4: a parser, initialized for a request stream with the server's limits.
    // 3-2-4-1-4-2/3: parsers.alloc() + initialize — taken when the first bytes arrive
    // (unparkParser), and given back whenever the connection is between requests.
    if (server.maxHeadersCount) maxHeaderPairs_ = *server.maxHeadersCount << 1;
    // Node: parser.initialize(..., server[kConnections]) — tracked from accept on.
    server.connections_->add(*this, Loop::current().now());
    // 3-2-4-1-6/8: consume the socket: its bytes go to the parser, not to 'data'.
    socket.consume(this);
    paused_ = false;
}

Connection::~Connection() = default;

ParserOptions Connection::parserOptions() const noexcept {
    ParserOptions options =
        server_->options().insecureHTTPParser ? ParserOptions::insecure() : ParserOptions{};
    options.maxHeaderSize = server_->options().maxHeaderSize;
    return options;
}

void Connection::parkParser() {
    if (parser_ && !executing_ && !paused_ && !current_ && parser_->atMessageBoundary()) {
        parserPool().free(std::move(parser_));
    }
}

void Connection::unparkParser() {
    if (parser_ || parserFreed_) return;
    parser_ = parserPool().alloc();
    parser_->initialize(this, parserOptions());
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

HeadContext Connection::headContext() const {
    HeadContext ctx;
    ctx.date = DateCache::forLoop(Loop::current()).utcDate();
    ctx.keepAliveTimeoutMs = server_->keepAliveTimeout;
    ctx.maxRequestsPerSocket = server_->maxRequestsPerSocket;
    ctx.uniqueHeaders = &server_->uniqueHeaders_;
    return ctx;
}

HeadContext Connection::defaultContext() {
    HeadContext ctx;
    ctx.date = DateCache::forLoop(Loop::current()).utcDate();
    return ctx;
}

// ---- back-pressure (Node: updateOutgoingData, socketOnDrain; NODE-BEHAVIOUR §3.3) -----------

void Connection::updateOutgoingData(std::int64_t delta) {
    outgoingData_ += delta;
    onSocketDrain(*socket_);
}

void Connection::onSocketDrain(net::Socket& /*socket*/) {
    const bool needPause =
        outgoingData_ > static_cast<std::int64_t>(socket_->writableHighWaterMark());
    if (paused_ && !needPause && !closed_) {
        paused_ = false;
        if (parser_) parser_->resume();
        socket_->resume();
    }
    if (owner_ != nullptr && !owner_->finished_ && owner_->needDrain_) {
        owner_->needDrain_ = false;
        Ref<ServerResponse> msg(owner_);
        msg->emit(kDrain);
    }
}

// ---- reading (Node: socketOnData → parser.execute → onParserExecuteCommon) -------------------

void Connection::onSocketData(net::Socket& /*socket*/, std::string_view data) {
    if (parserFreed_) return;
    unparkParser();
    Ref<Connection> keep(this);
    executing_ = true;
    // Responses written while this read is parsed (a pipelined burst) leave in one write.
    socket_->beginWriteBatch();
    const ExecuteResult result = parser_->execute(data);
    executing_ = false;
    socket_->endWriteBatch();
    if (freePending_) {
        freePending_ = false;
        freeParser();
    }
    rethrowPending();
    if (parser_) onParserExecuteCommon(result, data);
    parkParser();
}

void Connection::rethrowPending() {
    if (pendingException_) {
        // Node: an exception in a parser callback propagates out of execute
        // ('uncaughtException'); the parser stays in its error state.
        std::exception_ptr e = std::move(pendingException_);
        pendingException_ = nullptr;
        std::rethrow_exception(e);
    }
}

void Connection::onParserExecuteCommon(ExecuteResult result, std::string_view data) {
    if (isParseError(result.error)) {
        // Node: prepareError — code, "Parse Error: <reason>", bytesParsed, rawPacket.
        Error err(std::string(errorCode(result.error)),
                  "Parse Error: " + std::string(parser_->errorReason()));
        err.setParseDetails(std::string(parser_->errorReason()),
                            static_cast<std::int64_t>(result.consumed), std::string(data));
        socketOnError(err);
    } else if (current_ && current_->upgrade_) {
        // Upgrade or CONNECT: the socket leaves HTTP with the bytes after the head.
        Ref<IncomingMessage> req = std::move(current_);
        Ref<net::Socket> socket = socket_;
        const bool isConnect = req->method() == "CONNECT";
        socket->unconsume();
        freeParser();
        req->connection_ = nullptr;
        if (owner_ != nullptr || !incoming_.empty() || !outgoing_.empty()) {
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
    } else if (result.error == ParserError::PausedUpgrade && parser_) {
        // An Upgrade request handled as a normal request (no 'upgrade' listener):
        // Node resumes after the upgrade pause and drops the rest of this read.
        parser_->resumeAfterUpgrade();
    }
    if (paused_ && parser_) parser_->pause();  // Node: onParserExecuteCommon's pause
}

// Node: socketOnError (NODE-BEHAVIOUR §2.1).
void Connection::socketOnError(const Error& error) {
    if (errorHandled_) return;
    errorHandled_ = true;
    Ref<Connection> keep(this);
    Ref<net::Socket> socket = socket_;
    if (!server_->emit(kClientError, error, *socket)) {
        if (socketWritable() && (owner_ == nullptr || !owner_->headerSent_)) {
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
    const ParserError err = parser_ ? parser_->finish() : ParserError::Ok;
    if (isParseError(err)) {
        // Node: parser.finish() builds its error in C++: message "Parse Error", bytesParsed 0,
        // no rawPacket (prepareError only runs for execute()).
        Error e(std::string(errorCode(err)), "Parse Error");
        e.setParseDetails(std::string(parser_->errorReason()), 0, std::string());
        socketOnError(e);
    } else if (!server_->httpAllowHalfOpen) {
        socket_->end();
    } else if (!outgoing_.empty()) {
        outgoing_.back()->head_.last = true;
    } else if (owner_ != nullptr) {
        owner_->head_.last = true;
    } else {
        socket_->end();
    }
}

// Node: socketOnTimeout.
void Connection::onSocketTimeout(net::Socket& /*socket*/) {
    Ref<Connection> keep(this);
    Ref<net::Socket> socket = socket_;
    bool handled = false;
    if (current_ && !current_->complete_) handled = current_->emit(kTimeout, *socket) || handled;
    if (owner_ != nullptr) {
        Ref<ServerResponse> res(owner_);
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
    finish();
}

void Connection::abortIncoming() {
    const Error reset = Error("ECONNRESET", "aborted");
    if (current_) {
        Ref<IncomingMessage> req = std::move(current_);
        if (!req->complete_) req->destroy(reset);
        req->connection_ = nullptr;
    }
    while (!incoming_.empty()) {
        Ref<IncomingMessage> req = incoming_.shift();
        req->destroy(reset);
        req->connection_ = nullptr;
    }
}

// Node: onServerResponseClose for the owner; queued responses are closed too (Node main).
void Connection::closeResponses() {
    const auto close = [](ServerResponse& res) {
        res.connection_ = nullptr;
        res.emitClose();
    };
    if (owner_ != nullptr) {
        Ref<ServerResponse> res(owner_);
        owner_->release();
        owner_ = nullptr;
        close(*res);
    }
    while (!outgoing_.empty()) {
        Ref<ServerResponse> res = outgoing_.shift();
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
        parserFreed_ = true;
        if (parser_) parserPool().free(std::move(parser_));
        server_->connections_->remove(*this);
    }
}

void Connection::finish() {
    self_.reset();
}

// ---- parsing (Node: _http_common.js parserOnHeaders / parserOnHeadersComplete / …) ----------

template <class F>
ParserAction Connection::guarded(F&& f) {
    try {
        return f();
    } catch (...) {
        pendingException_ = std::current_exception();
        parser_->setUserError("exception in a callback");
        return ParserAction::Error;
    }
}

ParserAction Connection::onMessageBegin() {
    server_->connections_->messageBegin(*this, Loop::current().now());
    return guarded([&] {
        const ServerOptions& opts = server_->options();
        current_ = opts.incomingMessage
                       ? opts.incomingMessage(socket_.get())
                       : Ref<IncomingMessage>(MessagePool<IncomingMessage>::make(socket_.get()));
        current_->connection_ = Ref<Connection>(this);
        current_->joinDuplicateHeaders_ = opts.joinDuplicateHeaders;
        current_->highWaterMark_ = opts.highWaterMark;
        sectionFields_ = 0;
        inFieldName_ = inFieldValue_ = false;
        return ParserAction::Continue;
    });
}

ParserAction Connection::onUrl(std::string_view piece, bool /*complete*/) {
    current_->head_.append(piece);
    current_->urlLength_ += static_cast<std::uint32_t>(piece.size());
    return ParserAction::Continue;
}

bool Connection::fieldAccepted() const noexcept {
    // Node: a batch of 31 fields is kept while _headers.length < maxHeaderPairs.
    return maxHeaderPairs_ == 0 ||
           2 * kFieldBatch * (sectionFields_ / kFieldBatch) < maxHeaderPairs_;
}

void Connection::beginField(std::string& dest) {
    fieldNameOffset_ = static_cast<std::uint32_t>(dest.size());
    fieldNameLength_ = 0;
    inFieldName_ = true;
}

void Connection::endField(std::string& dest) {
    const bool trailers = parser_->inTrailers();
    std::string_view value(dest.data() + fieldValueOffset_, dest.size() - fieldValueOffset_);
    value = trimTrailingWhitespace(value);
    dest.resize(fieldValueOffset_ + value.size());
    if (fieldAccepted()) {
        const IncomingMessage::Field f{fieldNameOffset_, fieldNameLength_, fieldValueOffset_,
                                       static_cast<std::uint32_t>(value.size())};
        (trailers ? current_->trailerFields_ : current_->headerFields_).push_back(f);
    } else {
        dest.resize(fieldNameOffset_);
    }
    ++sectionFields_;
    inFieldName_ = inFieldValue_ = false;
}

ParserAction Connection::onHeaderField(std::string_view piece, bool complete) {
    std::string& dest = parser_->inTrailers() ? current_->trailerBytes_ : current_->head_;
    if (!inFieldName_) beginField(dest);
    dest.append(piece);
    fieldNameLength_ += static_cast<std::uint32_t>(piece.size());
    if (complete) {
        inFieldName_ = false;
        inFieldValue_ = true;
        fieldValueOffset_ = static_cast<std::uint32_t>(dest.size());
    }
    return ParserAction::Continue;
}

ParserAction Connection::onHeaderValue(std::string_view piece, bool complete) {
    std::string& dest = parser_->inTrailers() ? current_->trailerBytes_ : current_->head_;
    if (!inFieldValue_) {
        // A field whose name came whole in an earlier call.
        inFieldValue_ = true;
        fieldValueOffset_ = static_cast<std::uint32_t>(dest.size());
    }
    dest.append(piece);
    if (complete) endField(dest);
    return ParserAction::Continue;
}

ParserAction Connection::onHeader(std::string_view name, std::string_view value) {
    std::string& dest = parser_->inTrailers() ? current_->trailerBytes_ : current_->head_;
    if (fieldAccepted()) {
        const auto nameOffset = static_cast<std::uint32_t>(dest.size());
        dest.append(name);
        const auto valueOffset = static_cast<std::uint32_t>(dest.size());
        dest.append(value);
        const IncomingMessage::Field f{nameOffset, static_cast<std::uint32_t>(name.size()),
                                       valueOffset, static_cast<std::uint32_t>(value.size())};
        (parser_->inTrailers() ? current_->trailerFields_ : current_->headerFields_).push_back(f);
    }
    ++sectionFields_;
    return ParserAction::Continue;
}

// Node: parserOnHeadersComplete (seed 4-1): the IncomingMessage gets its head, then
// parser.onIncoming = parserOnIncoming.
HeadersAction Connection::onHeadersComplete(const Parser& parser) {
    server_->connections_->headersComplete(*this);
    IncomingMessage& req = *current_;
    req.method_ = parser.methodName();
    req.major_ = parser.httpMajor();
    req.minor_ = parser.httpMinor();
    req.httpVersion_[0] = static_cast<char>('0' + req.major_ % 10);
    req.httpVersion_[2] = static_cast<char>('0' + req.minor_ % 10);
    req.upgrade_ = parser.upgrade();
    req.headersComplete(maxHeaderPairs_ / 2);
    sectionFields_ = 0;
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
    incoming_.push(req.get());
    // Node: stop reading while the responses are not being consumed (pipeline flood).
    if (!paused_ &&
        (socket_->writableNeedDrain() ||
         outgoingData_ >= static_cast<std::int64_t>(socket_->writableHighWaterMark()))) {
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
    if (owner_ != nullptr) {
        // Behind responses that have all handed their bytes to the socket, this one may
        // write at once (Node buffers it until it owns the socket; the bytes on the wire
        // are the same, in the same order).
        ServerResponse* tail = outgoing_.empty() ? owner_ : outgoing_.back();
        if ((tail == owner_ || tail->direct_) && tail->finished_ && !tail->head_.last) {
            res->direct_ = true;
        }
        outgoing_.push(res.get());
    } else {
        assignSocket(*res);
    }

    bool handled = false;
    if (req->httpVersionMajor() == 1 && req->httpVersionMinor() == 1) {
        // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400.
        if (opts.requireHostHeader && !hasRawField(*req, "host")) {
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
        } else if (const auto* expect =
                       hasRawField(*req, "expect") ? req->headers().get("expect") : nullptr) {
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
    if (!current_) return ParserAction::Continue;
    return guarded([&] {
        if (!current_->push(data)) readStop();
        return ParserAction::Continue;
    });
}

// Node: parserOnMessageComplete.
ParserAction Connection::onMessageComplete() {
    server_->connections_->messageComplete(*this);
    return guarded([&] {
        if (current_) {
            // An upgrade stays parser.incoming: onParserExecuteCommon hands it over.
            Ref<IncomingMessage> req = current_->upgrade_ ? current_ : std::move(current_);
            req->complete_ = true;
            if (!req->trailerFields_.empty()) req->trailersComplete(0);
            req->pushEnd();
            if (req->nextIncoming_ == nullptr && incoming_.back() != req.get()) {
                req->connection_ = nullptr;  // already answered: nothing left to do here
            }
        }
        readStart();  // Node: force reading the next message
        return ParserAction::Continue;
    });
}

// ---- responses (Node: assignSocket / detachSocket / resOnFinish) ----------------------------

void Connection::assignSocket(ServerResponse& res) {
    owner_ = &res;
    res.retain();
    res.flush();
}

void Connection::responseEnded(ServerResponse& res) {
    Ref<Connection> keep(this);
    ServerResponse* cur = &res;
    while (!cur->head_.last && socketWritable()) {
        ServerResponse* next = cur == owner_ ? outgoing_.front() : cur->nextOutgoing_;
        if (next == nullptr || next->direct_) return;
        next->direct_ = true;
        Ref<ServerResponse> hold(next);
        next->flushOutput();
        if (!next->finished_) return;
        cur = next;
    }
}

void Connection::detachSocket(ServerResponse& res) {
    if (owner_ == &res) {
        owner_ = nullptr;
        res.release();
    }
}

// Node: resOnFinish (seed 4-2).
void Connection::resOnFinish(ServerResponse& resRef) {
    // Only the response that owns the socket finishes (the others wait in outgoing_, and
    // the socket's close closes them); one ahead of its turn leaves the queues alone.
    if (owner_ != &resRef) return;
    Ref<ServerResponse> res(&resRef);
    Ref<Connection> keep(this);
    // Node: onResponseFinishChannel.
    if (diagnostics::detail::hasSubscribers) {
        diagnostics::detail::publish(
            diagnostics::ResponseFinish{res->req(), *res, *socket_, *server_});
    }
    NODECC_USDT_HTTP_SERVER_RESPONSE(res->req(), *res);
    Ref<IncomingMessage> req;
    if (!incoming_.empty() && incoming_.front() == &res->req()) req = incoming_.shift();
    if (req) {
        // Node: the body nobody read is dumped so the next request can be parsed.
        if (!req->consuming_) req->dump();
        if (req->complete_) req->connection_ = nullptr;
    }
    detachSocket(*res);
    res->connection_ = nullptr;
    process::nextTick([res] { res->emitClose(); });  // Node: nextTick(emitCloseNT, res)
    if (closed_) return;
    if (res->head_.last) {
        socket_->destroySoon();
    } else if (outgoing_.empty()) {
        if (server_->keepAliveTimeout > 0) {
            // Node: the socket outlives the advertised timeout by a second (LB races).
            socket_->setTimeout(
                static_cast<std::uint32_t>(server_->keepAliveTimeout + kKeepAliveTimeoutBuffer));
            keepAliveTimeoutSet_ = true;
        }
    } else {
        Ref<ServerResponse> next = outgoing_.shift();
        assignSocket(*next);
    }
}

}  // namespace nodecc::http::detail
