#include "nodecc/http/parser_errors.hpp"

namespace nodecc::http {

std::string_view errorCode(ParserError error) noexcept {
    switch (error) {
        case ParserError::Ok:
            return "HPE_OK";
        case ParserError::Internal:
            return "HPE_INTERNAL";
        case ParserError::Strict:
            return "HPE_STRICT";
        case ParserError::LfExpected:
            return "HPE_LF_EXPECTED";
        case ParserError::UnexpectedContentLength:
            return "HPE_UNEXPECTED_CONTENT_LENGTH";
        case ParserError::ClosedConnection:
            return "HPE_CLOSED_CONNECTION";
        case ParserError::InvalidMethod:
            return "HPE_INVALID_METHOD";
        case ParserError::InvalidUrl:
            return "HPE_INVALID_URL";
        case ParserError::InvalidConstant:
            return "HPE_INVALID_CONSTANT";
        case ParserError::InvalidVersion:
            return "HPE_INVALID_VERSION";
        case ParserError::InvalidHeaderToken:
            return "HPE_INVALID_HEADER_TOKEN";
        case ParserError::InvalidContentLength:
            return "HPE_INVALID_CONTENT_LENGTH";
        case ParserError::InvalidChunkSize:
            return "HPE_INVALID_CHUNK_SIZE";
        case ParserError::InvalidStatus:
            return "HPE_INVALID_STATUS";
        case ParserError::InvalidEofState:
            return "HPE_INVALID_EOF_STATE";
        case ParserError::InvalidTransferEncoding:
            return "HPE_INVALID_TRANSFER_ENCODING";
        case ParserError::CbMessageBegin:
            return "HPE_CB_MESSAGE_BEGIN";
        case ParserError::CbHeadersComplete:
            return "HPE_CB_HEADERS_COMPLETE";
        case ParserError::CbMessageComplete:
            return "HPE_CB_MESSAGE_COMPLETE";
        case ParserError::CbChunkHeader:
            return "HPE_CB_CHUNK_HEADER";
        case ParserError::CbChunkComplete:
            return "HPE_CB_CHUNK_COMPLETE";
        case ParserError::Paused:
            return "HPE_PAUSED";
        case ParserError::PausedUpgrade:
            return "HPE_PAUSED_UPGRADE";
        case ParserError::PausedH2Upgrade:
            return "HPE_PAUSED_H2_UPGRADE";
        case ParserError::User:
            return "HPE_USER";
        case ParserError::CrExpected:
            return "HPE_CR_EXPECTED";
        case ParserError::CbUrlComplete:
            return "HPE_CB_URL_COMPLETE";
        case ParserError::CbStatusComplete:
            return "HPE_CB_STATUS_COMPLETE";
        case ParserError::CbHeaderFieldComplete:
            return "HPE_CB_HEADER_FIELD_COMPLETE";
        case ParserError::CbHeaderValueComplete:
            return "HPE_CB_HEADER_VALUE_COMPLETE";
        case ParserError::UnexpectedSpace:
            return "HPE_UNEXPECTED_SPACE";
        case ParserError::CbReset:
            return "HPE_CB_RESET";
        case ParserError::CbMethodComplete:
            return "HPE_CB_METHOD_COMPLETE";
        case ParserError::CbVersionComplete:
            return "HPE_CB_VERSION_COMPLETE";
        case ParserError::CbChunkExtensionNameComplete:
            return "HPE_CB_CHUNK_EXTENSION_NAME_COMPLETE";
        case ParserError::CbChunkExtensionValueComplete:
            return "HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE";
        case ParserError::HeaderOverflow:
            return "HPE_HEADER_OVERFLOW";
        case ParserError::ChunkExtensionsOverflow:
            return "HPE_CHUNK_EXTENSIONS_OVERFLOW";
    }
    return "HPE_INTERNAL";
}

}  // namespace nodecc::http
