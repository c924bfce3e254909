// Several messages in one buffer, and the same stream cut anywhere.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseTranscript;

const std::string kStream =
    "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
    "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
    "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
    "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(ParserPipelining, AllMessagesOfOneBufferAreDelivered) {
    EXPECT_EQ(
        parseTranscript(kStream, {}),
        R"([["hc","GET","/1","1.1",[["Host","a"]],1,0],["mc"],)"
        R"(["hc","POST","/2","1.1",[["Host","a"],["Content-Length","3"]],1,0],["body","abc"],["mc"],)"
        R"(["hc","POST","/3","1.1",[["Host","a"],["Transfer-Encoding","chunked"]],1,0],["body","de"],["mc"],)"
        R"(["hc","GET","/4","1.1",[["Host","a"]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserPipelining, EverySplitPointGivesTheSameEvents) {
    const std::string whole = parseTranscript(kStream, {});
    for (std::size_t cut = 1; cut < kStream.size(); ++cut) {
        ASSERT_EQ(parseTranscript(kStream, {}, {cut}), whole) << "cut at " << cut;
    }
    EXPECT_EQ(testing::parseTranscriptBytewise(kStream, {}), whole);
}

// A header line whole in the buffer ends inside the hot loop unless it is one of the
// special headers (their flags are applied on the way); cut, it ends in its own states.
TEST(ParserPipelining, HeaderValuesEndTheSameWholeOrCut) {
    const std::string stream =
        "GET /1 HTTP/1.1\r\nX-A: a  \r\nConnection: keep-alive\r\nX-B:\r\n\r\n"
        "GET /2 HTTP/1.0\r\nConnection: keep-alive\r\nX-C: c\t\r\n\r\n"
        "GET /3 HTTP/1.1\r\nUpgrade: x\r\nConnection: close\r\n\r\n";
    const std::string whole = parseTranscript(stream, {});
    EXPECT_NE(whole.find(R"([["X-A","a"],["Connection","keep-alive"],["X-B",""]])"),
              std::string::npos)
        << whole;
    for (std::size_t cut = 1; cut < stream.size(); ++cut) {
        ASSERT_EQ(parseTranscript(stream, {}, {cut}), whole) << "cut at " << cut;
    }
    EXPECT_EQ(testing::parseTranscriptBytewise(stream, {}), whole);
}

TEST(ParserPipelining, ExecuteConsumesEverythingAndCountsMessages) {
    Parser parser;
    const ExecuteResult result = parser.execute(kStream);
    EXPECT_EQ(result.error, ParserError::Ok);
    EXPECT_EQ(result.consumed, kStream.size());
    EXPECT_EQ(parser.messageCount(), 4u);
}

TEST(ParserPipelining, Http10WithoutKeepAliveEndsTheStream) {
    Parser parser;
    EXPECT_EQ(parser.execute("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n").error,
              ParserError::ClosedConnection);
}

}  // namespace
}  // namespace nodecc::http
