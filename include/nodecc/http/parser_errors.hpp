// nodecc::http::ParserError — the parser's error codes, with llhttp's names.
//
// The numeric values are llhttp's `llhttp_errno_t`, so `errorCode()` returns
// exactly the `err.code` Node puts on a 'clientError' (HPE_INVALID_METHOD …).
// Node's binding adds two codes of its own through HPE_USER ("CODE:reason");
// they are first-class values here: HeaderOverflow (the server answers 431)
// and ChunkExtensionsOverflow (413).
//
//     auto [consumed, err] = parser.execute(bytes);
//     if (nodecc::http::isParseError(err)) {
//         std::printf("%s: %.*s\n", nodecc::http::errorCode(err).data(),
//                     int(parser.errorReason().size()), parser.errorReason().data());
//     }
//
// Threading: constant data; safe from any thread. Cost: none.
#pragma once

#include <cstdint>
#include <string_view>

namespace nodecc::http {

enum class ParserError : std::uint8_t {
    Ok = 0,
    Internal = 1,
    Strict = 2,
    LfExpected = 3,
    UnexpectedContentLength = 4,
    ClosedConnection = 5,
    InvalidMethod = 6,
    InvalidUrl = 7,
    InvalidConstant = 8,
    InvalidVersion = 9,
    InvalidHeaderToken = 10,
    InvalidContentLength = 11,
    InvalidChunkSize = 12,
    InvalidStatus = 13,
    InvalidEofState = 14,
    InvalidTransferEncoding = 15,
    CbMessageBegin = 16,
    CbHeadersComplete = 17,
    CbMessageComplete = 18,
    CbChunkHeader = 19,
    CbChunkComplete = 20,
    Paused = 21,
    PausedUpgrade = 22,
    PausedH2Upgrade = 23,
    User = 24,
    CrExpected = 25,
    CbUrlComplete = 26,
    CbStatusComplete = 27,
    CbHeaderFieldComplete = 28,
    CbHeaderValueComplete = 29,
    UnexpectedSpace = 30,
    CbReset = 31,
    CbMethodComplete = 32,
    CbVersionComplete = 33,
    CbChunkExtensionNameComplete = 34,
    CbChunkExtensionValueComplete = 35,
    // Node's binding (node_http_parser.cc), reported by llhttp as HPE_USER.
    HeaderOverflow = 100,
    ChunkExtensionsOverflow = 101,
};

/// Node's `err.code`: "HPE_OK", "HPE_INVALID_METHOD", "HPE_HEADER_OVERFLOW" …
std::string_view errorCode(ParserError error) noexcept;

/// True for HPE_PAUSED, HPE_PAUSED_UPGRADE: execute() stopped but the stream is fine.
/// (HPE_PAUSED_H2_UPGRADE is an error for an HTTP/1 server, as in Node.)
constexpr bool isPause(ParserError error) noexcept {
    return error == ParserError::Paused || error == ParserError::PausedUpgrade;
}

/// True for every code that ends the connection's parsing (not Ok, not a pause).
constexpr bool isParseError(ParserError error) noexcept {
    return error != ParserError::Ok && !isPause(error);
}

}  // namespace nodecc::http
