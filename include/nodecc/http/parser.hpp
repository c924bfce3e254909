// nodecc::http::Parser — the HTTP/1.1 request parser (Node's HTTPParser / llhttp).
//
// Bytes in, events out: no I/O, no allocation, fixed-size state. Incremental
// over any split of the input (down to one byte per execute()), zero-copy:
// every string an event carries is a view into the buffer passed to execute()
// and is valid only during that call. Node v20's strict llhttp behaviour by
// default, with nodecc's RFC 9112 choices on top (ParserOptions::rfcStrict,
// listed in docs/CONFORMANCE.md); ParserOptions::insecure() is Node's
// `insecureHTTPParser`.
//
//     struct Echo final : nodecc::http::ParserHandler {
//         ParserAction onHeader(std::string_view name, std::string_view value) override {
//             std::printf("%.*s: %.*s\n", int(name.size()), name.data(),
//                         int(value.size()), value.data());
//             return ParserAction::Continue;
//         }
//     } echo;
//     nodecc::http::Parser parser(&echo);
//     auto [consumed, err] = parser.execute("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
//
// Tokens split across execute() calls. The url, header names, header values
// and chunk-extension names/values arrive as pieces: onUrl(piece, complete)
// and friends, `complete` true on the last piece (which may be empty). The
// concatenation of the pieces is the token. A header line that is whole in
// one buffer arrives as a single onHeader(name, value) call instead (the
// default onHeader forwards to onHeaderField + onHeaderValue). A consumer
// that keeps a head across reads (Node's server does: one shared read buffer)
// appends pieces to its own storage; nothing else is needed.
// Header values never carry leading OWS; a value delivered in one piece has
// its trailing SP/HTAB removed too. When a value came in several pieces, the
// assembled value may end in SP/HTAB: trim it with trimTrailingWhitespace()
// (Node's binding does the same, ToTrimmedString).
//
// Driving it (Node: _http_server.js + node_http_parser.cc):
//   * execute(data) → {consumed, error}. Ok: all bytes consumed. Paused: a
//     callback returned Pause (or pause() was called); call resume() and then
//     execute(data.substr(consumed)). PausedUpgrade: onHeadersComplete
//     returned Upgrade, or an Upgrade/CONNECT request ended; the bytes from
//     `consumed` on belong to the new protocol. Any other code: a parse error
//     (errorReason() has llhttp's reason); the parser stays in error until
//     reinitialize().
//   * finish() at EOF → InvalidEofState in the middle of a message.
//
// Callbacks run inside execute(); they may read the parser's state but must
// not call execute()/finish() on it; to stop, return Pause or Error (pause()
// is for calls from outside execute(), as Node's back-pressure does).
//
// Responses (the future HTTP client) will be a ParserType; the states after
// the start line are shared, so only the status line is missing today.
//
// Threading: a Parser belongs to one thread (one connection); no shared state.
// Cost: 104 bytes of state, no allocation ever; one virtual call per event; a
// small GET parses in about 50 ns (docs/PERFORMANCE.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nodecc/http/methods.hpp"
#include "nodecc/http/parser_errors.hpp"

