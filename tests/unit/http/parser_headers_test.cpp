// Header fields: whole lines, pieces across reads, trimming, and the invalid forms.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using namespace std::string_literals;

using testing::parseOutcome;
using testing::parseTranscript;

struct Recorder final : ParserHandler {
    std::vector<std::string> events;
    ParserAction onHeaderField(std::string_view piece, bool complete) override {
        events.push_back("field(" + std::string(piece) + (complete ? ",done)" : ")"));
        return ParserAction::Continue;
    }
    ParserAction onHeaderValue(std::string_view piece, bool complete) override {
        events.push_back("value(" + std::string(piece) + (complete ? ",done)" : ")"));
        return ParserAction::Continue;
    }
    ParserAction onHeader(std::string_view name, std::string_view value) override {
        events.push_back("header(" + std::string(name) + "=" + std::string(value) + ")");
        return ParserAction::Continue;
    }
};

TEST(ParserHeaders, WholeLinesArriveAsOneOnHeaderCall) {
    Recorder recorder;
    Parser parser(&recorder);
    ASSERT_EQ(parser.execute("GET / HTTP/1.1\r\nHost: x\r\nAccept:  */*  \r\nEmpty:\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_EQ(recorder.events,
              (std::vector<std::string>{"header(Host=x)", "header(Accept=*/*)", "header(Empty=)"}));
}

TEST(ParserHeaders, SplitLinesArriveAsPiecesAndTheDefaultOnHeaderForwards) {
    Recorder recorder;
    Parser parser(&recorder);
    ASSERT_EQ(parser.execute("GET / HTTP/1.1\r\nAcc").error, ParserError::Ok);
    ASSERT_EQ(parser.execute("ept: a b ").error, ParserError::Ok);
    ASSERT_EQ(parser.execute(" \r\n\r\n").error, ParserError::Ok);
    EXPECT_EQ(recorder.events, (std::vector<std::string>{"field(Acc)", "field(ept,done)",
                                                         "value(a b )", "value(,done)"}));
    // The assembled value carries the held whitespace; the contract says: trim it.
    EXPECT_EQ(trimTrailingWhitespace("a b "), "a b");

    struct PiecesOnly final : ParserHandler {
        std::string log;
        ParserAction onHeaderField(std::string_view piece, bool complete) override {
            log += "F" + std::string(piece) + (complete ? "!" : "");
            return ParserAction::Continue;
        }
        ParserAction onHeaderValue(std::string_view piece, bool complete) override {
            log += "V" + std::string(piece) + (complete ? "!" : "");
            return ParserAction::Continue;
        }
    } piecesOnly;
    Parser whole(&piecesOnly);
    ASSERT_EQ(whole.execute("GET / HTTP/1.1\r\nA: 1\r\n\r\n").error, ParserError::Ok);
    EXPECT_EQ(piecesOnly.log, "FA!V1!");
}

TEST(ParserHeaders, PiecesAreViewsIntoTheCallersBuffer) {
    struct Bounds final : ParserHandler {
        const char* lo = nullptr;
        const char* hi = nullptr;
        bool inside = true;
        void check(std::string_view s) {
            if (!s.empty()) inside = inside && s.data() >= lo && s.data() + s.size() <= hi;
        }
        ParserAction onUrl(std::string_view p, bool) override {
            return check(p), ParserAction::Continue;
        }
        ParserAction onHeader(std::string_view n, std::string_view v) override {
            check(n);
            check(v);
            return ParserAction::Continue;
        }
        ParserAction onBody(std::string_view p) override {
            return check(p), ParserAction::Continue;
        }
    } bounds;
    const std::string request = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    bounds.lo = request.data();
    bounds.hi = request.data() + request.size();
    Parser parser(&bounds);
    ASSERT_EQ(parser.execute(request).error, ParserError::Ok);
    EXPECT_TRUE(bounds.inside);
}

TEST(ParserHeaders, ValuesLoseLeadingAndTrailingWhitespaceButNotInner) {
    EXPECT_EQ(parseTranscript("GET / HTTP/1.1\r\nX: \t a \t b \t \r\n\r\n", {}),
              R"([["hc","GET","/","1.1",[["X","a \t b"]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserHeaders, ObsFoldIsAnError) {
    Parser parser;
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n").error,
              ParserError::InvalidHeaderToken);
    EXPECT_EQ(parser.errorReason(), "Unexpected whitespace after header value");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX-A:\r\n b\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), "HPE_UNEXPECTED_SPACE");
}

