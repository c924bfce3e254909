// The request state machine. Its states and error reasons follow llhttp 9.3
// (llhttp src/llhttp/http.ts, url.ts, src/native/http.c) so that Node's
// `err.code` / `err.reason` come out the same; nodecc's RFC 9112 choices are
// marked `rfcStrict` and listed in docs/CONFORMANCE.md.
//
// Hot path: each state consumes a run of bytes in a tight loop (table scans,
// SSE2 for header values); a header line that is whole in the buffer becomes
// one onHeader() call. Tokens that reach the end of the buffer are flushed as
// pieces (flushPieces) and continue from the start of the next buffer.
#include "nodecc/http/parser.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "http/parser_tables.hpp"

namespace nodecc::http {

enum class Parser::State : std::uint8_t {
    Start,
    StartLf,
    Method,
    SpacesBeforeUrl,
    UrlStart,
    UrlSchema,
    UrlSchemaSlashes,
    UrlServer,
    UrlPath,
    UrlQuery,
    UrlFragment,
    UrlAsterisk,
    Url09Lf,
    HttpStart,
    Protocol,
    VersionMajor,
    VersionDot,
    VersionMinor,
    VersionEnd,
    VersionLf,
    PriPreface,
    HeadersStart,
    FieldStart,
    Field,
    FieldColonWs,
    ValueDiscardWs,
    ValueDiscardWsLf,
    ValueDiscardLws,
    Value,
    ValueLf,
    ValueLws,
    HeadersLf,
    BodyIdentity,
    BodyEof,
    ChunkSizeStart,
    ChunkSize,
    ChunkExtStart,
    ChunkExtName,
    ChunkExtValue,
    ChunkExtQuoted,
    ChunkExtQuotedPair,
    ChunkExtQuotedDone,
    ChunkSizeLf,
    ChunkData,
    ChunkDataCr,
    ChunkDataLf,
    Closed,
    // States that consume nothing (they run even at the end of the input); keep them last.
    HeadersDone,
    ChunkComplete,
    MessageDone,
    UpgradeCheck,
    Cleanup,
    Dead,
};

ParserAction ParserHandler::onHeader(std::string_view name, std::string_view value) {
    const ParserAction field = onHeaderField(name, true);
    if (field == ParserAction::Error) return field;
    const ParserAction valueAction = onHeaderValue(value, true);
    if (valueAction != ParserAction::Continue) return valueAction;
    return field;
}

namespace {

using detail::in;
using State = Parser::State;

// Which special header a field is (llhttp HEADER_STATE).
enum HeaderKind : std::uint8_t {
    kGeneral = 0,
    kConnection = 1,
    kContentLength = 2,
    kTransferEncoding = 3,
    kUpgrade = 4,
};

struct SpecialName {
    std::string_view lower;
    HeaderKind kind;
};
constexpr SpecialName kSpecialNames[] = {
    {"connection", kConnection},
    {"content-length", kContentLength},
    {"proxy-connection", kConnection},
    {"transfer-encoding", kTransferEncoding},
    {"upgrade", kUpgrade},
};
constexpr std::uint8_t kAllSpecialNames = 0x1f;

// Token chars never contain CR, so OR-ing 0x20 folds exactly the ASCII letters here.
inline bool equalsLower(const char* data, std::string_view lower) {
    for (std::size_t i = 0; i < lower.size(); ++i) {
        if ((static_cast<unsigned char>(data[i]) | 0x20) != static_cast<unsigned char>(lower[i])) {
            return false;
        }
    }
    return true;
}

inline HeaderKind kindOfName(const char* name, std::size_t length) {
    switch (length) {
        case 7:
            return equalsLower(name, "upgrade") ? kUpgrade : kGeneral;
        case 10:
            return equalsLower(name, "connection") ? kConnection : kGeneral;
        case 14:
            return equalsLower(name, "content-length") ? kContentLength : kGeneral;
        case 16:
            return equalsLower(name, "proxy-connection") ? kConnection : kGeneral;
        case 17:
            return equalsLower(name, "transfer-encoding") ? kTransferEncoding : kGeneral;
        default:
            return kGeneral;
    }
}

// Sub-states of the special header-value machines (Parser::subState_).
enum ValueMachine : std::uint8_t {
    kValueGeneral = 0,
    kClDigits,
    kClWs,
    kTeChunked,  // + position in "chunked" kept in the low bits of subState_ via kTeChunkedBase
    kTeChunkedLast,
    kTeToken,
    kTeTokenOws,
    kConnStart,
    kConnToken,
    kConnWs,
    kConnLiteral,  // matching close / upgrade / keep-alive
};
constexpr std::uint8_t kMachineMask = 0x0f;
constexpr std::uint8_t kPositionShift = 4;  // literal position in the high bits

// Connection tokens, applied to the flags when the value ends (llhttp setHeaderFlags).
enum PendingFlag : std::uint8_t {
    kPendingNone = 0,
    kPendingKeepAlive = 1,
    kPendingClose = 2,
    kPendingUpgrade = 3,
    kPendingChunked = 4,
    kPendingReset = 5,  // llhttp resetHeaderState inside a Connection value: no token pending
};
constexpr std::string_view kConnLiterals[] = {"", "keep-alive", "close", "upgrade"};

constexpr std::string_view kChunked = "chunked";
constexpr std::string_view kPriPreface = "\r\n\r\nSM\r\n\r\n";
constexpr std::string_view kProtocols[] = {"HTTP/", "RTSP/", "ICE/"};

inline bool isRequestLineMethodChar(char c) {
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// First byte at or after p that is not a header value char (RFC 9110 field-vchar, SP, HTAB).
inline const char* findValueEnd(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8(0x09);
    const __m128i del = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        __m128i v;
        std::memcpy(&v, p, sizeof v);
        // Signed compares: bytes >= 0x80 are negative and valid (obs-text).
        const __m128i control = _mm_andnot_si128(_mm_cmplt_epi8(v, zero), _mm_cmplt_epi8(v, space));
        const __m128i bad =
            _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, tab), control), _mm_cmpeq_epi8(v, del));
        const int mask = _mm_movemask_epi8(bad);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (p < end && in(detail::kHeaderValue, *p)) ++p;
    return p;
}

inline const char* scanTable(const detail::CharTable& table, const char* p, const char* end) {
    while (p < end && in(table, *p)) ++p;
    return p;
}

}  // namespace

// The per-execute() view of the parser: the buffer, the current token's start
// in it, and a header name waiting for its value to form one onHeader() call.
struct ParserMachine {
    Parser& s;
    const char* const begin;
    const char* const end;
    const char* mark = nullptr;      // start of the current token in this buffer
    const char* valueEnd = nullptr;  // end of a header value whose CR/LF was seen
    std::string_view pendingName{};  // whole field name in this buffer, not yet delivered
    bool hasPendingName = false;

    ParserMachine(Parser& parser, std::string_view data)
        : s(parser), begin(data.data()), end(data.data() + data.size()) {}

    ExecuteResult run();

    // ---- results ----
    ExecuteResult fail(const char* p, ParserError code, const char* reason) {
        s.error_ = code;
        s.reason_ = reason;
        s.state_ = State::Dead;
        return {static_cast<std::size_t>(p - begin), code};
    }
    ExecuteResult stopped(const char* p) const {
        return {static_cast<std::size_t>(p - begin), s.error_};
    }
    // A callback's verdict; false means stop (s.error_ is set).
    bool verdict(ParserAction action, ParserError callbackError, const char* pauseReason,
                 const char* errorReason) {
        if (action == ParserAction::Continue) return true;
        if (action == ParserAction::Pause) {
            s.error_ = ParserError::Paused;
            s.reason_ = pauseReason;
            return false;
        }
        if (s.userErrorSet_) {
            s.error_ = ParserError::User;
        } else {
            s.error_ = callbackError;
            s.reason_ = errorReason;
        }
        s.state_ = State::Dead;
        return false;
    }

    bool lenient(std::uint16_t flag) const { return (s.options_.lenientFlags & flag) != 0; }
    bool rfc() const { return s.options_.rfcStrict; }

    // Node's TrackHeader: url, names and values count toward maxHeaderSize.
    bool countHeaderBytes(std::size_t n) {
        const std::uint64_t total = static_cast<std::uint64_t>(s.headerBytes_) + n;
        s.headerBytes_ = total > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(total);
        return s.headerBytes_ < s.options_.maxHeaderSize;
    }
    ExecuteResult headerOverflow(const char* p) {
        return fail(p, ParserError::HeaderOverflow, "Header overflow");
    }

    // ---- token pieces ----
    bool emitUrl(const char* from, const char* to, bool complete, const char* p,
                 ExecuteResult& result);
    bool deliverPendingName(ExecuteResult& result, const char* p);
    bool flushPieces(ExecuteResult& result);