namespace nodecc::http {

class Parser;

/// What a callback tells the parser.
enum class ParserAction : std::uint8_t {
    Continue,
    Pause,  ///< stop; execute() returns Paused at the position after this event
    Error,  ///< stop with an error: the event's HPE_CB_* code, or HPE_USER after setUserError()
};

/// What onHeadersComplete tells the parser (Node: the return value of kOnHeadersComplete).
enum class HeadersAction : std::uint8_t {
    Continue,
    SkipBody,  ///< no body follows (llhttp 1; for responses to HEAD, future response mode)
    Upgrade,   ///< llhttp 2: no body, stop with PausedUpgrade after the head (Node's
               ///< upgrade/CONNECT)
    Pause,
    Error,
};

/// llhttp's lenient flags (Node: HTTPParser.kLenient*); insecureHTTPParser is kAll.
namespace lenient {
inline constexpr std::uint16_t kHeaders = 1 << 0;
inline constexpr std::uint16_t kChunkedLength = 1 << 1;
inline constexpr std::uint16_t kKeepAlive = 1 << 2;
inline constexpr std::uint16_t kTransferEncoding = 1 << 3;
inline constexpr std::uint16_t kVersion = 1 << 4;
inline constexpr std::uint16_t kDataAfterClose = 1 << 5;
inline constexpr std::uint16_t kOptionalLfAfterCr = 1 << 6;
inline constexpr std::uint16_t kOptionalCrlfAfterChunk = 1 << 7;
inline constexpr std::uint16_t kOptionalCrBeforeLf = 1 << 8;
inline constexpr std::uint16_t kSpacesAfterChunkSize = 1 << 9;
inline constexpr std::uint16_t kAll = 0x3ff;
}  // namespace lenient

/// Message flags (llhttp's F_*), readable through Parser::flags().
namespace flags {
inline constexpr std::uint16_t kConnectionKeepAlive = 1 << 0;
inline constexpr std::uint16_t kConnectionClose = 1 << 1;
inline constexpr std::uint16_t kConnectionUpgrade = 1 << 2;
inline constexpr std::uint16_t kChunked = 1 << 3;
inline constexpr std::uint16_t kUpgrade = 1 << 4;
inline constexpr std::uint16_t kContentLength = 1 << 5;
inline constexpr std::uint16_t kSkipBody = 1 << 6;
inline constexpr std::uint16_t kTrailing = 1 << 7;
inline constexpr std::uint16_t kTransferEncoding = 1 << 9;
/// nodecc: a Transfer-Encoding coding other than chunked was seen (RFC 9112 §6.1: 501).
inline constexpr std::uint16_t kTransferCodingOther = 1 << 10;
}  // namespace flags

enum class ParserType : std::uint8_t {
    Request,  ///< the only mode today; the state machine reserves room for responses
};

struct ParserOptions {
    ParserType type = ParserType::Request;
    /// Node's maxHeaderSize: url + header names + values of one head (or trailer
    /// section) reaching this many bytes → HeaderOverflow. 0 means Node's default.
    std::uint32_t maxHeaderSize = 16384;
    /// lenient::* bits (Node: the lenientFlags argument of parser.initialize).
    std::uint16_t lenientFlags = 0;
    /// nodecc's stricter RFC 9112 choices (docs/CONFORMANCE.md). false = exactly Node.
    bool rfcStrict = true;
    /// Also reject request-targets outside RFC 3986 (`"<>\^`{|}`, a `#fragment`),
    /// userinfo and an empty host (docs/CONFORMANCE.md items 5-6). Off by default:
    /// the RFCs only say SHOULD there, and nodecc is stricter than Node only where
    /// RFC 9112 demands it. Has effect with rfcStrict.
    bool strictTarget = false;

    /// Node's `insecureHTTPParser: true`: kLenientAll, no extra RFC checks.
    static ParserOptions insecure() noexcept {
        ParserOptions options;
        options.lenientFlags = lenient::kAll;
        options.rfcStrict = false;
        return options;
    }
    /// Node's default parser exactly (the differential oracle's mode).
    static ParserOptions nodeStrict() noexcept {
        ParserOptions options;
        options.rfcStrict = false;
        return options;
    }
};

/// Node's chunk-extension budget per chunk (node_http_parser.cc kMaxChunkExtensionsSize).
inline constexpr std::uint32_t kMaxChunkExtensionsSize = 16384;
/// Node's default --max-http-header-size.
inline constexpr std::uint32_t kDefaultMaxHeaderSize = 16384;

/// The events (llhttp's callbacks). Every method has a do-nothing default.
/// A handler keeps its own reference to the Parser if it needs the parser's
/// state outside onHeadersComplete. Callbacks must not call execute().
class ParserHandler {
  public:
    virtual ~ParserHandler() = default;

    virtual ParserAction onMessageBegin() { return ParserAction::Continue; }
    virtual ParserAction onUrl(std::string_view /*piece*/, bool /*complete*/) {
        return ParserAction::Continue;
    }
    virtual ParserAction onHeaderField(std::string_view /*piece*/, bool /*complete*/) {
        return ParserAction::Continue;
    }
    virtual ParserAction onHeaderValue(std::string_view /*piece*/, bool /*complete*/) {
        return ParserAction::Continue;
    }
    /// A whole header (or trailer) line from one buffer. The default forwards
    /// to onHeaderField(name, true) + onHeaderValue(value, true).
    virtual ParserAction onHeader(std::string_view name, std::string_view value);
    /// Method, version, flags, shouldKeepAlive(), upgrade() are final here.
    virtual HeadersAction onHeadersComplete(const Parser& /*parser*/) {
        return HeadersAction::Continue;
    }
    virtual ParserAction onBody(std::string_view /*data*/) { return ParserAction::Continue; }
    /// After the chunk-size line (extensions included); size 0 starts the trailers.
    virtual ParserAction onChunkHeader(std::uint64_t /*size*/) { return ParserAction::Continue; }
    virtual ParserAction onChunkExtensionName(std::string_view /*piece*/, bool /*complete*/) {
        return ParserAction::Continue;
    }
    virtual ParserAction onChunkExtensionValue(std::string_view /*piece*/, bool /*complete*/) {
        return ParserAction::Continue;
    }
    /// After each chunk's data; for the last chunk, after the trailers.
    virtual ParserAction onChunkComplete() { return ParserAction::Continue; }
    virtual ParserAction onMessageComplete() { return ParserAction::Continue; }
};

/// Removes trailing SP/HTAB (for header values assembled from several pieces).
constexpr std::string_view trimTrailingWhitespace(std::string_view value) noexcept {
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
}

struct ExecuteResult {
    std::size_t consumed = 0;  ///< Node's bytesParsed
    ParserError error = ParserError::Ok;
};

class Parser {
  public:
    explicit Parser(ParserHandler* handler = nullptr, ParserOptions options = {}) noexcept;