TEST(ParserHeaders, WhitespaceBeforeTheColonIsAnError) {
    Parser parser;
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\nHost : x\r\n\r\n").error,
              ParserError::InvalidHeaderToken);
    EXPECT_EQ(parser.errorReason(), "Invalid header token");
    Parser special;
    EXPECT_EQ(special.execute("GET / HTTP/1.1\r\nContent-Length : 1\r\n\r\n").error,
              ParserError::InvalidHeaderToken);
    EXPECT_EQ(special.errorReason(), "Invalid header field char");
}

TEST(ParserHeaders, ControlCharactersInNamesAndValues) {
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX\0: a\r\n\r\n"s), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX(: a\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\n: a\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
    // obs-text is allowed in values.
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n"), "ok");
}

TEST(ParserHeaders, BareCrAndBareLf) {
    Parser cr;
    EXPECT_EQ(cr.execute("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n").error, ParserError::LfExpected);
    Parser lf;
    EXPECT_EQ(lf.execute("GET / HTTP/1.1\r\nX-A: a\nX-B: b\r\n\r\n").error,
              ParserError::CrExpected);
    Parser versionLf;
    EXPECT_EQ(versionLf.execute("GET / HTTP/1.1\nHost: x\n\n").error, ParserError::InvalidVersion);
    EXPECT_EQ(versionLf.errorReason(), "Expected CRLF after version");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nA: b\r\n\n"), "HPE_INVALID_HEADER_TOKEN");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.1\r\nA: b\r\n\rx"), "HPE_STRICT");
}

TEST(ParserHeaders, LeadingEmptyLinesAreSkipped) {
    EXPECT_EQ(parseOutcome("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), "ok");
    // RFC 9112 §2.2: a bare CR is not an empty line (Node skips it).
    EXPECT_EQ(parseOutcome("\rGET / HTTP/1.1\r\nHost: x\r\n\r\n"), "HPE_STRICT");
    EXPECT_EQ(parseOutcome("\rGET / HTTP/1.1\r\nHost: x\r\n\r\n", ParserOptions::nodeStrict()),
              "ok");
}

TEST(ParserHeaders, VersionsAsNodeAccepts) {
    EXPECT_EQ(parseOutcome("GET / HTTP/1.0\r\n\r\n"), "ok");
    EXPECT_EQ(parseOutcome("GET / HTTP/0.9\r\n\r\n"), "ok");
    EXPECT_EQ(parseOutcome("GET / HTTP/1.2\r\n\r\n"), "HPE_INVALID_VERSION");
    EXPECT_EQ(parseOutcome("GET / HTTP/3.1\r\n\r\n"), "HPE_INVALID_VERSION");
    EXPECT_EQ(parseOutcome("GET / HTTP/11.1\r\n\r\n"), "HPE_INVALID_VERSION");
    EXPECT_EQ(parseOutcome("GET / http/1.1\r\n\r\n"), "HPE_INVALID_CONSTANT");
    // HTTP/2.0 outside the preface: Node accepts, nodecc's default refuses (RFC 9112 §2.3).
    EXPECT_EQ(parseOutcome("GET / HTTP/2.0\r\n\r\n", ParserOptions::nodeStrict()), "ok");
    EXPECT_EQ(parseOutcome("GET / HTTP/2.0\r\n\r\n"), "HPE_INVALID_VERSION");
}

TEST(ParserHeaders, HeaderCountIsExposedPerSection) {
    struct Count final : ParserHandler {
        Parser* parser = nullptr;
        std::uint32_t atHeaders = 0;
        HeadersAction onHeadersComplete(const Parser& p) override {
            atHeaders = p.headerCount();
            return HeadersAction::Continue;
        }
    } count;
    Parser parser(&count);
    std::string request = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 1500; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
    request += "\r\n";
    ASSERT_EQ(parser.execute(request).error, ParserError::Ok);
    EXPECT_EQ(count.atHeaders, 1500u);  // the server applies maxHeadersCount (ECHO.md §3.1)
}

}  // namespace
}  // namespace nodecc::http
