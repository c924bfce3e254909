// Request targets: origin-, absolute-, authority- (CONNECT) and asterisk-form, HTTP/0.9 lines.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using namespace std::string_literals;

using testing::parseOutcome;
using testing::parseTranscript;

std::string urlOf(const std::string& requestLine, ParserOptions options = {}) {
    const std::string transcript = parseTranscript(requestLine + "\r\nHost: x\r\n\r\n", options);
    const auto start = transcript.find("[\"hc\",\"");
    if (start == std::string::npos) return "error";
    const auto urlStart = transcript.find(",\"", start + 6) + 2;
    return transcript.substr(urlStart, transcript.find('"', urlStart) - urlStart);
}

TEST(ParserUrls, OriginFormKeepsPathAndQueryVerbatim) {
    EXPECT_EQ(urlOf("GET /a/b%20c?x=1&y=2?z HTTP/1.1"), "/a/b%20c?x=1&y=2?z");
    EXPECT_EQ(urlOf("GET / HTTP/1.1"), "/");
}

TEST(ParserUrls, AbsoluteFormKeepsSchemeAndAuthority) {
    EXPECT_EQ(urlOf("GET http://example.test:8080/a?b HTTP/1.1"), "http://example.test:8080/a?b");
    EXPECT_EQ(urlOf("GET http://example.test HTTP/1.1"), "http://example.test");
    EXPECT_EQ(urlOf("GET http://[::1]:80/ HTTP/1.1"), "http://[::1]:80/");
}

TEST(ParserUrls, AuthorityFormForConnect) {
    const std::string t =
        parseTranscript("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n\r\n", {});
    EXPECT_EQ(
        t,
        R"([["hc","CONNECT","example.test:443","1.1",[["Host","x"]],1,1],["mc"],["upgrade",46]])");
}

TEST(ParserUrls, AsteriskFormForOptions) {
    EXPECT_EQ(urlOf("OPTIONS * HTTP/1.1"), "*");
    // RFC 9112 §3.2.4: "*" only with OPTIONS, and only "*" (Node accepts both).
    EXPECT_EQ(urlOf("GET * HTTP/1.1"), "error");
    EXPECT_EQ(urlOf("OPTIONS *x HTTP/1.1"), "error");
    EXPECT_EQ(urlOf("GET * HTTP/1.1", ParserOptions::nodeStrict()), "*");
    EXPECT_EQ(urlOf("OPTIONS *x HTTP/1.1", ParserOptions::nodeStrict()), "*x");
}

TEST(ParserUrls, InvalidCharactersAreInvalidUrl) {
    for (const char* line :
         {"GET /a b HTTP/1.1", "GET /a\tb HTTP/1.1", "GET /a\x01 HTTP/1.1", "GET /\x7f HTTP/1.1",
          "GET /\xc3\xa9 HTTP/1.1", "GET http:/a HTTP/1.1", "GET ftp1://a/ HTTP/1.1",
          "GET a HTTP/1.1", "GET http://a@@b/ HTTP/1.1"}) {
        const std::string request = std::string(line) + "\r\n\r\n";
        const std::string outcome = parseOutcome(request, ParserOptions::nodeStrict());
        EXPECT_TRUE(outcome == "HPE_INVALID_URL" || outcome == "HPE_INVALID_CONSTANT" ||
                    outcome == "HPE_INVALID_VERSION")
            << line << " -> " << outcome;
    }
    EXPECT_EQ(parseOutcome("GET /\x01 HTTP/1.1\r\n\r\n"), "HPE_INVALID_URL");
    EXPECT_EQ(parseOutcome("GET /\0 HTTP/1.1\r\n\r\n"s), "HPE_INVALID_URL");
}

TEST(ParserUrls, StrictTargetRejectsWhatRfc3986Forbids) {
    // Accepted by Node (llhttp's URL table) and by nodecc's default (the RFCs only say
    // SHOULD); refused with ParserOptions::strictTarget (docs/CONFORMANCE.md).
    ParserOptions strict;
    strict.strictTarget = true;
    for (const char* target : {"/a|b", "/a{b}", "/a^b", "/a`b", "/a\\b", "/a<b>", "/a\"b",
                               "/a#frag", "/a?q=|", "http://user:pw@example.test/"}) {
        const std::string request = std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
        EXPECT_EQ(parseOutcome(request, strict), "HPE_INVALID_URL") << target;
        EXPECT_EQ(parseOutcome(request), "ok") << target;
        EXPECT_EQ(parseOutcome(request, ParserOptions::nodeStrict()), "ok") << target;
    }
    EXPECT_EQ(urlOf("GET /a?b[]=1 HTTP/1.1"), "/a?b[]=1");  // kept: browsers send [ ] raw
}

TEST(ParserUrls, RfcStrictWantsAuthorityFormForConnect) {
    EXPECT_EQ(parseOutcome("CONNECT /x HTTP/1.1\r\nHost: x\r\n\r\n"), "HPE_INVALID_URL");
    EXPECT_EQ(parseOutcome("CONNECT /x HTTP/1.1\r\nHost: x\r\n\r\n", ParserOptions::nodeStrict()),
              "HPE_PAUSED_UPGRADE");
}

TEST(ParserUrls, SingleSpaceSeparatorsInRfcStrict) {
    EXPECT_EQ(parseOutcome("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), "HPE_INVALID_URL");
    EXPECT_EQ(parseOutcome("GET /  HTTP/1.1\r\nHost: x\r\n\r\n"), "HPE_INVALID_CONSTANT");
    EXPECT_EQ(parseOutcome("GET  /  HTTP/1.1\r\nHost: x\r\n\r\n", ParserOptions::nodeStrict()),
              "ok");
}

TEST(ParserUrls, Http09RequestLineAsNodeTreatsIt) {
    // llhttp: no version → 0.9, then a header section is still expected.
    EXPECT_EQ(parseTranscript("GET /\r\n\r\n", {}),
              R"([["hc","GET","/","0.9",[],0,0],["mc"],["finish","ok"]])");
    EXPECT_EQ(parseTranscript("GET /\r\nHost: x\r\n\r\n", {}),
              R"([["hc","GET","/","0.9",[["Host","x"]],0,0],["mc"],["finish","ok"]])");
    EXPECT_EQ(parseOutcome("GET /\r\n"), "eof:HPE_INVALID_EOF_STATE");
    EXPECT_EQ(parseOutcome("GET /\rx"), "HPE_INVALID_URL");
    EXPECT_EQ(parseOutcome("GET /\n\r\n"), "ok");
}

TEST(ParserUrls, UrlSplitAcrossReadsIsDeliveredInPieces) {
    struct Pieces final : ParserHandler {
        std::string joined;
        int calls = 0;
        bool sawComplete = false;
        ParserAction onUrl(std::string_view piece, bool complete) override {
            joined.append(piece);
            ++calls;
            sawComplete = sawComplete || complete;
            return ParserAction::Continue;
        }
    } pieces;
    Parser parser(&pieces);
    const std::string request = "GET /abc/def?ghi HTTP/1.1\r\n\r\n";
    for (char c : request)
        ASSERT_EQ(parser.execute(std::string_view(&c, 1)).error, ParserError::Ok);
    EXPECT_EQ(pieces.joined, "/abc/def?ghi");
    EXPECT_TRUE(pieces.sawComplete);
    EXPECT_GE(pieces.calls, 12);
}

}  // namespace
}  // namespace nodecc::http
