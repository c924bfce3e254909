// The request state machine. Its states and error reasons follow llhttp 9.3
// (llhttp src/llhttp/http.ts, url.ts, src/native/http.c) so that Node's
// `err.code` / `err.reason` come out the same; nodecc's RFC 9112 choices are
// marked `rfcStrict` and listed in docs/CONFORMANCE.md.
//
// Hot path: each state consumes a run of bytes in a tight loop (table scans,
// SSE2 for header values); a header line that is whole in the buffer becomes
// one onHeader() call. Tokens that reach the end of the buffer are flushed as
// pieces (flushPieces) and continue from the start of the next buffer.
//
// Error positions (ExecuteResult::consumed, Node's err.bytesParsed) are llhttp's:
// the offending byte, or one past it where llhttp consumes a byte before it fails
// (`p + 1` below); the differential test (tools/parser-diff) compares every one.
#include "http/parser_machine.hpp"

#include <algorithm>
#include <limits>

namespace nodecc::http {

using namespace detail;  // NOLINT(google-build-using-namespace): the grammar's own constants

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

[[gnu::always_inline]] inline bool ParserMachine::emitUrl(const char* from, const char* to,
                                                          bool complete, const char* p,
                                                          ExecuteResult& result) {
    const auto n = static_cast<std::size_t>(to - from);
    if (n == 0 && !complete) return true;
    if (!countHeaderBytes(n)) {
        result = headerOverflow(to);  // llhttp: at the byte that ends the url (or the read)
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

[[gnu::always_inline]] inline bool ParserMachine::fieldComplete(const char* nameEnd, const char* p,
                                                                ExecuteResult& result) {
    const auto n = static_cast<std::size_t>(nameEnd - mark);
    if (!countHeaderBytes(n)) {
        result = headerOverflow(nameEnd + 1);  // llhttp: after the colon
        return false;
    }
    ++s.headerCount_;
    if (!lenient(lenient::kChunkedLength)) {
        // RFC 9112 §6.3: a message with both is a smuggling attempt (llhttp 9: an error).
        if (s.headerKind_ == kTransferEncoding && (s.flags_ & flags::kContentLength) != 0) {
            result = fail(nameEnd + 1, ParserError::InvalidTransferEncoding,
                          "Transfer-Encoding can't be present with Content-Length");
            return false;
        }
        if (s.headerKind_ == kContentLength && (s.flags_ & flags::kTransferEncoding) != 0) {
            result = fail(nameEnd + 1, ParserError::InvalidContentLength,
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
                result = fail(p + 1, ParserError::InvalidTransferEncoding,
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

// The value's bytes end at p (a CR or LF): count them, settle Content-Length / chunked.
[[gnu::always_inline]] inline bool ParserMachine::valueEnded(const char* p, ExecuteResult& result) {
    valueEnd = p;
    if (!countHeaderBytes(static_cast<std::size_t>(p - mark))) {
        result = headerOverflow(*p == '\r' ? p + 1 : p);  // llhttp: after a CR, at an LF
        return false;
    }
    if (s.headerKind_ == kContentLength) s.flags_ |= flags::kContentLength;
    if (s.headerKind_ == kTransferEncoding && s.subState_ == kTeChunkedLast) {
        s.pendingFlag_ = kPendingChunked;
    }
    return true;
}

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

// A general field's line whole in the buffer at p (the usual header): name, value and CRLF
// in one pass and one onHeader call, without the Field / ValueDiscardWs / Value states.
// Anything else (a special name, an empty or split value, a bad byte, lenient headers)
// falls back to those states with p unchanged, so every error comes from them. Byte counts,
// headerCount_ and the state a callback sees are the general path's.
[[gnu::always_inline]] inline ParserMachine::Line ParserMachine::wholeHeaderLine(
    const char*& p, ExecuteResult& result) {
    const char* nameEnd = scanTable(kToken, p, end);
    if (nameEnd == end || *nameEnd != ':') return Line::Fallback;
    const auto nameLength = static_cast<std::size_t>(nameEnd - p);
    if (kindOfName(p, nameLength) != kGeneral) return Line::Fallback;
    const char* value = nameEnd + 1;
    while (value < end && (*value == ' ' || *value == '\t')) ++value;
    if (value == end || *value == '\r' || *value == '\n') return Line::Fallback;
    const char* valueStop = findValueEnd(value, end);
    if (end - valueStop < 2 || valueStop[0] != '\r' || valueStop[1] != '\n' ||
        lenient(lenient::kHeaders)) {
        return Line::Fallback;
    }
    if (!countHeaderBytes(nameLength)) {
        result = headerOverflow(nameEnd + 1);  // as fieldComplete
        return Line::Stop;
    }
    ++s.headerCount_;
    if (!countHeaderBytes(static_cast<std::size_t>(valueStop - value))) {
        result = headerOverflow(valueStop + 1);  // as valueEnded
        return Line::Stop;
    }
    const std::string_view name{p, nameLength};
    p = valueStop + 2;
    s.state_ = State::FieldStart;
    s.subState_ = 1;
    if (s.handler_ == nullptr) return Line::Done;
    const ParserAction action = s.handler_->onHeader(
        name, trimTrailingWhitespace({value, static_cast<std::size_t>(valueStop - value)}));
    if (!verdict(action, ParserError::CbHeaderValueComplete, kPauseReason,
                 "`on_header_value_complete` callback error")) {
        result = stopped(p);
        return Line::Stop;
    }
    return Line::Done;
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
    // A read that starts inside a token continues it from the first byte (one bit test: this
    // runs once per execute()).
    constexpr auto bit = [](State state) {
        return std::uint64_t{1} << static_cast<unsigned>(state);
    };
    constexpr std::uint64_t kTokenStates =
        bit(State::UrlStart) | bit(State::UrlSchema) | bit(State::UrlSchemaSlashes) |
        bit(State::UrlServer) | bit(State::UrlPath) | bit(State::UrlQuery) |
        bit(State::UrlFragment) | bit(State::UrlAsterisk) | bit(State::Field) |
        bit(State::FieldColonWs) | bit(State::Value) | bit(State::ChunkExtName) |
        bit(State::ChunkExtValue) | bit(State::ChunkExtQuoted) | bit(State::ChunkExtQuotedPair);
    static_assert(static_cast<unsigned>(State::Dead) < 64);
    if (((kTokenStates >> static_cast<unsigned>(s.state_)) & 1) != 0) mark = begin;

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
            // Between messages no token is open: nothing to flush (the common keep-alive end).
            if (s.state_ == State::Start) return {static_cast<std::size_t>(end - begin), s.error_};
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
                if (s.methodLength_ == 0 && end - p >= 8) {
                    Method known{};
                    if (const std::size_t length = commonMethod(p, known); length != 0) {
                        s.method_ = known;  // a Node method: methodDone's RFC check passes
                        p += length + 1;
                        if (*p == '/') {
                            mark = p++;
                            s.tokenLength_ = 0;
                            s.state_ = State::UrlPath;
                            goto urlPath;
                        }
                        s.state_ = State::SpacesBeforeUrl;
                        continue;
                    }
                }
                const char* q = p;
                while (q < end && isRequestLineMethodChar(*q)) ++q;
                const std::size_t before = s.methodLength_;
                const auto added = static_cast<std::size_t>(q - p);
                const std::size_t kept = std::min(added, sizeof s.methodBuffer_ - before);
                std::memcpy(s.methodBuffer_ + before, p, kept);
                s.methodLength_ = static_cast<std::uint8_t>(before + kept);
                const std::string_view token{s.methodBuffer_, s.methodLength_};
                std::optional<Method> method;
                if (q != end && kept == added && *q == ' ') method = methodFromName(token);
                if (!method) {
                    // Every earlier read ended inside a method prefix, so prefix >= before.
                    const std::size_t prefix = methodPrefixLength(token);
                    if (prefix < token.size()) {
                        NODECC_FAIL(p + (prefix - before), InvalidMethod,
                                    methodErrorReason(token, prefix));
                    }
                    if (q == end) {
                        p = q;
                        continue;
                    }
                    NODECC_FAIL(q, InvalidMethod, methodErrorReason(token, prefix));
                }
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
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
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
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
                }
                NODECC_FAIL(p, InvalidUrl, "Unexpected char in url schema");
            case State::UrlSchemaSlashes:
                if (c != '/') {
                    if (s.subState_ == 0 &&
                        (c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '\f')) {
                        NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
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
                        if ((s.subState_ & 1) != 0)
                            NODECC_FAIL(p + 1, InvalidUrl, "Double @ in url");
                        // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error.
                        if (strictTarget()) {
                            NODECC_FAIL(p, InvalidUrl, "Userinfo in url is not allowed");
                        }
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
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
                if (!endsHost) NODECC_FAIL(p, InvalidUrl, "Unexpected char in url server");
                // RFC 9110 §4.2.1: an empty host is invalid; RFC 9112 §3.2.3: CONNECT
                // takes authority-form only.
                if (strictTarget() && (s.subState_ & 2) == 0)
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
                const detail::CharTable& table =
                    strictTarget() ? detail::kRfcUrlChar : detail::kUrlChar;
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
                if (stop == '#' && !strictTarget()) {
                    s.state_ = State::UrlFragment;
                    ++p;
                    continue;
                }
                if (stop == ' ' || stop == '\r' || stop == '\n') break;
                if (stop == '\t' || stop == '\f')
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
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
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
                }
                s.subState_ = 0;
                if (c == ' ') {
                    if (rfc()) NODECC_FAIL(p, InvalidConstant, "Expected HTTP/");
                    ++p;
                    continue;
                }
                if (end - p >= 10 && s.method_ != Method::Pri && !isRtspOnly(s.method_) &&
                    detail::isHttp1Prefix(p) && (p[7] == '1' || p[7] == '0') && p[8] == '\r' &&
                    p[9] == '\n') {
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
                    NODECC_FAIL(p + 1, InvalidVersion, "Invalid HTTP version");
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
                // llhttp consumes an LF before it rejects it.
                NODECC_FAIL(c == '\n' ? p + 1 : p, InvalidVersion, "Expected CRLF after version");
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
                    NODECC_FAIL(p + 1, InvalidUrl, "Invalid characters in url");
                }
                s.subState_ = 0;
                s.state_ = State::FieldStart;
                if (c == ' ') {
                    if (!lenient(lenient::kHeaders)) {
                        NODECC_FAIL(p + 1, UnexpectedSpace, "Unexpected space after start line");
                    }
                    ++p;
                }
                continue;
            case State::FieldStart:
            fieldStart:
                if (*p == '\r') {
                    if (p + 1 < end && p[1] == '\n') {
                        if ((s.flags_ & flags::kTrailing) != 0) {
                            ++p;
                            goto headersLf;
                        }
                        p += 2;
                        NODECC_STEP(headersComplete(p, result));
                        // The usual read: one whole message, ended.
                        if (p == end && s.state_ == State::Start) {
                            return {static_cast<std::size_t>(end - begin), s.error_};
                        }
                        continue;
                    }
                    s.state_ = State::HeadersLf;
                    ++p;
                    continue;
                }
                if (*p == '\n') {
                    if (!lenient(lenient::kOptionalCrBeforeLf)) {
                        NODECC_FAIL(p + 1, InvalidHeaderToken, "Invalid header field char");
                    }
                    s.state_ = State::HeadersLf;
                    continue;  // HeadersLf consumes the LF
                }
                if (*p == ':') NODECC_FAIL(p, InvalidHeaderToken, "Invalid header token");
                if ((*p == ' ' || *p == '\t') && s.subState_ != 0) {
                    // RFC 9112 §5.2: obs-fold is rejected (Node's strict llhttp).
                    NODECC_FAIL(p, InvalidHeaderToken, "Unexpected whitespace after header value");
                }
                switch (wholeHeaderLine(p, result)) {
                    case Line::Done:
                        if (p < end) goto fieldStart;
                        continue;
                    case Line::Stop:
                        return result;
                    case Line::Fallback:
                        break;
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
                        NODECC_FAIL(p + 1, InvalidHeaderToken, "Invalid header field char");
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
                        NODECC_FAIL(p + 1, InvalidHeaderToken, "Invalid header value char");
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
                        NODECC_FAIL(p + 1, InvalidHeaderToken, "Invalid header value char");
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
                        if (s.pendingFlag_ == kPendingNone) {
                            NODECC_STEP(deliverValue(p, result));
                        } else {
                            NODECC_STEP(completeValue(p, result));
                        }
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
            headersLf:
                if (*p == '\n') {
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
            case State::ChunkData:
            chunkData : {
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
                // The chunk's CRLF and the next size line in the buffer: on without the
                // dispatch (ChunkDataCr, ChunkDataLf, ChunkComplete in one step).
                if (s.state_ == State::ChunkDataCr && end - p >= 3 && p[0] == '\r' &&
                    p[1] == '\n') {
                    p += 2;
                    s.state_ = State::ChunkSizeStart;
                    if (s.handler_ != nullptr &&
                        !verdict(s.handler_->onChunkComplete(), ParserError::CbChunkComplete,
                                 kPauseReason, "`on_chunk_complete` callback error")) {
                        return stopped(p);
                    }
                    goto chunkSizeStart;
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
            case State::ChunkSizeStart:
            chunkSizeStart : {
                int digit = detail::kHexValue[static_cast<unsigned char>(*p)];
                if (digit < 0) NODECC_FAIL(p, InvalidChunkSize, "Invalid character in chunk size");
                s.chunkExtensionBytes_ = 0;
                s.subState_ = 0;  // 1 once spaces followed the size (lenient)
                // The size's digits in a register; a size line whole in the buffer goes on
                // to the chunk's data without the dispatch (ChunkSize, ChunkSizeLf).
                auto size = static_cast<std::uint64_t>(digit);
                ++p;
                while (p < end &&
                       (digit = detail::kHexValue[static_cast<unsigned char>(*p)]) >= 0) {
                    if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
                        NODECC_FAIL(p + 1, InvalidChunkSize, "Chunk size overflow");
                    }
                    size = (size << 4) | static_cast<std::uint64_t>(digit);
                    ++p;
                }
                s.remaining_ = size;
                if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
                    p += 2;
                    NODECC_STEP(chunkHeader(p, result));
                    if (p == end) continue;
                    if (s.state_ == State::ChunkData) goto chunkData;
                    goto fieldStart;  // the last chunk: trailers or the end of the message
                }
                s.state_ = State::ChunkSize;
                continue;
            }
            case State::ChunkSize: {
                if (s.subState_ == 0) {
                    int digit;
                    while (p < end &&
                           (digit = detail::kHexValue[static_cast<unsigned char>(*p)]) >= 0) {
                        if (s.remaining_ > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
                            NODECC_FAIL(p + 1, InvalidChunkSize, "Chunk size overflow");
                        }
                        s.remaining_ = (s.remaining_ << 4) | static_cast<std::uint64_t>(digit);
                        ++p;
                    }
                    if (p == end) continue;
                }
                const char stop = *p;
                if (stop == ' ' || stop == '\t') {
                    if (!lenient(lenient::kSpacesAfterChunkSize)) {
                        NODECC_FAIL(p + 1, InvalidChunkSize, "Invalid character in chunk size");
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
                    NODECC_FAIL(p + 1, CrExpected, "Missing expected CR after chunk size");
                if (stop == ';') {
                    s.state_ = State::ChunkExtStart;
                    ++p;
                    continue;
                }
                NODECC_FAIL(p, InvalidChunkSize, "Invalid character in chunk size");
            }
            case State::ChunkExtStart:
                if (c == ' ' || c == '\r')
                    NODECC_FAIL(p + 1, Strict, "Invalid character in chunk extensions");
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
                NODECC_STEP(chunkExtensionPiece(isValue, mark, p, false, p, result, p + 1));
                NODECC_FAIL(p + 1, Strict,
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
                NODECC_STEP(chunkExtensionPiece(true, mark, p, false, p, result, p + 1));
                NODECC_FAIL(p + 1, Strict, "Invalid character in chunk extensions quoted value");
            case State::ChunkExtQuotedPair:
                if (!in(detail::kQuotedPair, c)) {
                    NODECC_STEP(chunkExtensionPiece(true, mark, p, false, p, result, p + 1));
                    NODECC_FAIL(p + 1, Strict,
                                "Invalid quoted-pair in chunk extensions quoted value");
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
                        NODECC_FAIL(p + 1, CrExpected, "Missing expected CR after chunk data");
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
                NODECC_FAIL(p + 1, ClosedConnection, "Data after `Connection: close`");
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
                !isRtspOnly(s.method_) && detail::isHttp1Prefix(p) &&
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
