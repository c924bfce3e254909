// ParserOptions::insecure(): Node's insecureHTTPParser (llhttp kLenientAll).
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;
using testing::parseTranscript;

const ParserOptions kInsecure = ParserOptions::insecure();

TEST(ParserLenient, FoldedHeaderContinuesTheValue) {
    EXPECT_EQ(parseTranscript("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", kInsecure),
              R"([["hc","GET","/","1.1",[["X-A","a b"]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserLenient, BareLfLineEndings) {
    EXPECT_EQ(parseTranscript("GET / HTTP/1.1\nHost: x\n\n", kInsecure),
              R"([["hc","GET","/","1.1",[["Host","x"]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserLenient, ControlCharactersInValues) {
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: a\x01"
                           "b\r\n\r\n",
                           kInsecure),
              "ok");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: a\x01"
                           "b\r\n\r\n"),
              "HPE_INVALID_HEADER_TOKEN");
}

TEST(ParserLenient, ContentLengthWithTransferEncodingIsChunked) {
    EXPECT_EQ(
        parseTranscript("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: "
                        "chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
                        kInsecure),
        R"([["hc","POST","/","1.1",[["Content-Length","3"],["Transfer-Encoding","chunked"]],1,0],["body","x"],["mc"],["finish","ok"]])");
}

TEST(ParserLenient, NonChunkedTransferEncodingReadsUntilEof) {
    EXPECT_EQ(
        parseTranscript("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc", kInsecure),
        R"([["hc","POST","/","1.1",[["Transfer-Encoding","gzip"]],1,0],["body","abc"],["mc"],["finish","ok"]])");
}

TEST(ParserLenient, KeepAliveAndDataAfterClose) {
    // Lenient keep-alive: the next request after an HTTP/1.0 one is parsed.
    EXPECT_EQ(parseOutcome("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n", kInsecure), "ok");
    ParserOptions dataAfterClose = ParserOptions::nodeStrict();
    dataAfterClose.lenientFlags = lenient::kDataAfterClose;
    EXPECT_EQ(parseOutcome("GET / HTTP/1.0\r\n\r\ngarbage", dataAfterClose), "ok");
}

TEST(ParserLenient, AnyVersionAndSpacesAfterChunkSize) {
    EXPECT_EQ(parseOutcome("GET / HTTP/5.7\r\n\r\n", kInsecure), "ok");
    EXPECT_EQ(
        parseOutcome("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n",
                     kInsecure),
        "ok");
}

TEST(ParserLenient, StillRejectsWhatNodeRejects) {
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nHost : x\r\n\r\n", kInsecure),
              "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(
        parseOutcome("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", kInsecure),
        "HPE_UNEXPECTED_CONTENT_LENGTH");
    EXPECT_EQ(parseOutcome("FOO / HTTP/1.1\r\n\r\n", kInsecure), "HPE_INVALID_METHOD");
}

}  // namespace
}  // namespace nodecc::http
