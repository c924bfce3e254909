#include "nodecc/http/server_response.hpp"
#include "connection.hpp"
#include "message_pool.hpp"
#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/status_codes.hpp"

namespace nodecc::http {

namespace {
// Read through req.headers (Node joins repeated TE fields), built only if there is one. Out of
// line (HTTP/1.0 only): initHead stays small.
[[gnu::noinline]] bool teChunked(const IncomingMessage& req) {
    auto te = detail::hasRawField(req, "te") ? req.headers().get("te") : nullptr;
    return te != nullptr && isChunked(te->value());
}
}  // namespace

// Inlined into reuse(), on every request's dispatch (out of line it costs more in its call
// than in its work).
[[gnu::always_inline]] inline void ServerResponse::initHead() {
    const IncomingMessage& req = *req_;
    RequestFacts facts;
    facts.isHead = req.method() == "HEAD";
    facts.httpVersionMajor = req.httpVersionMajor();
    facts.httpVersionMinor = req.httpVersionMinor();
    facts.shouldKeepAlive = true;
    if (facts.httpVersionMajor < 1 || facts.httpVersionMinor < 1) [[unlikely]] {
        facts.teChunked = teChunked(req);
    }
    head_.reset(facts);
}

// Node: new ServerResponse(req, options) — HEAD has no body; HTTP < 1.1 is chunked only
// with `TE: chunked` (parserOnIncoming then sets shouldKeepAlive from the parser).
ServerResponse::ServerResponse(IncomingMessage& req, std::size_t highWaterMark,
                               bool rejectNonStandardBodyWrites)
    : OutgoingMessage(highWaterMark, rejectNonStandardBodyWrites), req_(&req) {
    initHead();
}

ServerResponse::~ServerResponse() = default;

void ServerResponse::lastReferenceReleased() noexcept {
    if (pooled_) {
        detail::MessagePool<ServerResponse>::recycle(this);
    } else {
        delete this;
    }
}

// Every member of ServerResponse and OutgoingMessage, as the constructors leave them (keep in
// step with the classes); head_ is reset by initHead() on reuse.
void ServerResponse::releaseForPool() noexcept {
    resetEmitter();
    // OutgoingMessage
    sendDate = true;
    strictContentLength = false;
    headers_.clear();
    headBytes_.clear();
    headOut_ = nullptr;
    connection_.reset();
    output_.clear();
    if (output_.capacity() > kKeptOutputCapacity) output_.shrink_to_fit();
    outputShares_.clear();
    outputSharedBytes_ = 0;
    outputCallbacks_.clear();
    trailer_.clear();
    bytesWritten_ = 0;
    corked_ = 0;
    headerSent_ = finished_ = finishEmitted_ = needDrain_ = destroyed_ = closed_ = false;
    direct_ = false;
    // ServerResponse
    statusCode = 200;
    statusMessage.clear();
    req_.reset();
    nextOutgoing_ = nullptr;
    nextFinish_ = nullptr;
}

void ServerResponse::reuse(IncomingMessage& req, std::size_t highWaterMark,
                           bool rejectNonStandardBodyWrites) {
    highWaterMark_ = highWaterMark;
    rejectNonStandardBodyWrites_ = rejectNonStandardBodyWrites;
    req_ = Ref<IncomingMessage>(&req);
    initHead();
}

void ServerResponse::implicitHeader() {
    writeHeadImpl(statusCode, std::nullopt, {});
}

ServerResponse& ServerResponse::writeHead(int code) {
    return writeHeadImpl(code, std::nullopt, {});
}

ServerResponse& ServerResponse::writeHead(int code, std::string_view message) {
    return writeHeadImpl(code, message, {});
}

ServerResponse& ServerResponse::writeHead(int code, std::initializer_list<HeaderField> fields) {
    return writeHeadImpl(code, std::nullopt,
                         std::span<const HeaderField>(fields.begin(), fields.size()));
}

ServerResponse& ServerResponse::writeHead(int code, std::string_view message,
                                          std::span<const HeaderField> fields) {
    return writeHeadImpl(code, message, fields);
}

// Node: _http_server.js writeHead → _storeHeader.
ServerResponse& ServerResponse::writeHeadImpl(int code, std::optional<std::string_view> message,
                                              std::span<const HeaderField> fields) {
    if (head_.headersSent) {
        throw Error("ERR_HTTP_HEADERS_SENT",
                    "Cannot write headers after they are sent to the client");
    }
    if (message) {
        statusMessage.assign(*message);
    }
    head_.sendDate = sendDate;
    // One lookup of this loop's DateCache: the date and the lines made from it.
    DateCache& dates = DateCache::forLoop(Loop::current());
    HeadContext ctx = connection_ != nullptr ? connection_->headContext(dates)
                                             : detail::Connection::defaultContext(dates);
    ctx.keepAliveLines = dates.keepAliveLines(ctx.keepAliveTimeoutMs, ctx.maxRequestsPerSocket);
    if (headOut_ == nullptr) headBytes_.clear();
    head_.writeHead(
        code, statusMessage.empty() ? std::nullopt : std::optional<std::string_view>(statusMessage),
        headers_, fields, ctx, headOut_ != nullptr ? *headOut_ : headBytes_);
    statusCode = head_.statusCode;
    if (statusMessage.empty()) {
        // Usually "OK": a short text is stored a character at a time, inline (append() and
        // assign() are calls into the library); "OK" as constants (a loop reloads the
        // string's fields after each character it stores).
        if (head_.statusMessage == "OK") {
            statusMessage.push_back('O');
            statusMessage.push_back('K');
        } else if (head_.statusMessage.size() <= 4) {
            for (char c : head_.statusMessage) statusMessage.push_back(c);
        } else {
            statusMessage.append(head_.statusMessage);
        }
    }
    // (A head built in the write batch leaves with the body, in the same write.)
    if (head_.flushHeadNow && headOut_ == nullptr) send(std::span<const std::string_view>(), {});
    return *this;
}

void ServerResponse::writeContinue(WriteCallback callback) {
    const std::string_view pieces[] = {kContinueResponse};
    writeRaw(pieces, std::move(callback));
    head_.sent100 = true;
}

void ServerResponse::writeProcessing(WriteCallback callback) {
    const std::string_view pieces[] = {kProcessingResponse};
    writeRaw(pieces, std::move(callback));
}

// Node: writeEarlyHints(hints[, cb]) — nothing is sent without a non-empty `link`.
void ServerResponse::writeEarlyHints(std::span<const HeaderField> hints, WriteCallback callback) {
    std::string_view link;
    for (const auto& h : hints) {
        if (h.name == "link") link = h.value;
    }
    if (link.empty()) return;
    if (checkInvalidHeaderChar(link)) {
        throw Error("ERR_INVALID_ARG_VALUE", "The argument 'hints' is invalid.");
    }
    std::string head = "HTTP/1.1 103 Early Hints\r\nLink: ";
    head.append(link).append("\r\n");
    for (const auto& h : hints) {
        if (h.name == "link") continue;
        validateHeaderName(h.name);
        if (checkInvalidHeaderChar(h.value)) {
            throw Error("ERR_INVALID_CHAR",
                        "Invalid character in header content [\"" + std::string(h.name) + "\"]");
        }
        head.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    head.append("\r\n");
    const std::string_view pieces[] = {head};
    writeRaw(pieces, std::move(callback));
}

}  // namespace nodecc::http
