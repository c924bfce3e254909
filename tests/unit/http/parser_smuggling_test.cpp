// Request smuggling: ambiguous framing is an error (RFC 9112 §6.1, §6.3, §11.2).
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;
using testing::parseTranscript;

TEST(ParserSmuggling, ContentLengthWithTransferEncodingInEitherOrder) {
    Parser teFirst;
    EXPECT_EQ(
        teFirst
            .execute("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n")
            .error,
        ParserError::InvalidContentLength);
    EXPECT_EQ(teFirst.errorReason(), "Content-Length can't be present with Transfer-Encoding");
    Parser clFirst;
    EXPECT_EQ(
        clFirst
            .execute("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
            .error,
        ParserError::InvalidTransferEncoding);
    EXPECT_EQ(clFirst.errorReason(), "Transfer-Encoding can't be present with Content-Length");
}

TEST(ParserSmuggling, TransferEncodingMustEndInChunked) {
    Parser parser;
    EXPECT_EQ(parser.execute("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc").error,
              ParserError::InvalidTransferEncoding);
    EXPECT_EQ(parser.errorReason(), "Request has invalid `Transfer-Encoding`");
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
              "HPE_INVALID_TRANSFER_ENCODING");
    EXPECT_EQ(
        parseOutcome(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"),
        "HPE_INVALID_TRANSFER_ENCODING");
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n"),
              "HPE_INVALID_TRANSFER_ENCODING");
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
              "HPE_INVALID_TRANSFER_ENCODING");
}

TEST(ParserSmuggling, CodingsBeforeChunkedAreFramingButFlagged) {
    Parser parser;
    ASSERT_EQ(parser.execute("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_TRUE(parser.isChunked());
    // RFC 9112 §6.1: a server SHOULD answer 501 to codings it does not understand.
    EXPECT_NE(parser.flags() & flags::kTransferCodingOther, 0);
    Parser plain;
    ASSERT_EQ(plain.execute("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_EQ(plain.flags() & flags::kTransferCodingOther, 0);
}

TEST(ParserSmuggling, DuplicateContentLengthAndEmptyTransferEncoding) {
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
              "HPE_UNEXPECTED_CONTENT_LENGTH");
    // llhttp 9.3: an empty Transfer-Encoding sets nothing; the message has no body.
    EXPECT_EQ(parseTranscript("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", {}),
              R"([["hc","POST","/","1.1",[["Transfer-Encoding",""]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserSmuggling, TransferEncodingInHttp10IsFaultyFraming) {
    const std::string request =
        "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; for a request that
    // is a 400 and a close (§6.3). Node parses it and keeps the connection alive.
    Parser parser;
    const auto result = parser.execute(request);
    EXPECT_EQ(result.error, ParserError::InvalidTransferEncoding);
    EXPECT_EQ(parser.errorReason(), "Transfer-Encoding in an HTTP/1.0 request");
    EXPECT_EQ(parser.messageCount(), 0u);
    EXPECT_EQ(
        parseTranscript(request, ParserOptions::nodeStrict()),
        R"([["hc","POST","/","1.0",[["Connection","keep-alive"],["Transfer-Encoding","chunked"]],1,0],["mc"],["finish","ok"]])");
    EXPECT_EQ(parseOutcome("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                           ParserOptions::insecure()),
              "ok");
}

TEST(ParserSmuggling, DataAfterConnectionCloseIsAnError) {
    Parser parser;
    const auto result =
        parser.execute("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
    EXPECT_EQ(result.error, ParserError::ClosedConnection);
    EXPECT_EQ(parser.errorReason(), "Data after `Connection: close`");
    EXPECT_EQ(parser.messageCount(), 1u);
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nConnection: close\r\n\r\n\r\n\r\n"), "ok");
}

}  // namespace
}  // namespace nodecc::http
