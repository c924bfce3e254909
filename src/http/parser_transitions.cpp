// The steps between the parser's states that are not on the per-byte path:
// the special header-value grammars (Content-Length, Transfer-Encoding,
// Connection), header/message/chunk boundaries with their callbacks, and the
// pieces handed out when a token reaches the end of the buffer.
#include "http/parser_machine.hpp"

#include <limits>

namespace nodecc::http {

using namespace detail;  // NOLINT(google-build-using-namespace): the grammar's own constants

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
                        result = fail(p + 1, ParserError::InvalidContentLength,
                                      "Content-Length overflow");
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
                // The usual value, "chunked" whole in the buffer: one compare, not seven steps.
                if (position == 0 && end - p >= 7 && equalsLower(p, kChunked)) {
                    p += 7;
                    s.subState_ = kTeChunkedLast;
                    continue;
                }
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
                        result = fail(p + 1, ParserError::InvalidTransferEncoding,
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
    return deliverValue(p, result);
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
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request MUST be treated as
    // faulty framing, and faulty request framing is a 400 and a close (§6.3).
    if (rfc() && s.httpMajor_ == 1 && s.httpMinor_ == 0 &&
        (s.flags_ & flags::kTransferEncoding) != 0 && !lenient(lenient::kTransferEncoding)) {
        result = fail(p, ParserError::InvalidTransferEncoding,
                      "Transfer-Encoding in an HTTP/1.0 request");
        return false;
    }
    if (s.handler_ == nullptr) return afterHeadersComplete(p, result);
    const HeadersAction action = s.handler_->onHeadersComplete(s);
    if (action == HeadersAction::Continue && !s.upgrade_ && s.declaredLength_ == 0 &&
        (s.flags_ & (flags::kTransferEncoding | flags::kChunked)) == 0) {
        // The usual request, without a body or an upgrade: afterHeadersComplete,
        // messageComplete, upgradeCheck and afterMessageComplete in one step.
        s.state_ = State::UpgradeCheck;
        ++s.messageCount_;
        if (!verdict(s.handler_->onMessageComplete(), ParserError::CbMessageComplete, kPauseReason,
                     "`on_message_complete` callback error")) {
            result = stopped(p);
            return false;
        }
        return afterMessageComplete(p, result);
    }
    switch (action) {
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
                                        const char* p, ExecuteResult& result,
                                        const char* overflowAt) {
    const auto n = static_cast<std::size_t>(to - from);
    if (n == 0 && !complete) return true;
    // Node: chunk_extensions_nread_ > kMaxChunkExtensionsSize → 413.
    const std::uint64_t total = static_cast<std::uint64_t>(s.chunkExtensionBytes_) + n;
    if (total > kMaxChunkExtensionsSize) {
        result = fail(overflowAt != nullptr ? overflowAt : p, ParserError::ChunkExtensionsOverflow,
                      "Chunk extensions overflow");
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

}  // namespace nodecc::http
