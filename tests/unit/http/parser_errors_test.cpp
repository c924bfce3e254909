// Error codes and reasons, error positions, finish() at EOF, reinitialize().
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

TEST(ParserErrors, CodesHaveLlhttpsNamesAndNumbers) {
    EXPECT_EQ(errorCode(ParserError::Ok), "HPE_OK");
    EXPECT_EQ(errorCode(ParserError::InvalidMethod), "HPE_INVALID_METHOD");
    EXPECT_EQ(errorCode(ParserError::CrExpected), "HPE_CR_EXPECTED");
    EXPECT_EQ(errorCode(ParserError::PausedH2Upgrade), "HPE_PAUSED_H2_UPGRADE");
    EXPECT_EQ(errorCode(ParserError::ChunkExtensionsOverflow), "HPE_CHUNK_EXTENSIONS_OVERFLOW");
    EXPECT_EQ(static_cast<int>(ParserError::InvalidTransferEncoding), 15);
    EXPECT_EQ(static_cast<int>(ParserError::UnexpectedSpace), 30);
    EXPECT_EQ(static_cast<int>(ParserError::CbChunkExtensionValueComplete), 35);
    for (int code = 0; code <= 35; ++code) {
        const std::string_view name = errorCode(static_cast<ParserError>(code));
        EXPECT_TRUE(name.starts_with("HPE_")) << code;
        EXPECT_TRUE(code == 1 || name != "HPE_INTERNAL") << code;
    }
}

TEST(ParserErrors, ErrorReportsPositionAndStaysUntilReinitialize) {
    Parser parser;
    const ExecuteResult result = parser.execute("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n");
    EXPECT_EQ(result.error, ParserError::InvalidHeaderToken);
    EXPECT_EQ(result.consumed, 20u);  // the offending byte
    EXPECT_EQ(parser.errorReason(), "Invalid header value char");
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::InvalidHeaderToken);
    EXPECT_EQ(parser.finish(), ParserError::Ok);  // llhttp_finish ignores an errored parser
    parser.reinitialize();
    EXPECT_EQ(parser.error(), ParserError::Ok);
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::Ok);
}

// Node's err.bytesParsed is llhttp's error position in the failing read: the offending
// byte, or one past it where llhttp consumed the byte first (values from Node v20; the
// differential test holds every error site against Node).
TEST(ParserErrors, ErrorPositionIsLlhttps) {
    struct Row {
        const char* input;
        ParserError error;
        std::size_t whole;     // position when the input is one read
        std::size_t bytewise;  // position in the failing one-byte read
    };
    const Row rows[] = {
        {"GARBAGE\r\n\r\n", ParserError::InvalidMethod, 1, 0},
        {"GETX / HTTP/1.1\r\n", ParserError::InvalidMethod, 3, 0},
        {"GET_X / HTTP/1.1\r\n", ParserError::InvalidMethod, 4, 0},
        {"GET /a\tb HTTP/1.1\r\n", ParserError::InvalidUrl, 7, 1},
        {"GET http://a@@b/ HTTP/1.1\r\n", ParserError::InvalidUrl, 14, 1},
        {"GET / HTTP/3.1\r\n", ParserError::InvalidVersion, 14, 1},
        {"GET / HTTP/1.1\n", ParserError::InvalidVersion, 15, 1},
        {"GET / HTTP/1.1\r\n Host: x\r\n", ParserError::UnexpectedSpace, 17, 1},
        {"GET / HTTP/1.1\r\nX: a\x01\r\n", ParserError::InvalidHeaderToken, 20, 0},
        {"GET / HTTP/1.1\r\nX:\r\n b\r\n", ParserError::InvalidHeaderToken, 21, 1},
        {"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n",
         ParserError::InvalidTransferEncoding, 53, 1},
        {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n",
         ParserError::InvalidTransferEncoding, 43, 1},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
         ParserError::InvalidChunkSize, 47, 0},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a b\r\n", ParserError::Strict, 51,
         1},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\nX", ParserError::ClosedConnection, 38, 1},
    };
    for (const Row& row : rows) {
        const std::string_view input = row.input;
        Parser whole(nullptr, ParserOptions::nodeStrict());
        const ExecuteResult result = whole.execute(input);
        EXPECT_EQ(result.error, row.error) << input;
        EXPECT_EQ(result.consumed, row.whole) << input;
        Parser bytewise(nullptr, ParserOptions::nodeStrict());
        ExecuteResult last;
        for (std::size_t i = 0; i < input.size() && last.error == ParserError::Ok; ++i) {
            last = bytewise.execute(input.substr(i, 1));
        }
        EXPECT_EQ(last.error, row.error) << input;
        EXPECT_EQ(last.consumed, row.bytewise) << input;
    }
}

TEST(ParserErrors, FinishIsAnErrorOnlyMidMessage) {
    EXPECT_EQ(testing::parseOutcome(""), "ok");
    EXPECT_EQ(testing::parseOutcome("\r\n"), "ok");
    EXPECT_EQ(testing::parseOutcome("G"), "eof:HPE_INVALID_EOF_STATE");
    EXPECT_EQ(testing::parseOutcome("GET / HTTP/1.1\r\nHost: x\r\n"), "eof:HPE_INVALID_EOF_STATE");
    EXPECT_EQ(testing::parseOutcome("GET / HTTP/1.1\r\n\r\n"), "ok");
    Parser parser;
    parser.execute("GET / HTTP/1.1\r\n");
    EXPECT_EQ(parser.finish(), ParserError::InvalidEofState);
    EXPECT_EQ(parser.errorReason(), "Invalid EOF state");
}

TEST(ParserErrors, CallbackErrorsUseLlhttpsCodesOrTheUserReason) {
    struct Failing final : ParserHandler {
        Parser* parser = nullptr;
        bool user = false;
        ParserAction onMessageComplete() override {
            if (user) parser->setUserError("too many requests");
            return ParserAction::Error;
        }
        HeadersAction onHeadersComplete(const Parser&) override { return HeadersAction::Continue; }
    } failing;
    Parser parser(&failing);
    failing.parser = &parser;
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::CbMessageComplete);
    EXPECT_EQ(parser.errorReason(), "`on_message_complete` callback error");
    parser.reinitialize();
    failing.user = true;
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::User);
    EXPECT_EQ(parser.errorReason(), "too many requests");

    struct HeadersFail final : ParserHandler {
        HeadersAction onHeadersComplete(const Parser&) override { return HeadersAction::Error; }
    } headersFail;
    Parser other(&headersFail);
    EXPECT_EQ(other.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::CbHeadersComplete);
    EXPECT_EQ(other.errorReason(), "User callback error");
}

}  // namespace
}  // namespace nodecc::http
