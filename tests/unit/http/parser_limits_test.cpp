// maxHeaderSize (Node's header_nread_ rule, NODE-BEHAVIOUR.md §2.3) and the counters.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;

// A request whose counted bytes (url + names + values) total `counted`.
std::string requestCounting(std::size_t counted) {
    // url "/" (1) + name "X" (1) + value.
    return "GET / HTTP/1.1\r\nX: " + std::string(counted - 2, 'v') + "\r\n\r\n";
}

TEST(ParserLimits, DefaultLimitIs16384CountedBytes) {
    EXPECT_EQ(parseOutcome(requestCounting(16383)), "ok");
    Parser parser;
    EXPECT_EQ(parser.execute(requestCounting(16384)).error, ParserError::HeaderOverflow);
    EXPECT_EQ(parser.errorReason(), "Header overflow");
    EXPECT_EQ(errorCode(ParserError::HeaderOverflow), "HPE_HEADER_OVERFLOW");
}

TEST(ParserLimits, TrailingWhitespaceCountsLeadingDoesNot) {
    // Checked against Node: llhttp's value span starts after the leading OWS and
    // ends at the CR, so trailing OWS is counted although rawHeaders trims it.
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nA: " + std::string(16380, 'a') + "  \r\n\r\n"),
              "HPE_HEADER_OVERFLOW");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nA:   " + std::string(16381, 'a') + "\r\n\r\n"), "ok");
}

TEST(ParserLimits, UrlAloneCounts) {
    EXPECT_EQ(parseOutcome("GET /" + std::string(16382, 'a') + " HTTP/1.1\r\n\r\n"), "ok");
    EXPECT_EQ(parseOutcome("GET /" + std::string(16383, 'a') + " HTTP/1.1\r\n\r\n"),
              "HPE_HEADER_OVERFLOW");
}

TEST(ParserLimits, CustomLimitAndNodesZeroMeansDefault) {
    ParserOptions small;
    small.maxHeaderSize = 100;
    EXPECT_EQ(parseOutcome(requestCounting(99), small), "ok");
    EXPECT_EQ(parseOutcome(requestCounting(100), small), "HPE_HEADER_OVERFLOW");
    ParserOptions zero;
    zero.maxHeaderSize = 0;
    Parser parser(nullptr, zero);
    EXPECT_EQ(parser.options().maxHeaderSize, kDefaultMaxHeaderSize);
}

TEST(ParserLimits, OverflowIsFoundWhateverTheSplit) {
    ParserOptions small;
    small.maxHeaderSize = 100;
    const std::string request = requestCounting(100);
    EXPECT_EQ(testing::parseTranscriptBytewise(request, small),
              R"([["error","HPE_HEADER_OVERFLOW","Header overflow"]])");
    // A head that never ends is stopped at the limit, not buffered forever.
    Parser parser(nullptr, small);
    std::string endless = "GET / HTTP/1.1\r\nX: ";
    ExecuteResult result = parser.execute(endless);
    for (int i = 0; i < 200 && result.error == ParserError::Ok; ++i) result = parser.execute("v");
    EXPECT_EQ(result.error, ParserError::HeaderOverflow);
}

TEST(ParserLimits, CounterResetsPerMessage) {
    ParserOptions small;
    small.maxHeaderSize = 100;
    const std::string one = requestCounting(90);
    EXPECT_EQ(parseOutcome(one + one + one, small), "ok");
}

TEST(ParserLimits, HeaderBytesAreExposed) {
    struct Capture final : ParserHandler {
        Parser* parser = nullptr;
        std::uint32_t beforeComplete = 0;
        ParserAction onHeader(std::string_view, std::string_view) override {
            beforeComplete = parser->headerBytes();
            return ParserAction::Continue;
        }
    } capture;
    Parser parser(&capture);
    capture.parser = &parser;
    ASSERT_EQ(parser.execute("GET /abc HTTP/1.1\r\nName: value  \r\n\r\n").error, ParserError::Ok);
    // url 4 + name 4 + raw value 7 (trailing whitespace counts, as in llhttp's span).
    EXPECT_EQ(capture.beforeComplete, 15u);
    EXPECT_EQ(parser.headerBytes(), 0u);  // reset at headers complete
}

// Found by the fuzzer. Node counts a header name toward maxHeaderSize when its span is
// flushed: at the end of each read, never at an error. So an over-long name that also
// holds an invalid byte is a token error when it arrives in one read and an overflow
// when it arrives in pieces. Checked against Node v20 (llhttp) both ways.
TEST(ParserLimits, OverflowOrTokenErrorDependsOnReadsAsInNode) {
    ParserOptions options;
    options.maxHeaderSize = 100;
    const std::string request = "GET / HTTP/1.1\r\n" + std::string(200, 'a') + " b: c\r\n\r\n";
    EXPECT_EQ(testing::parseTranscript(request, options),
              R"([["error","HPE_INVALID_HEADER_TOKEN","Invalid header token"]])");
    EXPECT_EQ(testing::parseTranscriptBytewise(request, options),
              R"([["error","HPE_HEADER_OVERFLOW","Header overflow"]])");
}

}  // namespace
}  // namespace nodecc::http