    // ---- steps shared by several states ----
    bool messageBegin(const char* p, ExecuteResult& result);
    bool beginUrl(const char* p, ExecuteResult& result);
    bool fieldComplete(const char* nameEnd, const char* p, ExecuteResult& result);
    bool startValue(const char* p, ExecuteResult& result);
    bool runValueMachine(const char*& p, ExecuteResult& result);
    bool valueEnded(const char* p, ExecuteResult& result);
    bool completeValue(const char* p, ExecuteResult& result);
    bool emptyValue(const char* p, ExecuteResult& result);
    bool headersComplete(const char* p, ExecuteResult& result);
    bool afterHeadersComplete(const char* p, ExecuteResult& result);
    bool messageComplete(const char* p, ExecuteResult& result);
    bool afterMessageComplete(const char* p, ExecuteResult& result);
    bool upgradeCheck(const char* p, ExecuteResult& result);
    HeaderKind finalNameKind(const char* pieceEnd) const;
    void updateNameMatch(const char* from, const char* to);
    bool chunkHeader(const char* p, ExecuteResult& result);
    bool chunkExtensionPiece(bool value, const char* from, const char* to, bool complete,
                             const char* p, ExecuteResult& result);
    bool methodDone(const char* p, ExecuteResult& result);
};

// ---------------------------------------------------------------------------
// Parser

Parser::Parser(ParserHandler* handler, ParserOptions options) noexcept {
    initialize(handler, options);
}

void Parser::initialize(ParserHandler* handler, ParserOptions options) noexcept {
    handler_ = handler;
    options_ = options;
    if (options_.maxHeaderSize == 0) options_.maxHeaderSize = kDefaultMaxHeaderSize;
    reinitialize();
}

void Parser::reinitialize() noexcept {
    ParserHandler* const handler = handler_;
    const ParserOptions options = options_;
    *this = Parser(Fresh{});
    handler_ = handler;
    options_ = options;
}

void Parser::pause() noexcept {
    if (error_ == ParserError::Ok) {
        error_ = ParserError::Paused;
        reason_ = "Paused";
    }
}

void Parser::resume() noexcept {
    if (error_ == ParserError::Paused) {
        error_ = ParserError::Ok;
        reason_ = nullptr;
    }
}

void Parser::resumeAfterUpgrade() noexcept {
    if (error_ == ParserError::PausedUpgrade) {
        error_ = ParserError::Ok;
        reason_ = nullptr;
    }
}

void Parser::setUserError(const char* reason) noexcept {
    reason_ = reason;
    userErrorSet_ = true;
}

bool Parser::shouldKeepAlive() const noexcept {
    // llhttp_should_keep_alive; a request never needs EOF to end its body.
    if (httpMajor_ > 0 && httpMinor_ > 0) {
        if ((flags_ & flags::kConnectionClose) != 0) return false;
    } else if ((flags_ & flags::kConnectionKeepAlive) == 0) {
        return false;
    }
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing;
    // the server MUST close the connection after responding.
    if (options_.rfcStrict && httpMajor_ == 1 && httpMinor_ == 0 &&
        (flags_ & flags::kTransferEncoding) != 0) {
        return false;
    }
    return true;
}

ExecuteResult Parser::execute(std::string_view data) noexcept {
    if (error_ != ParserError::Ok) return {0, error_};
    userErrorSet_ = false;
    ParserMachine machine(*this, data);
    return machine.run();
}

ParserError Parser::finish() noexcept {
    if (error_ != ParserError::Ok) return ParserError::Ok;  // llhttp_finish
    if (finishWithCallback_) {
        finishWithCallback_ = false;
        finishUnsafe_ = false;
        const ParserAction action =
            handler_ ? handler_->onMessageComplete() : ParserAction::Continue;
        ++messageCount_;
        if (action == ParserAction::Error) {
            error_ = userErrorSet_ ? ParserError::User : ParserError::CbMessageComplete;
            if (!userErrorSet_) reason_ = "`on_message_complete` callback error";
            state_ = State::Dead;
            return error_;
        }
        return ParserError::Ok;
    }
    if (finishUnsafe_) {
        error_ = ParserError::InvalidEofState;
        reason_ = "Invalid EOF state";
        state_ = State::Dead;
        return error_;
    }
    return ParserError::Ok;
}

}  // namespace nodecc::http

// ---------------------------------------------------------------------------
// The machine

namespace nodecc::http {

namespace {

inline char asciiLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

inline bool isMethodPrefix(std::string_view token) {
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        if (methodName(static_cast<Method>(i)).starts_with(token)) return true;
    }
    return false;
}

inline bool hasMethodAsProperPrefix(std::string_view token) {
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        const std::string_view name = methodName(static_cast<Method>(i));
        if (name.size() < token.size() && token.starts_with(name)) return true;
    }
    return false;
}

inline bool isRtspOnly(Method method) {
    return static_cast<std::uint8_t>(method) >= static_cast<std::uint8_t>(Method::Describe) &&
           method != Method::Query;
}

constexpr const char* kPauseReason = "Paused by callback";

}  // namespace

