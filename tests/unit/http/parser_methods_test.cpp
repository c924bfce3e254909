// Request methods: Node's 35 (require('http').METHODS), llhttp's errors for the rest.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/methods.hpp"
#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;
using testing::parseTranscript;

// `node -p "require('http').METHODS"` (v20.20.2).
constexpr std::string_view kNodeMethods[] = {
    "ACL",       "BIND",      "CHECKOUT", "CONNECT",  "COPY",   "DELETE",     "GET",
    "HEAD",      "LINK",      "LOCK",     "M-SEARCH", "MERGE",  "MKACTIVITY", "MKCALENDAR",
    "MKCOL",     "MOVE",      "NOTIFY",   "OPTIONS",  "PATCH",  "POST",       "PROPFIND",
    "PROPPATCH", "PURGE",     "PUT",      "QUERY",    "REBIND", "REPORT",     "SEARCH",
    "SOURCE",    "SUBSCRIBE", "TRACE",    "UNBIND",   "UNLINK", "UNLOCK",     "UNSUBSCRIBE",
};

TEST(ParserMethods, NodeTableHas35MethodsThatRoundTrip) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < kMethodCount; ++i) {
        if (isNodeMethod(static_cast<Method>(i))) ++count;
    }
    EXPECT_EQ(count, 35u);
    for (const std::string_view name : kNodeMethods) {
        const auto method = methodFromName(name);
        ASSERT_TRUE(method.has_value()) << name;
        EXPECT_TRUE(isNodeMethod(*method)) << name;
        EXPECT_EQ(methodName(*method), name);
    }
}

TEST(ParserMethods, EveryNodeMethodParses) {
    for (const std::string_view name : kNodeMethods) {
        const std::string target = name == "CONNECT" ? "example.test:443" : "/x";
        const std::string request =
            std::string(name) + " " + target + " HTTP/1.1\r\nHost: example.test\r\n\r\n";
        const std::string transcript = parseTranscript(request, {});
        EXPECT_NE(transcript.find("[\"hc\",\"" + std::string(name) + "\""), std::string::npos)
            << transcript;
    }
}

TEST(ParserMethods, NumberingIsLlhttps) {
    EXPECT_EQ(static_cast<int>(Method::Delete), 0);
    EXPECT_EQ(static_cast<int>(Method::Get), 1);
    EXPECT_EQ(static_cast<int>(Method::Connect), 5);
    EXPECT_EQ(static_cast<int>(Method::Source), 33);
    EXPECT_EQ(static_cast<int>(Method::Query), 46);
    EXPECT_EQ(methodName(Method::MSearch), "M-SEARCH");
}

