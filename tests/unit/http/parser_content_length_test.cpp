// Content-Length framing (RFC 9112 §6.2, §6.3) as llhttp reads it.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;
using testing::parseTranscript;

TEST(ParserContentLength, BodyOfExactlyContentLengthBytes) {
    // The bytes after the body start the next message.
    EXPECT_EQ(
        parseTranscript("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET", {}),
        R"([["hc","POST","/","1.1",[["Content-Length","5"]],1,0],["body","hello"],["mc"],["finish","HPE_INVALID_EOF_STATE"]])");
    Parser parser;
    EXPECT_EQ(parser.execute("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel").error,
              ParserError::Ok);
    EXPECT_EQ(parser.contentLength(), 5u);
    EXPECT_EQ(parser.messageCount(), 0u);
    EXPECT_EQ(parser.execute("lo").error, ParserError::Ok);
    EXPECT_EQ(parser.messageCount(), 1u);
}

TEST(ParserContentLength, ZeroAndMissingMeanNoBody) {
    EXPECT_EQ(parseTranscript("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", {}),
              R"([["hc","POST","/","1.1",[["Content-Length","0"]],1,0],["mc"],["finish","ok"]])");
    EXPECT_EQ(parseTranscript("POST / HTTP/1.1\r\n\r\n", {}),
              R"([["hc","POST","/","1.1",[],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserContentLength, IncompleteBodyIsAnEofError) {
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"),
              "eof:HPE_INVALID_EOF_STATE");
}

TEST(ParserContentLength, DuplicateIsRejectedEvenWhenEqual) {
    Parser parser;
    EXPECT_EQ(parser.execute("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
                  .error,
              ParserError::UnexpectedContentLength);
    EXPECT_EQ(parser.errorReason(), "Duplicate Content-Length");
}

TEST(ParserContentLength, MalformedValues) {
    for (const char* value : {"-1", "+1", "1 2", "0x10", "1,1", "abc", "1.0", "5\t"}) {
        const std::string request =
            std::string("POST / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\n";
        EXPECT_EQ(parseOutcome(request), "HPE_INVALID_CONTENT_LENGTH") << value;
    }
    Parser empty;
    EXPECT_EQ(empty.execute("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n").error,
              ParserError::InvalidContentLength);
    EXPECT_EQ(empty.errorReason(), "Empty Content-Length");
    EXPECT_EQ(parseOutcome("POST / HTTP/1.1\r\nContent-Length: 007 \r\n\r\n1234567"), "ok");
}

TEST(ParserContentLength, OverflowIsRejected) {
    Parser parser;
    EXPECT_EQ(
        parser.execute("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n").error,
        ParserError::InvalidContentLength);
    EXPECT_EQ(parser.errorReason(), "Content-Length overflow");
    Parser max;
    EXPECT_EQ(max.execute("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_EQ(max.contentLength(), 18446744073709551615u);
}

TEST(ParserContentLength, NameIsCaseInsensitiveAndMayBeSplit) {
    const std::string request = "POST / HTTP/1.1\r\ncOnTeNt-LeNgTh: 2\r\n\r\nok";
    const std::string whole = parseTranscript(request, {});
    EXPECT_NE(whole.find("[\"body\",\"ok\"]"), std::string::npos);
    EXPECT_EQ(testing::parseTranscriptBytewise(request, {}), whole);
}

}  // namespace
}  // namespace nodecc::http