    /// Node: parser.initialize(type, resource, maxHeaderSize, lenientFlags).
    void initialize(ParserHandler* handler, ParserOptions options) noexcept;
    /// Back to the state of a fresh connection, same handler and options.
    void reinitialize() noexcept;

    /// Node: parser.execute(buffer). See the header comment for the result.
    ExecuteResult execute(std::string_view data) noexcept;
    /// Node: parser.finish() at EOF: InvalidEofState mid-message, else Ok
    /// (a body delimited by EOF completes here).
    ParserError finish() noexcept;

    /// Node: parser.pause() / resume(). pause() makes the next execute() return Paused at once.
    void pause() noexcept;
    void resume() noexcept;
    /// After PausedUpgrade: let the parser continue with the next message
    /// (llhttp_resume_after_upgrade).
    void resumeAfterUpgrade() noexcept;

    /// From a callback that returns ParserAction::Error: report HPE_USER with this reason
    /// (a string literal or other storage that outlives the parser's error state).
    void setUserError(const char* reason) noexcept;

    ParserError error() const noexcept { return error_; }
    std::string_view errorReason() const noexcept { return reason_ ? reason_ : ""; }

    // ---- the current message (final in onHeadersComplete) ----
    Method method() const noexcept { return method_; }
    std::string_view methodName() const noexcept { return http::methodName(method_); }
    std::uint8_t httpMajor() const noexcept { return httpMajor_; }
    std::uint8_t httpMinor() const noexcept { return httpMinor_; }
    /// The Content-Length value (0 without one).
    std::uint64_t contentLength() const noexcept { return declaredLength_; }
    std::uint16_t flags() const noexcept { return flags_; }
    bool isChunked() const noexcept { return (flags_ & flags::kChunked) != 0; }
    /// llhttp's parser->upgrade: Upgrade + Connection: upgrade, or CONNECT.
    bool upgrade() const noexcept { return upgrade_; }
    /// llhttp_should_keep_alive.
    bool shouldKeepAlive() const noexcept;
    /// True while trailer fields are being delivered (after the last chunk).
    bool inTrailers() const noexcept { return (flags_ & flags::kTrailing) != 0; }
    /// Node's header_nread_: url + names + values counted so far in this head / trailer section.
    std::uint32_t headerBytes() const noexcept { return headerBytes_; }
    /// Header (or trailer) fields seen so far in this head / trailer section, for the
    /// server's maxHeadersCount / maxHeaderPairs rules (ECHO.md §3.1).
    std::uint32_t headerCount() const noexcept { return headerCount_; }
    /// Messages completed since initialize().
    std::uint64_t messageCount() const noexcept { return messageCount_; }
    // Between messages with nothing pending: a fresh parser (initialize()) would behave the
    // same on any further bytes. (A server may then give the parser back to its pool.)
    bool atMessageBoundary() const noexcept;
    const ParserOptions& options() const noexcept { return options_; }

    enum class State : std::uint8_t;  // defined in src/http/parser.cpp

  private:
    friend struct ParserMachine;
    struct Fresh {};
    explicit Parser(Fresh) noexcept {}

    ParserHandler* handler_ = nullptr;
    ParserOptions options_{};
    const char* reason_ = nullptr;
    std::uint64_t remaining_ = 0;       // body bytes left (identity body or current chunk)
    std::uint64_t declaredLength_ = 0;  // Content-Length as declared
    std::uint64_t messageCount_ = 0;
    std::uint32_t headerBytes_ = 0;
    std::uint32_t headerCount_ = 0;
    std::uint32_t chunkExtensionBytes_ = 0;
    std::uint32_t tokenLength_ = 0;  // bytes of the current token delivered in earlier pieces
    std::uint16_t flags_ = 0;
    State state_{};
    std::uint8_t subState_ = 0;     // position inside a literal / special-header machine
    std::uint8_t headerKind_ = 0;   // which special header the current field is
    std::uint8_t nameMatch_ = 0;    // special names still matching a split field name
    std::uint8_t pendingFlag_ = 0;  // Connection token / chunked seen, applied when the value ends
    ParserError error_ = ParserError::Ok;
    Method method_ = Method::Get;
    std::uint8_t httpMajor_ = 0;
    std::uint8_t httpMinor_ = 0;
    std::uint8_t methodLength_ = 0;
    char methodBuffer_[14] = {};  // a method split across reads (longest: GET_PARAMETER)
    bool upgrade_ = false;
    bool finishUnsafe_ = false;        // llhttp FINISH_UNSAFE: EOF now is an error
    bool finishWithCallback_ = false;  // llhttp FINISH_SAFE_WITH_CB: EOF ends the body
    bool userErrorSet_ = false;
};

}  // namespace nodecc::http