TEST(ParserMethods, UnknownOrLowercaseMethodIsInvalidMethod) {
    EXPECT_EQ(parseOutcome("FOO / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
    EXPECT_EQ(parseOutcome("get / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
    EXPECT_EQ(parseOutcome("GARBAGE\r\n\r\n"), "HPE_INVALID_METHOD");
    EXPECT_EQ(parseOutcome(" / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
}

TEST(ParserMethods, MethodMustBeFollowedBySpace) {
    Parser parser(nullptr, ParserOptions::nodeStrict());
    EXPECT_EQ(parser.execute("GETX / HTTP/1.1\r\n\r\n").error, ParserError::InvalidMethod);
    EXPECT_EQ(parser.errorReason(), "Expected space after method");
    Parser tab(nullptr, ParserOptions::nodeStrict());
    EXPECT_EQ(tab.execute("GET\t/ HTTP/1.1\r\n\r\n").error, ParserError::InvalidMethod);
}

TEST(ParserMethods, ImpossiblePrefixFailsBeforeTheSpace) {
    // llhttp fails at the first byte no method can continue with; "GE" is still a prefix.
    Parser parser;
    EXPECT_EQ(parser.execute("XY").error, ParserError::InvalidMethod);
    Parser partial;
    EXPECT_EQ(partial.execute("GE").error, ParserError::Ok);
    EXPECT_EQ(partial.finish(), ParserError::InvalidEofState);
}

// Fuzzer finding: a method-like token longer than any method gave a different reason
// whole ("Invalid method encountered") than split ("Expected space after method").
TEST(ParserMethods, OverlongMethodTokenFailsTheSameWhateverTheSplit) {
    const std::string request = "MKCALENDARCONNECCONNECT ex7 HTTP/1.1\r\n\r\n";
    const std::string whole = parseTranscript(request, ParserOptions::nodeStrict());
    EXPECT_EQ(whole, R"([["error","HPE_INVALID_METHOD","Expected space after method"]])");
    EXPECT_EQ(testing::parseTranscriptBytewise(request, ParserOptions::nodeStrict()), whole);
    EXPECT_EQ(parseTranscript(request, ParserOptions::nodeStrict(), {5}), whole);
    EXPECT_EQ(parseTranscript("XXXXXXXXXXXXXXXXXXXX / HTTP/1.1\r\n\r\n", {}),
              R"([["error","HPE_INVALID_METHOD","Invalid method encountered"]])");
}

// Differential finding: llhttp's method trie does not backtrack, so "GET_" (on the way
// to GET_PARAMETER) is an invalid method, not "GET" missing its space.
TEST(ParserMethods, ErrorReasonFollowsLlhttpsTrie) {
    Parser underscore(nullptr, ParserOptions::nodeStrict());
    EXPECT_EQ(underscore.execute("GET_/ HTTP/1.1\r\n\r\n").error, ParserError::InvalidMethod);
    EXPECT_EQ(underscore.errorReason(), "Invalid method encountered");
    Parser extra(nullptr, ParserOptions::nodeStrict());
    EXPECT_EQ(extra.execute("GETX / HTTP/1.1\r\n\r\n").error, ParserError::InvalidMethod);
    EXPECT_EQ(extra.errorReason(), "Expected space after method");
}

TEST(ParserMethods, MethodSplitAcrossReadsIsAssembled) {
    const std::string whole = parseTranscript("PROPFIND /dav HTTP/1.1\r\n\r\n", {});
    EXPECT_EQ(parseTranscript("PROPFIND /dav HTTP/1.1\r\n\r\n", {}, {2, 5, 7}), whole);
    EXPECT_NE(whole.find("\"PROPFIND\""), std::string::npos);
}

TEST(ParserMethods, RtspMethodsOnlyInNodeMode) {
    // Node accepts llhttp's RTSP requests; nodecc's default refuses them (RFC 9112 §2.3, §3.1).
    EXPECT_EQ(parseOutcome("DESCRIBE / RTSP/1.0\r\n\r\n", ParserOptions::nodeStrict()), "ok");
    EXPECT_EQ(parseOutcome("DESCRIBE / RTSP/1.0\r\n\r\n"), "HPE_INVALID_METHOD");
    EXPECT_EQ(parseOutcome("OPTIONS / RTSP/1.0\r\n\r\n"), "HPE_INVALID_CONSTANT");
    EXPECT_EQ(parseOutcome("DESCRIBE / HTTP/1.1\r\n\r\n", ParserOptions::nodeStrict()),
              "HPE_INVALID_CONSTANT");
    EXPECT_EQ(parseOutcome("GET / ICE/1.0\r\n\r\n", ParserOptions::nodeStrict()),
              "HPE_INVALID_CONSTANT");
    EXPECT_EQ(parseOutcome("SOURCE / ICE/1.0\r\n\r\n", ParserOptions::nodeStrict()), "ok");
}

TEST(ParserMethods, PriStartsTheHttp2PrefaceError) {
    Parser parser;
    EXPECT_EQ(parser.execute("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").error,
              ParserError::PausedH2Upgrade);
    EXPECT_EQ(parser.errorReason(), "Pause on PRI/Upgrade");
    EXPECT_TRUE(isParseError(ParserError::PausedH2Upgrade));
    Parser half;  // only the first half: Node waits for more
    EXPECT_EQ(half.execute("PRI * HTTP/2.0\r\n\r\n").error, ParserError::Ok);
    EXPECT_EQ(parseOutcome("PRI / HTTP/1.1\r\nHost: x\r\n\r\n"), "HPE_INVALID_VERSION");
}

}  // namespace
}  // namespace nodecc::http
