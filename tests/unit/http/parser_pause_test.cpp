// pause()/resume(), callbacks returning Pause, upgrade / CONNECT hand-over, skip body.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

struct PauseOnMessage final : ParserHandler {
    int messages = 0;
    ParserAction onMessageComplete() override {
        ++messages;
        return ParserAction::Pause;
    }
};

TEST(ParserPause, CallbackPauseStopsAfterTheEventAndResumeContinues) {
    PauseOnMessage handler;
    Parser parser(&handler);
    const std::string stream = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
    ExecuteResult result = parser.execute(stream);
    EXPECT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(result.consumed, 19u);
    EXPECT_EQ(handler.messages, 1);
    EXPECT_EQ(parser.execute(stream.substr(result.consumed)).error,
              ParserError::Paused);  // still paused
    parser.resume();
    result = parser.execute(std::string_view(stream).substr(19));
    EXPECT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(handler.messages, 2);
    parser.resume();
    EXPECT_EQ(parser.execute("").error, ParserError::Ok);
}

TEST(ParserPause, PauseFromOutsideBlocksTheNextExecute) {
    Parser parser;
    parser.pause();  // Node: parser.pause() when the socket is paused for back-pressure
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::Paused);
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").consumed, 0u);
    parser.resume();
    EXPECT_EQ(parser.execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::Ok);
    EXPECT_EQ(parser.messageCount(), 1u);
}

TEST(ParserPause, PauseInHeadersCompleteResumesIntoTheBody) {
    struct Handler final : ParserHandler {
        std::string body;
        HeadersAction onHeadersComplete(const Parser&) override { return HeadersAction::Pause; }
        ParserAction onBody(std::string_view data) override {
            body.append(data);
            return ParserAction::Continue;
        }
    } handler;
    Parser parser(&handler);
    const std::string request = "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok";
    const ExecuteResult result = parser.execute(request);
    ASSERT_EQ(result.error, ParserError::Paused);
    EXPECT_EQ(parser.errorReason(), "Paused by on_headers_complete");
    EXPECT_TRUE(handler.body.empty());
    parser.resume();
    EXPECT_EQ(parser.execute(std::string_view(request).substr(result.consumed)).error,
              ParserError::Ok);
    EXPECT_EQ(handler.body, "ok");
    EXPECT_EQ(parser.messageCount(), 1u);
}

TEST(ParserPause, PauseInAPieceAtTheEndOfTheBufferKeepsEveryByte) {
    struct Handler final : ParserHandler {
        std::string url;
        ParserAction onUrl(std::string_view piece, bool) override {
            url.append(piece);
            return ParserAction::Pause;
        }
    } handler;
    Parser parser(&handler);
    EXPECT_EQ(parser.execute("GET /ab").error, ParserError::Paused);
    parser.resume();
    EXPECT_EQ(parser.execute("cd HTTP/1.1\r\n\r\n").error, ParserError::Paused);
    EXPECT_EQ(handler.url, "/abcd");
}

TEST(ParserPause, UpgradeStopsAfterTheHeadAndHandsOverTheRest) {
    struct Handler final : ParserHandler {
        HeadersAction onHeadersComplete(const Parser& parser) override {
            return parser.upgrade() ? HeadersAction::Upgrade : HeadersAction::Continue;
        }
    } handler;
    Parser parser(&handler);
    const std::string head =
        "GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    const ExecuteResult result = parser.execute(head + "\x81\x05hello");
    EXPECT_EQ(result.error, ParserError::PausedUpgrade);
    EXPECT_EQ(result.consumed, head.size());
    EXPECT_TRUE(parser.upgrade());
    EXPECT_FALSE(isParseError(result.error));
}

TEST(ParserPause, UpgradeWithoutConnectionTokenIsNotAnUpgrade) {
    EXPECT_EQ(testing::parseTranscript("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", {}),
              R"([["hc","GET","/","1.1",[["Upgrade","websocket"]],1,0],["mc"],["finish","ok"]])");
}

TEST(ParserPause, ConnectAlwaysUpgradesEvenWithoutHandlerConsent) {
    Parser parser;  // no handler: llhttp pauses after a CONNECT head regardless
    const std::string head = "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\n\r\n";
    const ExecuteResult result = parser.execute(head + "tunnel bytes");
    EXPECT_EQ(result.error, ParserError::PausedUpgrade);
    EXPECT_EQ(result.consumed, head.size());
}

TEST(ParserPause, SkipBodyTreatsTheMessageAsBodiless) {
    struct Handler final : ParserHandler {
        HeadersAction onHeadersComplete(const Parser&) override { return HeadersAction::SkipBody; }
    } handler;
    Parser parser(&handler);
    // With the body skipped, "hello" would start the next message and fail as a method.
    EXPECT_EQ(
        parser.execute("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET / HTTP/1.1\r\n\r\n").error,
        ParserError::Ok);
    EXPECT_EQ(parser.messageCount(), 2u);
}

}  // namespace
}  // namespace nodecc::http
