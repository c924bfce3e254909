// Private to the parser: the state enum, the grammar constants and the
// per-execute() machine shared by parser.cpp (the public API),
// parser_machine.cpp (the hot loop) and parser_transitions.cpp (the steps
// between states: header values, message and chunk boundaries, pieces).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "http/parser_tables.hpp"
#include "nodecc/http/parser.hpp"

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

namespace detail {

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

inline char asciiLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// The longest prefix `token` shares with any method name: llhttp matches methods
// with a trie and stops at the first byte no method can continue with.
inline std::size_t methodPrefixLength(std::string_view token) {
    std::size_t longest = 0;
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        const std::string_view name = methodName(static_cast<Method>(i));
        std::size_t n = 0;
        while (n < name.size() && n < token.size() && name[n] == token[n]) ++n;
        longest = std::max(longest, n);
    }
    return longest;
}

// llhttp never backtracks in its method trie: a bad method token is "Expected space
// after method" only when the longest prefix it shares with any method is itself a
// whole method ("GETX"), else "Invalid method encountered" ("GET_" walks towards
// GET_PARAMETER and fails there). Either way the error is at the end of that prefix.
inline const char* methodErrorReason(std::string_view token, std::size_t prefixLength) {
    return methodFromName(token.substr(0, prefixLength)) ? "Expected space after method"
                                                         : "Invalid method encountered";
}

// "HTTP/1." at p, which has at least 7 readable bytes: two overlapping word compares (a
// 7-byte memcmp is a library call).
inline bool isHttp1Prefix(const char* p) {
    std::uint32_t head = 0;
    std::uint32_t tail = 0;
    std::uint32_t wantHead = 0;
    std::uint32_t wantTail = 0;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + 3, 4);
    std::memcpy(&wantHead, "HTTP", 4);
    std::memcpy(&wantTail, "P/1.", 4);
    return head == wantHead && tail == wantTail;
}

// A common method and its SP at p, which has at least 8 readable bytes: the method's length
// (0: none of them; the general path decides). Word compares, not the method switch.
inline std::size_t commonMethod(const char* p, Method& method) {
    const auto word = [](const char* at) {
        std::uint32_t w = 0;
        std::memcpy(&w, at, 4);
        return w;
    };
    const auto literal = [&](const char(&text)[5]) { return word(text); };
    const std::uint32_t head = word(p);
    if (head == literal("POST") && p[4] == ' ') {
        method = Method::Post;
        return 4;
    }
    if (head == literal("PUT ")) {
        method = Method::Put;
        return 3;
    }
    if (head == literal("HEAD") && p[4] == ' ') {
        method = Method::Head;
        return 4;
    }
    if (head == literal("DELE") && p[4] == 'T' && p[5] == 'E' && p[6] == ' ') {
        method = Method::Delete;
        return 6;
    }
    if (head == literal("PATC") && p[4] == 'H' && p[5] == ' ') {
        method = Method::Patch;
        return 5;
    }
    return 0;
}

inline bool isRtspOnly(Method method) {
    return static_cast<std::uint8_t>(method) >= static_cast<std::uint8_t>(Method::Describe) &&
           method != Method::Query;
}

constexpr const char* kPauseReason = "Paused by callback";

}  // namespace detail

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
        s.state_ = Parser::State::Dead;
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
        s.state_ = Parser::State::Dead;
        return false;
    }

    // llhttp_should_keep_alive; a request never needs EOF to end its body. Here so that the
    // end of every message inlines it (Parser::shouldKeepAlive is the public face).
    static bool keepAlive(const Parser& parser) {
        if (parser.httpMajor_ > 0 && parser.httpMinor_ > 0) {
            return (parser.flags_ & flags::kConnectionClose) == 0;
        }
        return (parser.flags_ & flags::kConnectionKeepAlive) != 0;
    }

    bool lenient(std::uint16_t flag) const { return (s.options_.lenientFlags & flag) != 0; }
    bool rfc() const { return s.options_.rfcStrict; }
    bool strictTarget() const { return s.options_.rfcStrict && s.options_.strictTarget; }

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
    bool deliverValue(const char* p, ExecuteResult& result);
    bool emptyValue(const char* p, ExecuteResult& result);
    bool headersComplete(const char* p, ExecuteResult& result);
    bool afterHeadersComplete(const char* p, ExecuteResult& result);
    bool messageComplete(const char* p, ExecuteResult& result);
    bool afterMessageComplete(const char* p, ExecuteResult& result);
    bool upgradeCheck(const char* p, ExecuteResult& result);
    detail::HeaderKind finalNameKind(const char* pieceEnd) const;
    void updateNameMatch(const char* from, const char* to);
    bool chunkHeader(const char* p, ExecuteResult& result);
    // p: where a pause stops; overflowAt: where an overflow is reported (default p).
    bool chunkExtensionPiece(bool value, const char* from, const char* to, bool complete,
                             const char* p, ExecuteResult& result,
                             const char* overflowAt = nullptr);
    bool methodDone(const char* p, ExecuteResult& result);
    enum class Line : std::uint8_t { Fallback, Done, Stop };
    Line wholeHeaderLine(const char*& p, ExecuteResult& result);
};

// The end of a header value once its pending flag is applied (completeValue): hand it out
// with its name. Inline so that a general header's line whole in the buffer ends in run().
[[gnu::always_inline]] inline bool ParserMachine::deliverValue(const char* p,
                                                               ExecuteResult& result) {
    std::string_view value;
    if (mark != nullptr && valueEnd != nullptr) {
        value = trimTrailingWhitespace({mark, static_cast<std::size_t>(valueEnd - mark)});
    }
    mark = nullptr;
    valueEnd = nullptr;
    s.state_ = Parser::State::FieldStart;
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
    if (!verdict(action, ParserError::CbHeaderValueComplete, detail::kPauseReason,
                 "`on_header_value_complete` callback error")) {
        result = stopped(p);
        return false;
    }
    return true;
}

// Inline: the end of every message that has no body goes through it.
inline bool ParserMachine::afterMessageComplete(const char*, ExecuteResult&) {
    const bool keepAlive = ParserMachine::keepAlive(s);
    s.finishUnsafe_ = false;
    s.finishWithCallback_ = false;
    s.flags_ = 0;
    s.declaredLength_ = 0;
    s.state_ =
        keepAlive || lenient(lenient::kKeepAlive) ? Parser::State::Start : Parser::State::Closed;
    return true;
}

}  // namespace nodecc::http
