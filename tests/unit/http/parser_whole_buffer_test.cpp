// The paths the parser takes when a header line, a chunk's framing or a whole bodiless
// request is in one buffer (parser_machine.cpp wholeHeaderLine, the chunk chain,
// headersComplete's bodiless end) stop, count and resume exactly as the state-by-state
// paths a split read takes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nodecc/http/parser.hpp"

namespace nodecc::http {
namespace {

TEST(ParserWholeBuffer, PauseInAWholeHeaderLineStopsAfterItsCrlf) {
    struct Handler final : ParserHandler {
        const Parser* parser = nullptr;
        std::vector<std::string> headers;
        std::vector<std::uint32_t> counts;
        ParserAction onHeader(std::string_view name, std::string_view value) override {
            headers.push_back(std::string(name) + "=" + std::string(value));
            counts.push_back(parser->headerCount());
            return ParserAction::Pause;
        }
    } handler;
    Parser parser(&handler);
    handler.parser = &parser;
    const std::string request = "GET / HTTP/1.1\r\nHost: a \r\nAccept: */*\r\n\r\n";
    ExecuteResult result = parser.execute(request);
    ASSERT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(result.consumed, request.find("Accept"));
    parser.resume();
    std::string_view rest = std::string_view(request).substr(result.consumed);
    result = parser.execute(rest);
    ASSERT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(result.consumed, rest.size() - 2);
    parser.resume();
    EXPECT_EQ(parser.execute(rest.substr(result.consumed)).error, ParserError::Ok);
    EXPECT_EQ(handler.headers, (std::vector<std::string>{"Host=a", "Accept=*/*"}));
    EXPECT_EQ(handler.counts, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(parser.messageCount(), 1u);
}

TEST(ParserWholeBuffer, PauseAtAChunksEndResumesWithTheNextChunk) {
    struct Handler final : ParserHandler {
        std::string body;
        int chunks = 0;
        ParserAction onBody(std::string_view data) override {
            body.append(data);
            return ParserAction::Continue;
        }
        ParserAction onChunkComplete() override {
            ++chunks;
            return ParserAction::Pause;
        }
    } handler;
    Parser parser(&handler);
    const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string request = head + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    ExecuteResult result = parser.execute(request);
    ASSERT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(result.consumed, head.size() + 8);  // after the first chunk's CRLF
    EXPECT_EQ(handler.body, "abc");
    std::size_t offset = result.consumed;
    parser.resume();
    result = parser.execute(std::string_view(request).substr(offset));
    ASSERT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(result.consumed, 7u);
    EXPECT_EQ(handler.body, "abcde");
    offset += result.consumed;
    parser.resume();
    result = parser.execute(std::string_view(request).substr(offset));
    ASSERT_EQ(result.error, ParserError::Paused);  // the last chunk's on_chunk_complete
    EXPECT_EQ(result.consumed, request.size() - offset);
    EXPECT_EQ(handler.chunks, 3);
    EXPECT_EQ(parser.messageCount(), 0u);  // on_message_complete comes after the resume
    parser.resume();
    EXPECT_EQ(parser.execute("").error, ParserError::Ok);
    EXPECT_EQ(parser.messageCount(), 1u);
}

TEST(ParserWholeBuffer, HeaderOverflowInAWholeLineIsReportedWhereLlhttpReportsIt) {
    ParserOptions options;
    options.maxHeaderSize = 20;
    // A name that crosses the limit is reported after its colon, a value after its CR.
    const std::string longName = "GET / HTTP/1.1\r\nAn-Overlong-Header-Name: v\r\n\r\n";
    const std::string longValue = "GET / HTTP/1.1\r\nName: a-value-past-the-limit\r\n\r\n";
    Parser parser(nullptr, options);
    ExecuteResult result = parser.execute(longName);
    EXPECT_EQ(result.error, ParserError::HeaderOverflow);
    EXPECT_EQ(result.consumed, longName.find(':') + 1);
    parser.initialize(nullptr, options);
    result = parser.execute(longValue);
    EXPECT_EQ(result.error, ParserError::HeaderOverflow);
    EXPECT_EQ(result.consumed, longValue.find('\r', 16) + 1);
}

TEST(ParserWholeBuffer, CommonMethodsAndChunkedAreRecognisedWhole) {
    for (const char* method : {"POST", "PUT", "HEAD", "DELETE", "PATCH"}) {
        Parser parser;
        const std::string request = std::string(method) + " /x HTTP/1.1\r\nHost: a\r\n\r\n";
        ASSERT_EQ(parser.execute(request).error, ParserError::Ok) << method;
        EXPECT_EQ(parser.methodName(), method);
    }
    Parser parser;
    ASSERT_EQ(parser.execute("POST / HTTP/1.1\r\nTransfer-Encoding: ChUnKeD\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_TRUE(parser.isChunked());
}

}  // namespace
}  // namespace nodecc::http
