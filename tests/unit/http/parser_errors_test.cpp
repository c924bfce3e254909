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