[[gnu::always_inline]] inline bool ParserMachine::messageBegin(const char* p,
                                                               ExecuteResult& result) {
    s.finishUnsafe_ = true;
    s.finishWithCallback_ = false;
    s.headerBytes_ = 0;  // Node resets header_nread_ per message
    s.headerCount_ = 0;
    s.flags_ = 0;
    s.upgrade_ = false;
    s.declaredLength_ = 0;
    s.remaining_ = 0;
    s.methodLength_ = 0;
    s.state_ = State::Method;
    if (s.handler_ == nullptr) return true;
    if (!verdict(s.handler_->onMessageBegin(), ParserError::CbMessageBegin, kPauseReason,
                 "`on_message_begin` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

bool ParserMachine::methodDone(const char* p, ExecuteResult& result) {
    if (rfc() && !isNodeMethod(s.method_) && s.method_ != Method::Pri) {
        // RFC 9112 §3.1: only HTTP methods; RTSP methods belong to another protocol.
        result = fail(p, ParserError::InvalidMethod, "Invalid method encountered");
        return false;
    }
    s.state_ = State::SpacesBeforeUrl;
    return true;
}

bool ParserMachine::beginUrl(const char* p, ExecuteResult&) {
    mark = p;
    s.tokenLength_ = 0;
    s.subState_ = 0;
    s.state_ = s.method_ == Method::Connect ? State::UrlServer : State::UrlStart;
    return true;
}

[[gnu::always_inline]] inline bool ParserMachine::emitUrl(const char* from, const char* to,
                                                          bool complete, const char* p,
                                                          ExecuteResult& result) {
    const auto n = static_cast<std::size_t>(to - from);
    if (n == 0 && !complete) return true;
    if (!countHeaderBytes(n)) {
        result = headerOverflow(p);
        return false;
    }
    s.tokenLength_ += static_cast<std::uint32_t>(n);
    if (s.handler_ == nullptr) return true;
    if (!verdict(s.handler_->onUrl({from, n}, complete), ParserError::CbUrlComplete, kPauseReason,
                 "`on_url_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

bool ParserMachine::deliverPendingName(ExecuteResult& result, const char* p) {
    if (!hasPendingName) return true;
    hasPendingName = false;
    if (s.handler_ == nullptr) return true;
    if (!verdict(s.handler_->onHeaderField(pendingName, true), ParserError::CbHeaderFieldComplete,
                 kPauseReason, "`on_header_field_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

[[gnu::always_inline]] inline bool ParserMachine::fieldComplete(const char* nameEnd, const char* p,
                                                                ExecuteResult& result) {
    const auto n = static_cast<std::size_t>(nameEnd - mark);
    if (!countHeaderBytes(n)) {
        result = headerOverflow(nameEnd);
        return false;
    }
    ++s.headerCount_;
    if (!lenient(lenient::kChunkedLength)) {
        // RFC 9112 §6.3: a message with both is a smuggling attempt (llhttp 9: an error).
        if (s.headerKind_ == kTransferEncoding && (s.flags_ & flags::kContentLength) != 0) {
            result = fail(nameEnd, ParserError::InvalidTransferEncoding,
                          "Transfer-Encoding can't be present with Content-Length");
            return false;
        }
        if (s.headerKind_ == kContentLength && (s.flags_ & flags::kTransferEncoding) != 0) {
            result = fail(nameEnd, ParserError::InvalidContentLength,
                          "Content-Length can't be present with Transfer-Encoding");
            return false;
        }
    }
    s.state_ = State::ValueDiscardWs;
    if (s.tokenLength_ == 0) {
        pendingName = {mark, n};
        hasPendingName = true;
        mark = nullptr;
        return true;
    }
    const std::string_view last{mark, n};
    mark = nullptr;
    if (s.handler_ == nullptr) return true;
    if (!verdict(s.handler_->onHeaderField(last, true), ParserError::CbHeaderFieldComplete,
                 kPauseReason, "`on_header_field_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

[[gnu::always_inline]] inline bool ParserMachine::startValue(const char* p, ExecuteResult& result) {
    mark = p;
    valueEnd = nullptr;
    s.tokenLength_ = 0;
    s.pendingFlag_ = kPendingNone;
    s.state_ = State::Value;
    switch (s.headerKind_) {
        case kUpgrade:
            s.flags_ |= flags::kUpgrade;
            s.subState_ = kValueGeneral;
            return true;
        case kTransferEncoding:
            // RFC 9112 §6.1: chunked must be the final coding, applied once.
            if ((s.flags_ & flags::kChunked) != 0 && !lenient(lenient::kTransferEncoding)) {
                result = fail(p, ParserError::InvalidTransferEncoding,
                              "Invalid `Transfer-Encoding` header value");
                return false;
            }
            s.flags_ = static_cast<std::uint16_t>((s.flags_ | flags::kTransferEncoding) &
                                                  ~flags::kChunked);
            s.subState_ = kTeChunked;
            return true;
        case kContentLength:
            if ((s.flags_ & flags::kContentLength) != 0) {
                result = fail(p, ParserError::UnexpectedContentLength, "Duplicate Content-Length");
                return false;
            }
            s.declaredLength_ = 0;
            s.subState_ = kClDigits;
            return true;
        case kConnection:
            s.subState_ = kConnStart;
            return true;
        default:
            s.subState_ = kValueGeneral;
            return true;
    }
}

// The Content-Length / Transfer-Encoding / Connection value grammars (llhttp
// header_value_*). Stops at CR/LF, at end of input, or when the value falls
// back to a general value (subState_ = kValueGeneral).
bool ParserMachine::runValueMachine(const char*& p, ExecuteResult& result) {
    while (p < end) {
        const char c = *p;
        const auto position = static_cast<std::uint8_t>(s.subState_ >> kPositionShift);
        switch (s.subState_ & kMachineMask) {
            case kClDigits:
                if (detail::isDigit(static_cast<unsigned char>(c))) {
                    const auto digit = static_cast<std::uint64_t>(c - '0');
                    if (s.declaredLength_ >
                        (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
                        result =
                            fail(p, ParserError::InvalidContentLength, "Content-Length overflow");
                        return false;
                    }
                    s.declaredLength_ = s.declaredLength_ * 10 + digit;
                    ++p;
                    continue;
                }
                s.subState_ = kClWs;
                continue;
            case kClWs:
                if (c == ' ') {  // llhttp 9.3 header_value_content_length_ws: SP only
                    ++p;
                    continue;
                }
                if (c == '\r' || c == '\n') return true;
                result = fail(p, ParserError::InvalidContentLength,
                              "Invalid character in Content-Length");
                return false;
            case kTeChunked:
                if (asciiLower(c) == kChunked[position]) {
                    ++p;
                    s.subState_ = position + 1 == kChunked.size()
                                      ? static_cast<std::uint8_t>(kTeChunkedLast)
                                      : static_cast<std::uint8_t>(
                                            kTeChunked | ((position + 1) << kPositionShift));
                    continue;
                }
                s.subState_ = kTeToken;
                s.flags_ |= flags::kTransferCodingOther;
                continue;
            case kTeChunkedLast:
                if (c == ' ') {
                    ++p;
                    continue;
                }
                if (c == '\r' || c == '\n') return true;
                if (c == ',') {
                    // RFC 9112 §6.1: nothing may follow chunked in a request.
                    if (!lenient(lenient::kTransferEncoding)) {
                        result = fail(p, ParserError::InvalidTransferEncoding,
                                      "Invalid `Transfer-Encoding` header value");
                        return false;
                    }
                    ++p;
                    s.subState_ = kTeTokenOws;
                    continue;
                }
                s.subState_ = kTeToken;
                s.flags_ |= flags::kTransferCodingOther;
                continue;
            case kTeToken:
                if (c == ',') {
                    ++p;
                    s.subState_ = kTeTokenOws;
                    continue;
                }
                if (in(detail::kConnectionToken, c)) {
                    ++p;
                    continue;
                }
                s.subState_ = kValueGeneral;
                return true;
            case kTeTokenOws:
                if (c == ' ' || c == '\t') {
                    ++p;
                    continue;
                }
                s.subState_ = kTeChunked;
                continue;
            case kConnStart: {
                if (c == ' ' || c == '\t') {
                    ++p;
                    continue;
                }
                const char lower = asciiLower(c);
                const std::uint8_t literal = lower == 'k'   ? kPendingKeepAlive
                                             : lower == 'c' ? kPendingClose
                                             : lower == 'u' ? kPendingUpgrade
                                                            : kPendingNone;
                if (literal == kPendingNone) {
                    s.subState_ = kConnToken;
                    continue;
                }
                s.nameMatch_ = literal;
                s.subState_ = static_cast<std::uint8_t>(kConnLiteral | (1 << kPositionShift));
                ++p;
                continue;
            }
            case kConnLiteral: {
                const std::string_view literal = kConnLiterals[s.nameMatch_];
                if (asciiLower(c) == literal[position]) {
                    ++p;
                    if (position + 1u == literal.size()) {
                        s.pendingFlag_ = s.nameMatch_;
                        s.subState_ = kConnWs;
                    } else {
                        s.subState_ = static_cast<std::uint8_t>(kConnLiteral |
                                                                ((position + 1) << kPositionShift));
                    }
                    continue;
                }
                s.subState_ = kConnToken;
                continue;
            }
            case kConnWs:
                if (c == ',') {
                    if (s.pendingFlag_ == kPendingKeepAlive)
                        s.flags_ |= flags::kConnectionKeepAlive;
                    if (s.pendingFlag_ == kPendingClose) s.flags_ |= flags::kConnectionClose;
                    if (s.pendingFlag_ == kPendingUpgrade) s.flags_ |= flags::kConnectionUpgrade;
                    s.pendingFlag_ = kPendingNone;
                    ++p;
                    s.subState_ = kConnStart;
                    continue;
                }
                if (c == ' ') {  // llhttp 9.3 header_value_connection_ws: SP only
                    ++p;
                    continue;
                }
                if (c == '\r' || c == '\n') return true;
                s.pendingFlag_ = kPendingReset;
                s.subState_ = kConnToken;
                continue;
            case kConnToken:
                if (c == ',') {
                    ++p;
                    s.subState_ = kConnStart;
                    continue;
                }
                if (in(detail::kConnectionToken, c)) {
                    ++p;
                    continue;
                }
                s.subState_ = kValueGeneral;
                return true;
            default:
                return true;
        }
    }
    return true;
}

// The value's bytes end at p (a CR or LF): count them, settle Content-Length / chunked.
[[gnu::always_inline]] inline bool ParserMachine::valueEnded(const char* p, ExecuteResult& result) {
    valueEnd = p;
    if (!countHeaderBytes(static_cast<std::size_t>(p - mark))) {
        result = headerOverflow(p);
        return false;
    }
    if (s.headerKind_ == kContentLength) s.flags_ |= flags::kContentLength;
    if (s.headerKind_ == kTransferEncoding && s.subState_ == kTeChunkedLast) {
        s.pendingFlag_ = kPendingChunked;
    }
    return true;
}

bool ParserMachine::completeValue(const char* p, ExecuteResult& result) {
    switch (s.pendingFlag_) {
        case kPendingKeepAlive:
            s.flags_ |= flags::kConnectionKeepAlive;
            break;
        case kPendingClose:
            s.flags_ |= flags::kConnectionClose;
            break;
        case kPendingUpgrade:
            s.flags_ |= flags::kConnectionUpgrade;
            break;
        case kPendingChunked:
            s.flags_ |= flags::kChunked;
            break;
        default:
            break;
    }
    s.pendingFlag_ = kPendingNone;
    std::string_view value;
    if (mark != nullptr && valueEnd != nullptr) {
        value = trimTrailingWhitespace({mark, static_cast<std::size_t>(valueEnd - mark)});
    }
    mark = nullptr;
    valueEnd = nullptr;
    s.state_ = State::FieldStart;
    s.subState_ = 1;
    if (s.handler_ == nullptr) {
        hasPendingName = false;
        return true;
    }
    ParserAction action;
    if (hasPendingName) {
        hasPendingName = false;
        action = s.handler_->onHeader(pendingName, value);
    } else {
        action = s.handler_->onHeaderValue(value, true);
    }
    if (!verdict(action, ParserError::CbHeaderValueComplete, kPauseReason,
                 "`on_header_value_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

bool ParserMachine::emptyValue(const char* p, ExecuteResult& result) {
    if (s.headerKind_ == kContentLength) {
        result = fail(p, ParserError::InvalidContentLength, "Empty Content-Length");
        return false;
    }
    mark = nullptr;
    valueEnd = nullptr;
    s.pendingFlag_ = kPendingNone;
    return completeValue(p, result);
}

bool ParserMachine::headersComplete(const char* p, ExecuteResult& result) {
    // llhttp__before_headers_complete (requests).
    s.upgrade_ =
        ((s.flags_ & flags::kUpgrade) != 0 && (s.flags_ & flags::kConnectionUpgrade) != 0) ||
        s.method_ == Method::Connect;
    s.headerBytes_ = 0;  // Node: header_nread_ = 0 in on_headers_complete
    s.state_ = State::HeadersDone;
    if (s.handler_ == nullptr) return afterHeadersComplete(p, result);
    switch (s.handler_->onHeadersComplete(s)) {
        case HeadersAction::Continue:
            return afterHeadersComplete(p, result);
        case HeadersAction::SkipBody:
            s.flags_ |= flags::kSkipBody;
            return afterHeadersComplete(p, result);
        case HeadersAction::Upgrade:
            s.upgrade_ = true;
            s.flags_ |= flags::kSkipBody;
            return afterHeadersComplete(p, result);
        case HeadersAction::Pause:
            s.error_ = ParserError::Paused;
            s.reason_ = "Paused by on_headers_complete";
            result = stopped(p);
            return false;
        case HeadersAction::Error:
            break;
    }
    if (s.userErrorSet_) {
        result = fail(p, ParserError::User, s.reason_);
    } else {
        result = fail(p, ParserError::CbHeadersComplete, "User callback error");
    }
    return false;
}

// llhttp__after_headers_complete for requests.
bool ParserMachine::afterHeadersComplete(const char* p, ExecuteResult& result) {
    const bool chunked = (s.flags_ & flags::kChunked) != 0;
    const bool hasBody = chunked || s.declaredLength_ > 0;
    const bool skipBody = (s.flags_ & flags::kSkipBody) != 0;
    if ((s.upgrade_ && (s.method_ == Method::Connect || skipBody || !hasBody)) || skipBody) {
        s.state_ = State::MessageDone;
    } else if (chunked) {
        s.state_ = State::ChunkSizeStart;
    } else if ((s.flags_ & flags::kTransferEncoding) != 0) {
        // RFC 9112 §6.3: TE without chunked last in a request → 400.
        if (!lenient(lenient::kChunkedLength) && !lenient(lenient::kTransferEncoding)) {
            result = fail(p, ParserError::InvalidTransferEncoding,
                          "Request has invalid `Transfer-Encoding`");
            return false;
        }
        s.finishWithCallback_ = true;
        s.state_ = State::BodyEof;
    } else if ((s.flags_ & flags::kContentLength) == 0 || s.declaredLength_ == 0) {
        s.state_ = State::MessageDone;
    } else {
        s.remaining_ = s.declaredLength_;
        s.state_ = State::BodyIdentity;
    }
    if (s.state_ == State::MessageDone) return messageComplete(p, result);
    return true;
}

bool ParserMachine::messageComplete(const char* p, ExecuteResult& result) {
    s.state_ = State::UpgradeCheck;
    ++s.messageCount_;
    if (s.handler_ != nullptr &&
        !verdict(s.handler_->onMessageComplete(), ParserError::CbMessageComplete, kPauseReason,
                 "`on_message_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return upgradeCheck(p, result);
}

bool ParserMachine::upgradeCheck(const char* p, ExecuteResult& result) {
    s.state_ = State::Cleanup;
    if (s.upgrade_) {
        s.error_ = ParserError::PausedUpgrade;
        s.reason_ = "Pause on CONNECT/Upgrade";
        result = stopped(p);
        return false;
    }
    return afterMessageComplete(p, result);
}

bool ParserMachine::afterMessageComplete(const char* p, ExecuteResult&) {
    (void)p;
    const bool keepAlive = s.shouldKeepAlive();
    s.finishUnsafe_ = false;
    s.finishWithCallback_ = false;
    s.flags_ = 0;
    s.declaredLength_ = 0;
    s.state_ = keepAlive || lenient(lenient::kKeepAlive) ? State::Start : State::Closed;
    return true;
}

bool ParserMachine::chunkHeader(const char* p, ExecuteResult& result) {
    s.headerBytes_ = 0;  // Node: header_nread_ = 0 in on_chunk_header (bounds the trailers)
    const std::uint64_t size = s.remaining_;
    if (size == 0) {
        s.flags_ |= flags::kTrailing;
        s.headerCount_ = 0;
        s.subState_ = 0;
        s.state_ = State::FieldStart;
    } else {
        s.state_ = State::ChunkData;
    }
    if (s.handler_ == nullptr) return true;
    if (!verdict(s.handler_->onChunkHeader(size), ParserError::CbChunkHeader, kPauseReason,
                 "`on_chunk_header` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

bool ParserMachine::chunkExtensionPiece(bool value, const char* from, const char* to, bool complete,
                                        const char* p, ExecuteResult& result) {
    const auto n = static_cast<std::size_t>(to - from);
    if (n == 0 && !complete) return true;
    // Node: chunk_extensions_nread_ > kMaxChunkExtensionsSize → 413.
    const std::uint64_t total = static_cast<std::uint64_t>(s.chunkExtensionBytes_) + n;
    if (total > kMaxChunkExtensionsSize) {
        result = fail(p, ParserError::ChunkExtensionsOverflow, "Chunk extensions overflow");
        return false;
    }
    s.chunkExtensionBytes_ = static_cast<std::uint32_t>(total);
    if (s.handler_ == nullptr) return true;
    const std::string_view piece{from, n};
    const ParserAction action = value ? s.handler_->onChunkExtensionValue(piece, complete)
                                      : s.handler_->onChunkExtensionName(piece, complete);
    if (!verdict(action,
                 value ? ParserError::CbChunkExtensionValueComplete
                       : ParserError::CbChunkExtensionNameComplete,
                 kPauseReason,
                 value ? "`on_chunk_extension_value` callback error"
                       : "`on_chunk_extension_name` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

}  // namespace nodecc::http

namespace nodecc::http {

[[gnu::always_inline]] inline HeaderKind ParserMachine::finalNameKind(const char* pieceEnd) const {
    const auto n = static_cast<std::size_t>(pieceEnd - mark);
    if (s.tokenLength_ == 0) return kindOfName(mark, n);
    for (std::size_t i = 0; i < std::size(kSpecialNames); ++i) {
        if ((s.nameMatch_ & (1u << i)) == 0) continue;
        const std::string_view lower = kSpecialNames[i].lower;
        if (lower.size() == s.tokenLength_ + n && equalsLower(mark, lower.substr(s.tokenLength_))) {
            return kSpecialNames[i].kind;
        }
    }
    return kGeneral;
}

void ParserMachine::updateNameMatch(const char* from, const char* to) {
    const auto n = static_cast<std::size_t>(to - from);
    for (std::size_t i = 0; i < std::size(kSpecialNames); ++i) {
        const std::string_view lower = kSpecialNames[i].lower;
        if (s.tokenLength_ + n > lower.size() ||
            !equalsLower(from, lower.substr(s.tokenLength_, n))) {
            s.nameMatch_ = static_cast<std::uint8_t>(s.nameMatch_ & ~(1u << i));
        }
    }
}

// End of input inside a token: hand the bytes seen so far to the handler. A
// pause requested here takes effect after every piece is out (all bytes are consumed).
bool ParserMachine::flushPieces(ExecuteResult& result) {
    bool paused = false;
    auto step = [&](bool ok) {
        if (ok) return true;
        if (s.error_ == ParserError::Paused && s.state_ != State::Dead) {
            s.error_ = ParserError::Ok;
            paused = true;
            return true;
        }
        return false;
    };
    switch (s.state_) {
        case State::UrlStart:
        case State::UrlSchema:
        case State::UrlSchemaSlashes:
        case State::UrlServer:
        case State::UrlPath:
        case State::UrlQuery:
        case State::UrlFragment:
        case State::UrlAsterisk:
            if (!step(emitUrl(mark, end, false, end, result))) return false;
            break;
        case State::Field:
        case State::FieldColonWs: {
            const auto n = static_cast<std::size_t>(end - mark);
            if (n == 0) break;
            if (!countHeaderBytes(n)) {
                result = headerOverflow(end);
                return false;
            }
            updateNameMatch(mark, end);
            s.tokenLength_ += static_cast<std::uint32_t>(n);
            if (s.handler_ != nullptr &&
                !step(verdict(s.handler_->onHeaderField({mark, n}, false),
                              ParserError::CbHeaderFieldComplete, kPauseReason,
                              "`on_header_field_complete` callback error"))) {
                result = stopped(end);
                return false;
            }
            break;
        }
        case State::ValueDiscardWs:
        case State::ValueDiscardWsLf:
        case State::ValueDiscardLws:
        case State::Value:
        case State::ValueLf:
        case State::ValueLws: {
            if (!step(deliverPendingName(result, end))) return false;
            const char* pieceEnd = s.state_ == State::Value ? end : valueEnd;
            if (mark == nullptr || pieceEnd == nullptr) break;
            const auto n = static_cast<std::size_t>(pieceEnd - mark);
            if (s.state_ == State::Value && !countHeaderBytes(n)) {
                result = headerOverflow(end);
                return false;
            }
            s.tokenLength_ += static_cast<std::uint32_t>(n);
            mark = nullptr;
            if (n != 0 && s.handler_ != nullptr &&
                !step(verdict(s.handler_->onHeaderValue({pieceEnd - n, n}, false),
                              ParserError::CbHeaderValueComplete, kPauseReason,
                              "`on_header_value_complete` callback error"))) {
                result = stopped(end);
                return false;
            }
            break;
        }
        case State::ChunkExtName:
            if (!step(chunkExtensionPiece(false, mark, end, false, end, result))) return false;
            break;
        case State::ChunkExtValue:
        case State::ChunkExtQuoted:
        case State::ChunkExtQuotedPair:
            if (!step(chunkExtensionPiece(true, mark, end, false, end, result))) return false;
            break;
        default:
            break;
    }
    if (paused) {
        s.error_ = ParserError::Paused;
        s.reason_ = kPauseReason;
    }
    result = {static_cast<std::size_t>(end - begin), s.error_};
    return true;
}

ExecuteResult ParserMachine::run() {
    const char* p = begin;
    ExecuteResult result;
    switch (s.state_) {
        case State::UrlStart:
        case State::UrlSchema:
        case State::UrlSchemaSlashes:
        case State::UrlServer:
        case State::UrlPath:
        case State::UrlQuery:
        case State::UrlFragment:
        case State::UrlAsterisk:
        case State::Field:
        case State::FieldColonWs:
        case State::Value:
        case State::ChunkExtName:
        case State::ChunkExtValue:
        case State::ChunkExtQuoted:
        case State::ChunkExtQuotedPair:
            mark = begin;
            break;
        default:
            break;
    }

#define NODECC_STEP(call) \
    if (!(call)) return result
#define NODECC_FAIL(at, code, reason) return fail((at), ParserError::code, (reason))

    for (;;) {
        if (s.state_ >= State::HeadersDone) switch (s.state_) {
                case State::HeadersDone:
                    NODECC_STEP(afterHeadersComplete(p, result));
                    continue;
                case State::ChunkComplete:
                    s.state_ = State::ChunkSizeStart;
                    if (s.handler_ != nullptr &&
                        !verdict(s.handler_->onChunkComplete(), ParserError::CbChunkComplete,
                                 kPauseReason, "`on_chunk_complete` callback error")) {
                        return stopped(p);
                    }
                    continue;
                case State::MessageDone:
                    NODECC_STEP(messageComplete(p, result));
                    continue;
                case State::UpgradeCheck:
                    NODECC_STEP(upgradeCheck(p, result));
                    continue;
                case State::Cleanup:
                    NODECC_STEP(afterMessageComplete(p, result));
                    continue;
                case State::Dead:
                default:
                    return {static_cast<std::size_t>(p - begin), s.error_};
            }
        if (p == end) {
            flushPieces(result);
            return result;
        }
        const char c = *p;
        switch (s.state_) {
            // ---- request line ----
            case State::Start:
                if (c == '\r') {
                    // RFC 9112 §2.2: a bare CR is invalid (Node skips any CR/LF here).
                    if (rfc()) s.state_ = State::StartLf;
                    ++p;
                    continue;
                }
                if (c == '\n') {
                    ++p;
                    continue;
                }
                NODECC_STEP(messageBegin(p, result));
                goto method;
            case State::StartLf:
                if (c != '\n') NODECC_FAIL(p, Strict, "Expected LF after CR");
                s.state_ = State::Start;
                ++p;
                continue;
            case State::Method:
            method : {
                if (s.methodLength_ == 0 && end - p >= 5 && std::memcmp(p, "GET /", 5) == 0) {
                    s.method_ = Method::Get;
                    p += 4;
                    mark = p++;
                    s.tokenLength_ = 0;
                    s.state_ = State::UrlPath;
                    goto urlPath;
                }
                const char* q = p;
                while (q < end && isRequestLineMethodChar(*q)) ++q;
                const auto added = static_cast<std::size_t>(q - p);
                const std::size_t kept = std::min(added, sizeof s.methodBuffer_ - s.methodLength_);
                std::memcpy(s.methodBuffer_ + s.methodLength_, p, kept);
                s.methodLength_ = static_cast<std::uint8_t>(s.methodLength_ + kept);
                const std::string_view token{s.methodBuffer_, s.methodLength_};
                if (kept < added) {  // longer than any method, however it was split
                    NODECC_FAIL(q, InvalidMethod,
                                hasMethodAsProperPrefix(token) ? "Expected space after method"
                                                               : "Invalid method encountered");
                }
                if (q == end) {
                    // llhttp reports a method error at the first byte no method can continue with.
                    if (!isMethodPrefix(token)) {
                        NODECC_FAIL(q, InvalidMethod,
                                    hasMethodAsProperPrefix(token) ? "Expected space after method"
                                                                   : "Invalid method encountered");
                    }
                    p = q;
                    continue;
                }
                const std::optional<Method> method = methodFromName(token);
                if (!method) {
                    NODECC_FAIL(q, InvalidMethod,
                                hasMethodAsProperPrefix(token) ? "Expected space after method"
                                                               : "Invalid method encountered");
                }
                if (*q != ' ') NODECC_FAIL(q, InvalidMethod, "Expected space after method");
                s.method_ = *method;
                p = q + 1;
                NODECC_STEP(methodDone(q, result));
                continue;
            }
            case State::SpacesBeforeUrl:
                if (c == ' ') {
                    // RFC 9112 §3: exactly one SP between method and request-target.
                    if (rfc()) NODECC_FAIL(p, InvalidUrl, "Unexpected start char in url");
                    ++p;
                    continue;
                }
                NODECC_STEP(beginUrl(p, result));
                continue;
            case State::UrlStart:
                if (c == '/') {
                    s.state_ = State::UrlPath;
                } else if (c == '*') {
                    // RFC 9112 §3.2.4: asterisk-form is "*" alone, for OPTIONS (plus the h2
                    // preface's PRI and SSDP's M-SEARCH, which UPnP sends as "M-SEARCH *").
                    if (rfc() && s.method_ != Method::Options && s.method_ != Method::Pri &&
                        s.method_ != Method::MSearch) {
                        NODECC_FAIL(p, InvalidUrl, "Asterisk-form is only valid for OPTIONS");
                    }
                    s.state_ = rfc() ? State::UrlAsterisk : State::UrlPath;
                } else if (detail::isAlpha(static_cast<unsigned char>(c))) {
                    s.state_ = State::UrlSchema;
                } else if (c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '\f') {
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                } else {
                    NODECC_FAIL(p, InvalidUrl, "Unexpected start char in url");
                }
                ++p;
                continue;
            case State::UrlSchema:
                while (p < end && detail::isAlpha(static_cast<unsigned char>(*p))) ++p;
                if (p == end) continue;
                if (*p == ':') {
                    s.state_ = State::UrlSchemaSlashes;
                    s.subState_ = 0;
                    ++p;
                    continue;
                }
                if (*p == ' ' || *p == '\r' || *p == '\n' || *p == '\t' || *p == '\f') {
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                }
                NODECC_FAIL(p, InvalidUrl, "Unexpected char in url schema");
            case State::UrlSchemaSlashes:
                if (c != '/') {
                    if (s.subState_ == 0 &&
                        (c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '\f')) {
                        NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                    }
                    NODECC_FAIL(p, InvalidUrl, "Unexpected char in url schema");
                }
                ++p;
                if (++s.subState_ == 2) {
                    s.subState_ = 0;
                    s.state_ = State::UrlServer;
                }
                continue;
            case State::UrlServer: {
                // subState_ bit 0: the previous byte was '@'; bit 1: the host is not empty.
                while (p < end) {
                    if (in(detail::kServerChar, *p)) {
                        s.subState_ = 2;
                        ++p;
                    } else if (*p == '@') {
                        if ((s.subState_ & 1) != 0) NODECC_FAIL(p, InvalidUrl, "Double @ in url");
                        // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error.
                        if (rfc()) NODECC_FAIL(p, InvalidUrl, "Userinfo in url is not allowed");
                        s.subState_ = 1;
                        ++p;
                    } else {
                        break;
                    }
                }
                if (p == end) continue;
                const char stop = *p;
                const bool endsHost =
                    stop == '/' || stop == '?' || stop == ' ' || stop == '\r' || stop == '\n';
                if (stop == '\t' || stop == '\f')
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                if (!endsHost) NODECC_FAIL(p, InvalidUrl, "Unexpected char in url server");
                // RFC 9110 §4.2.1: an empty host is invalid; RFC 9112 §3.2.3: CONNECT
                // takes authority-form only.
                if (rfc() && (s.subState_ & 2) == 0)
                    NODECC_FAIL(p, InvalidUrl, "Empty host in url");
                if (rfc() && s.method_ == Method::Connect && (stop == '/' || stop == '?')) {
                    NODECC_FAIL(p, InvalidUrl, "CONNECT target must be authority-form");
                }
                if (stop == '/') {
                    s.state_ = State::UrlPath;
                    ++p;
                    continue;
                }
                if (stop == '?') {
                    s.state_ = State::UrlQuery;
                    ++p;
                    continue;
                }
                break;  // to the url end below
            }
            case State::UrlPath:
            case State::UrlQuery:
            case State::UrlFragment:
            urlPath : {
                const detail::CharTable& table = rfc() ? detail::kRfcUrlChar : detail::kUrlChar;
                for (;;) {
                    p = scanTable(table, p, end);
                    if (p == end) break;
                    if (*p == '?' && s.state_ != State::UrlPath) {
                        ++p;
                        continue;
                    }
                    if (*p == '#' && s.state_ == State::UrlFragment) {
                        ++p;
                        continue;
                    }
                    break;
                }
                if (p == end) continue;
                const char stop = *p;
                if (stop == '?' && s.state_ == State::UrlPath) {
                    s.state_ = State::UrlQuery;
                    ++p;
                    continue;
                }
                if (stop == '#' && !rfc()) {
                    s.state_ = State::UrlFragment;
                    ++p;
                    continue;
                }
                if (stop == ' ' || stop == '\r' || stop == '\n') break;
                if (stop == '\t' || stop == '\f')
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                // RFC 9112 §3.2 / RFC 3986: '#', '"', '<', '>', '\', '^', '`', '{', '|', '}'
                // are not allowed in a request-target (rfcStrict).
                NODECC_FAIL(p, InvalidUrl,
                            s.state_ == State::UrlPath    ? "Invalid char in url path"
                            : s.state_ == State::UrlQuery ? "Invalid char in url query"
                                                          : "Invalid char in url fragment start");
            }
            case State::UrlAsterisk:
                if (c != ' ' && c != '\r' && c != '\n') {
                    NODECC_FAIL(p, InvalidUrl, "Invalid char in url path");
                }
                break;  // to the url end below
            case State::Url09Lf:
                if (c != '\n') NODECC_FAIL(p, InvalidUrl, "Expected CRLF");
                s.httpMajor_ = 0;
                s.httpMinor_ = 9;
                s.subState_ = 3;
                s.state_ = State::HeadersStart;
                ++p;
                continue;
            case State::HttpStart:
                if (s.subState_ == 1 && (c == '\t' || c == '\f')) {
                    // llhttp: the byte after the url's SP is still checked as a url byte.
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                }
                s.subState_ = 0;
                if (c == ' ') {
                    if (rfc()) NODECC_FAIL(p, InvalidConstant, "Expected HTTP/");
                    ++p;
                    continue;
                }
                if (end - p >= 10 && s.method_ != Method::Pri && !isRtspOnly(s.method_) &&
                    std::memcmp(p, "HTTP/1.", 7) == 0 && (p[7] == '1' || p[7] == '0') &&
                    p[8] == '\r' && p[9] == '\n') {
                    s.httpMajor_ = 1;
                    s.httpMinor_ = static_cast<std::uint8_t>(p[7] - '0');
                    s.subState_ = 0;
                    s.state_ = State::HeadersStart;
                    p += 10;
                    continue;
                }
                s.subState_ = c == 'H' ? 0 : c == 'R' ? 1 : c == 'I' ? 2 : 3;
                // RFC 9112 §2.3: an HTTP/1.1 server speaks HTTP only (no RTSP/ICE lines).
                if (s.subState_ == 3 || (rfc() && s.subState_ != 0)) {
                    NODECC_FAIL(p, InvalidConstant,
                                rfc() ? "Expected HTTP/" : "Expected HTTP/, RTSP/ or ICE/");
                }
                s.subState_ = static_cast<std::uint8_t>(s.subState_ | (1 << kPositionShift));
                s.state_ = State::Protocol;
                ++p;
                continue;
            case State::Protocol: {
                const std::uint8_t which = s.subState_ & kMachineMask;
                const std::string_view literal = kProtocols[which];
                const auto position = static_cast<std::size_t>(s.subState_ >> kPositionShift);
                if (c != literal[position]) {
                    NODECC_FAIL(p, InvalidConstant,
                                rfc() ? "Expected HTTP/" : "Expected HTTP/, RTSP/ or ICE/");
                }
                ++p;
                if (position + 1 == literal.size() - 1) {
                    if (which == 0 && isRtspOnly(s.method_)) {
                        NODECC_FAIL(p, InvalidConstant, "Invalid method for HTTP/x.x request");
                    }
                    if (which == 1 && !isRtspMethod(s.method_)) {
                        NODECC_FAIL(p, InvalidConstant, "Invalid method for RTSP/x.x request");
                    }
                    if (which == 2 && s.method_ != Method::Source) {
                        NODECC_FAIL(p, InvalidConstant,
                                    "Expected SOURCE method for ICE/x.x request");
                    }
                }
                if (position + 1 == literal.size()) {
                    s.state_ = State::VersionMajor;
                } else {
                    s.subState_ =
                        static_cast<std::uint8_t>(which | ((position + 1) << kPositionShift));
                }
                continue;
            }
            case State::VersionMajor:
                if (!detail::isDigit(static_cast<unsigned char>(c))) {
                    NODECC_FAIL(p, InvalidVersion, "Invalid major version");
                }
                s.httpMajor_ = static_cast<std::uint8_t>(c - '0');
                s.state_ = State::VersionDot;
                ++p;
                continue;
            case State::VersionDot:
                if (c != '.') NODECC_FAIL(p, InvalidVersion, "Expected dot");
                s.state_ = State::VersionMinor;
                ++p;
                continue;
            case State::VersionMinor: {
                if (!detail::isDigit(static_cast<unsigned char>(c))) {
                    NODECC_FAIL(p, InvalidVersion, "Invalid minor version");
                }
                s.httpMinor_ = static_cast<std::uint8_t>(c - '0');
                const unsigned version = s.httpMajor_ * 10u + s.httpMinor_;
                bool known = version == 9 || version == 10 || version == 11 || version == 20;
                // RFC 9112 §2.3: "HTTP/2.0" on an HTTP/1 request line is only the h2 preface.
                if (rfc() && version == 20 && s.method_ != Method::Pri) known = false;
                if (!known && !lenient(lenient::kVersion)) {
                    NODECC_FAIL(p, InvalidVersion, "Invalid HTTP version");
                }
                s.state_ = State::VersionEnd;
                ++p;
                continue;
            }
            case State::VersionEnd:
                if (s.method_ == Method::Pri) {
                    s.state_ = State::PriPreface;
                    s.subState_ = 0;
                    continue;
                }
                if (c == '\r') {
                    s.state_ = State::VersionLf;
                    ++p;
                    continue;
                }
                if (c == '\n' && lenient(lenient::kOptionalCrBeforeLf)) {
                    s.state_ = State::VersionLf;
                    ++p;
                    continue;
                }
                NODECC_FAIL(p, InvalidVersion, "Expected CRLF after version");
            case State::VersionLf:
                if (c == '\n') {
                    ++p;
                } else if (!lenient(lenient::kOptionalLfAfterCr)) {
                    NODECC_FAIL(p, Strict, "Expected CRLF after version");
                }
                s.subState_ = 0;
                s.state_ = State::HeadersStart;
                continue;
            case State::PriPreface:
                if (c != kPriPreface[s.subState_]) {
                    NODECC_FAIL(p, InvalidVersion, "Expected HTTP/2 Connection Preface");
                }
                ++p;
                if (++s.subState_ == kPriPreface.size()) {
                    NODECC_FAIL(p, PausedH2Upgrade, "Pause on PRI/Upgrade");
                }
                continue;

            // ---- header fields (and trailers) ----
            case State::HeadersStart:
                if (s.subState_ == 3 && (c == '\t' || c == '\f')) {
                    // llhttp: the byte after an HTTP/0.9 request line is still a url byte.
                    NODECC_FAIL(p, InvalidUrl, "Invalid characters in url");
                }
                s.subState_ = 0;
                s.state_ = State::FieldStart;
                if (c == ' ') {
                    if (!lenient(lenient::kHeaders)) {
                        NODECC_FAIL(p, UnexpectedSpace, "Unexpected space after start line");
                    }
                    ++p;
                }
                continue;
            case State::FieldStart:
            fieldStart:
                if (*p == '\r') {
                    if (p + 1 < end && p[1] == '\n' && (s.flags_ & flags::kTrailing) == 0) {
                        p += 2;
                        NODECC_STEP(headersComplete(p, result));
                        continue;
                    }
                    s.state_ = State::HeadersLf;
                    ++p;
                    continue;
                }
                if (*p == '\n') {
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, InvalidHeaderToken, "Invalid header field char");
                    }
                    s.state_ = State::HeadersLf;
                    continue;  // HeadersLf consumes the LF
                }
                if (*p == ':') NODECC_FAIL(p, InvalidHeaderToken, "Invalid header token");
                if ((*p == ' ' || *p == '\t') && s.subState_ != 0) {
                    // RFC 9112 §5.2: obs-fold is rejected (Node's strict llhttp).
                    NODECC_FAIL(p, InvalidHeaderToken, "Unexpected whitespace after header value");
                }
                mark = p;
                s.tokenLength_ = 0;
                s.nameMatch_ = kAllSpecialNames;
                s.headerKind_ = kGeneral;
                s.state_ = State::Field;
                [[fallthrough]];
            case State::Field: {
                p = scanTable(detail::kToken, p, end);
                if (p == end) continue;
                if (*p == ':') {
                    s.headerKind_ = finalNameKind(p);
                    const char* nameEnd = p++;
                    NODECC_STEP(fieldComplete(nameEnd, p, result));
                    while (p < end && (*p == ' ' || *p == '\t')) ++p;
                    if (p == end || *p == '\r' || *p == '\n') continue;  // ValueDiscardWs
                    NODECC_STEP(startValue(p, result));
                    goto value;
                }
                if (*p == ' ' && finalNameKind(p) != kGeneral) {
                    if (!lenient(lenient::kHeaders)) {
                        NODECC_FAIL(p, InvalidHeaderToken, "Invalid header field char");
                    }
                    s.headerKind_ = finalNameKind(p);
                    s.state_ = State::FieldColonWs;
                    ++p;
                    continue;
                }
                NODECC_FAIL(p, InvalidHeaderToken, "Invalid header token");
            }
            case State::FieldColonWs:
                if (c == ' ') {
                    ++p;
                    continue;
                }
                if (c == ':') {
                    const char* nameEnd = p++;
                    NODECC_STEP(fieldComplete(nameEnd, p, result));
                    continue;
                }
                s.headerKind_ = kGeneral;
                s.nameMatch_ = 0;
                s.state_ = State::Field;
                continue;
            case State::ValueDiscardWs:
                while (p < end && (*p == ' ' || *p == '\t')) ++p;
                if (p == end) continue;
                if (*p == '\r') {
                    s.state_ = State::ValueDiscardWsLf;
                    ++p;
                    continue;
                }
                if (*p == '\n') {
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, InvalidHeaderToken, "Invalid header value char");
                    }
                    ++p;
                    s.state_ = State::ValueDiscardLws;
                    continue;
                }
                NODECC_STEP(startValue(p, result));
                continue;
            case State::ValueDiscardWsLf:
                if (c == '\n') {
                    ++p;
                } else if (!lenient(lenient::kHeaders)) {
                    NODECC_FAIL(p, Strict, "Expected LF after CR");
                }
                s.state_ = State::ValueDiscardLws;
                continue;
            case State::ValueDiscardLws:
                if (c == ' ' || c == '\t') {
                    // RFC 9112 §5.2: obs-fold is rejected unless lenient (llhttp discard_lws).
                    if (!lenient(lenient::kHeaders)) {
                        NODECC_FAIL(p, InvalidHeaderToken, "Invalid header value char");
                    }
                    s.state_ = State::ValueDiscardWs;
                    ++p;
                    continue;
                }
                NODECC_STEP(emptyValue(p, result));
                continue;
            case State::Value:
            value : {
                if (s.subState_ != kValueGeneral) {
                    NODECC_STEP(runValueMachine(p, result));
                    if (p == end) continue;
                }
                if (s.subState_ == kValueGeneral) {
                    p = findValueEnd(p, end);
                    if (p == end) continue;
                }
                const char stop = *p;
                if (stop == '\r') {
                    NODECC_STEP(valueEnded(p, result));
                    if (p + 1 < end && p[1] == '\n' && !lenient(lenient::kHeaders)) {
                        p += 2;
                        NODECC_STEP(completeValue(p, result));
                        if (p < end) goto fieldStart;
                        continue;
                    }
                    s.state_ = State::ValueLf;
                    ++p;
                    continue;
                }
                if (stop == '\n') {
                    NODECC_STEP(valueEnded(p, result));
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, CrExpected, "Missing expected CR after header value");
                    }
                    s.state_ = State::ValueLf;
                    continue;  // ValueLf consumes the LF
                }
                if (lenient(lenient::kHeaders)) {
                    ++p;  // llhttp header_value_lenient: anything but CR/LF
                    continue;
                }
                if (!countHeaderBytes(static_cast<std::size_t>(p - mark))) return headerOverflow(p);
                NODECC_FAIL(p, InvalidHeaderToken, "Invalid header value char");
            }
            case State::ValueLf:
                if (c != '\n') NODECC_FAIL(p, LfExpected, "Missing expected LF after header value");
                ++p;
                if (lenient(lenient::kHeaders)) {
                    s.state_ = State::ValueLws;
                } else {
                    NODECC_STEP(completeValue(p, result));
                }
                continue;
            case State::ValueLws:
                if (c != ' ' && c != '\t') {
                    NODECC_STEP(completeValue(p, result));
                    continue;
                }
                // Lenient obs-fold: the value goes on; the fold's whitespace is part of it.
                NODECC_STEP(deliverPendingName(result, p));
                if (mark != nullptr && valueEnd != nullptr) {
                    const auto n = static_cast<std::size_t>(valueEnd - mark);
                    s.tokenLength_ += static_cast<std::uint32_t>(n);
                    if (n != 0 && s.handler_ != nullptr &&
                        !verdict(s.handler_->onHeaderValue({mark, n}, false),
                                 ParserError::CbHeaderValueComplete, kPauseReason,
                                 "`on_header_value_complete` callback error")) {
                        mark = p;
                        valueEnd = nullptr;
                        s.state_ = State::Value;
                        return stopped(p);
                    }
                }
                mark = p;
                valueEnd = nullptr;
                s.state_ = State::Value;
                if (s.headerKind_ == kContentLength) {
                    NODECC_FAIL(p, UnexpectedContentLength, "Duplicate Content-Length");
                }
                if (s.headerKind_ == kTransferEncoding && s.pendingFlag_ != kPendingChunked &&
                    s.subState_ != kValueGeneral) {
                    s.subState_ = kTeChunked;
                } else if (s.headerKind_ == kConnection && s.pendingFlag_ == kPendingNone) {
                    s.subState_ = kConnStart;
                } else {
                    if (s.pendingFlag_ == kPendingChunked) s.pendingFlag_ = kPendingNone;
                    s.subState_ = kValueGeneral;
                }
                continue;
            case State::HeadersLf:
                if (c == '\n') {
                    ++p;
                } else if (!lenient(lenient::kOptionalLfAfterCr)) {
                    NODECC_FAIL(p, Strict, "Expected LF after headers");
                }
                if ((s.flags_ & flags::kTrailing) != 0) {
                    s.state_ = State::ChunkComplete;
                    s.flags_ = static_cast<std::uint16_t>(s.flags_ & ~flags::kTrailing);
                    // After the trailers: on_chunk_complete, then the message is done.
                    s.state_ = State::MessageDone;
                    if (s.handler_ != nullptr &&
                        !verdict(s.handler_->onChunkComplete(), ParserError::CbChunkComplete,
                                 kPauseReason, "`on_chunk_complete` callback error")) {
                        return stopped(p);
                    }
                    continue;
                }
                NODECC_STEP(headersComplete(p, result));
                continue;

            // ---- body ----
            case State::BodyIdentity:
            case State::ChunkData: {
                const auto available = static_cast<std::uint64_t>(end - p);
                const auto n =
                    static_cast<std::size_t>(s.remaining_ < available ? s.remaining_ : available);
                const char* from = p;
                p += n;
                s.remaining_ -= n;
                if (s.remaining_ == 0) {
                    s.state_ =
                        s.state_ == State::BodyIdentity ? State::MessageDone : State::ChunkDataCr;
                }
                if (s.handler_ != nullptr &&
                    !verdict(s.handler_->onBody({from, n}), ParserError::User, kPauseReason,
                             "`on_body` callback error")) {
                    return stopped(p);
                }
                continue;
            }
            case State::BodyEof: {
                const char* from = p;
                p = end;
                if (s.handler_ != nullptr &&
                    !verdict(s.handler_->onBody({from, static_cast<std::size_t>(end - from)}),
                             ParserError::User, kPauseReason, "`on_body` callback error")) {
                    return stopped(p);
                }
                continue;
            }
            case State::ChunkSizeStart: {
                const int digit = detail::kHexValue[static_cast<unsigned char>(c)];
                if (digit < 0) NODECC_FAIL(p, InvalidChunkSize, "Invalid character in chunk size");
                s.remaining_ = static_cast<std::uint64_t>(digit);
                s.chunkExtensionBytes_ = 0;
                s.subState_ = 0;  // 1 once spaces followed the size (lenient)
                s.state_ = State::ChunkSize;
                ++p;
                continue;
            }
            case State::ChunkSize: {
                if (s.subState_ == 0) {
                    int digit;
                    while (p < end &&
                           (digit = detail::kHexValue[static_cast<unsigned char>(*p)]) >= 0) {
                        if (s.remaining_ > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
                            NODECC_FAIL(p, InvalidChunkSize, "Chunk size overflow");
                        }
                        s.remaining_ = (s.remaining_ << 4) | static_cast<std::uint64_t>(digit);
                        ++p;
                    }
                    if (p == end) continue;
                }
                const char stop = *p;
                if (stop == ' ' || stop == '\t') {
                    if (!lenient(lenient::kSpacesAfterChunkSize)) {
                        NODECC_FAIL(p, InvalidChunkSize, "Invalid character in chunk size");
                    }
                    s.subState_ = 1;
                    ++p;
                    continue;
                }
                if (stop == '\r' || (stop == '\n' && lenient(lenient::kOptionalCrBeforeLf))) {
                    s.state_ = State::ChunkSizeLf;
                    ++p;
                    continue;
                }
                if (stop == '\n')
                    NODECC_FAIL(p, CrExpected, "Missing expected CR after chunk size");
                if (stop == ';') {
                    s.state_ = State::ChunkExtStart;
                    ++p;
                    continue;
                }
                NODECC_FAIL(p, InvalidChunkSize, "Invalid character in chunk size");
            }
            case State::ChunkExtStart:
                if (c == ' ' || c == '\r')
                    NODECC_FAIL(p, Strict, "Invalid character in chunk extensions");
                mark = p;
                s.state_ = State::ChunkExtName;
                continue;
            case State::ChunkExtName:
            case State::ChunkExtValue: {
                const bool isValue = s.state_ == State::ChunkExtValue;
                p = scanTable(detail::kToken, p, end);
                if (p == end) continue;
                const char stop = *p;
                if (isValue && stop == '"') {
                    s.state_ = State::ChunkExtQuoted;
                    ++p;
                    continue;
                }
                if (!isValue && stop == '=') {
                    s.state_ = State::ChunkExtValue;
                    NODECC_STEP(chunkExtensionPiece(false, mark, p, true, p + 1, result));
                    mark = ++p;
                    continue;
                }
                if (stop == ';' || stop == '\r') {
                    s.state_ = stop == ';' ? State::ChunkExtStart : State::ChunkSizeLf;
                    NODECC_STEP(chunkExtensionPiece(isValue, mark, p, true, p + 1, result));
                    ++p;
                    continue;
                }
                if (stop == '\n') {
                    NODECC_STEP(chunkExtensionPiece(isValue, mark, p, true, p, result));
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, CrExpected,
                                    isValue ? "Missing expected CR after chunk extension value"
                                            : "Missing expected CR after chunk extension name");
                    }
                    s.state_ = State::ChunkSizeLf;
                    continue;
                }
                NODECC_STEP(chunkExtensionPiece(isValue, mark, p, false, p, result));
                NODECC_FAIL(p, Strict,
                            isValue ? "Invalid character in chunk extensions value"
                                    : "Invalid character in chunk extensions name");
            }
            case State::ChunkExtQuoted:
                p = scanTable(detail::kQdtext, p, end);
                if (p == end) continue;
                if (*p == '"') {
                    s.state_ = State::ChunkExtQuotedDone;
                    ++p;
                    NODECC_STEP(chunkExtensionPiece(true, mark, p, true, p, result));
                    continue;
                }
                if (*p == '\\') {
                    s.state_ = State::ChunkExtQuotedPair;
                    ++p;
                    continue;
                }
                NODECC_STEP(chunkExtensionPiece(true, mark, p, false, p, result));
                NODECC_FAIL(p, Strict, "Invalid character in chunk extensions quoted value");
            case State::ChunkExtQuotedPair:
                if (!in(detail::kQuotedPair, c)) {
                    NODECC_STEP(chunkExtensionPiece(true, mark, p, false, p, result));
                    NODECC_FAIL(p, Strict, "Invalid quoted-pair in chunk extensions quoted value");
                }
                s.state_ = State::ChunkExtQuoted;
                ++p;
                continue;
            case State::ChunkExtQuotedDone:
                if (c == ';') {
                    s.state_ = State::ChunkExtStart;
                    ++p;
                    continue;
                }
                if (c == '\r') {
                    s.state_ = State::ChunkSizeLf;
                    ++p;
                    continue;
                }
                if (c == '\n') {
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, CrExpected,
                                    "Missing expected CR after chunk extension value");
                    }
                    s.state_ = State::ChunkSizeLf;
                    continue;
                }
                NODECC_FAIL(p, Strict, "Invalid character in chunk extensions quote value");
            case State::ChunkSizeLf:
                if (c == '\n') {
                    ++p;
                } else if (!lenient(lenient::kOptionalLfAfterCr)) {
                    NODECC_FAIL(p, Strict, "Expected LF after chunk size");
                }
                NODECC_STEP(chunkHeader(p, result));
                continue;
            case State::ChunkDataCr:
                if (c == '\r') {
                    s.state_ = State::ChunkDataLf;
                    ++p;
                    continue;
                }
                if (c == '\n') {
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p, CrExpected, "Missing expected CR after chunk data");
                    }
                    s.state_ = State::ChunkComplete;
                    ++p;
                    continue;
                }
                if (!lenient(lenient::kOptionalCrlfAfterChunk)) {
                    NODECC_FAIL(p, Strict, "Expected LF after chunk data");
                }
                s.state_ = State::ChunkComplete;
                continue;
            case State::ChunkDataLf:
                if (c == '\n') {
                    ++p;
                } else if (!lenient(lenient::kOptionalCrlfAfterChunk)) {
                    NODECC_FAIL(p, Strict, "Expected LF after chunk data");
                }
                s.state_ = State::ChunkComplete;
                continue;
            case State::Closed:
                if (c == '\r' || c == '\n' || lenient(lenient::kDataAfterClose)) {
                    ++p;
                    continue;
                }
                NODECC_FAIL(p, ClosedConnection, "Data after `Connection: close`");
            default:
                return fail(p, ParserError::Internal, "Invalid parser state");
        }
        // The request-target ended at p (SP, CR or LF).
        {
            const char stop = *p;
            const char* urlEnd = p++;
            if (stop == ' ') {
                s.state_ = State::HttpStart;
                s.subState_ = 1;
            } else if (stop == '\r') {
                s.state_ = State::Url09Lf;
            } else {
                s.httpMajor_ = 0;
                s.httpMinor_ = 9;
                s.subState_ = 3;
                s.state_ = State::HeadersStart;
            }
            NODECC_STEP(emitUrl(mark, urlEnd, true, p, result));
            mark = nullptr;
            if (s.state_ == State::HttpStart && end - p >= 10 && s.method_ != Method::Pri &&
                !isRtspOnly(s.method_) && std::memcmp(p, "HTTP/1.", 7) == 0 &&
                (p[7] == '1' || p[7] == '0') && p[8] == '\r' && p[9] == '\n') {
                s.httpMajor_ = 1;
                s.httpMinor_ = static_cast<std::uint8_t>(p[7] - '0');
                p += 10;
                s.subState_ = 0;
                s.state_ = State::FieldStart;
                if (p < end && *p != ' ' && *p != '\t') goto fieldStart;
                s.state_ = State::HeadersStart;
            }
        }
    }
#undef NODECC_STEP
#undef NODECC_FAIL
}

}  // namespace nodecc::http
