// shouldKeepAlive exactly as llhttp_should_keep_alive computes it for requests.
#include <gtest/gtest.h>

#include <string>

#include "nodecc/http/parser.hpp"

namespace nodecc::http {
namespace {

bool keepAlive(const std::string& version, const std::string& headers,
               ParserOptions options = ParserOptions::nodeStrict()) {
    struct Capture final : ParserHandler {
        bool value = false;
        HeadersAction onHeadersComplete(const Parser& parser) override {
            value = parser.shouldKeepAlive();
            return HeadersAction::Continue;
        }
    } capture;
    Parser parser(&capture, options);
    const std::string request = "GET / " + version + "\r\n" + headers + "\r\n";
    EXPECT_EQ(parser.execute(request).error, ParserError::Ok) << request;
    return capture.value;
}

TEST(ParserKeepAlive, Http11DefaultsToKeepAlive) {
    EXPECT_TRUE(keepAlive("HTTP/1.1", ""));
    EXPECT_FALSE(keepAlive("HTTP/1.1", "Connection: close\r\n"));
    EXPECT_FALSE(keepAlive("HTTP/1.1", "Connection: keep-alive, CLOSE\r\n"));
    EXPECT_FALSE(keepAlive("HTTP/1.1", "Proxy-Connection: close\r\n"));
    EXPECT_TRUE(keepAlive("HTTP/1.1", "Connection: closed\r\n"));
    EXPECT_TRUE(
        keepAlive("HTTP/1.1", "Connection: close\t\r\n"));  // llhttp 9.3: SP only after a token
}

TEST(ParserKeepAlive, Http10NeedsKeepAliveToken) {
    EXPECT_FALSE(keepAlive("HTTP/1.0", ""));
    EXPECT_TRUE(keepAlive("HTTP/1.0", "Connection: keep-alive\r\n"));
    EXPECT_TRUE(keepAlive("HTTP/1.0", "Connection: Upgrade, Keep-Alive\r\n"));
    EXPECT_FALSE(keepAlive("HTTP/1.0", "Connection: keep-alive-x\r\n"));
}

TEST(ParserKeepAlive, Http09AndHttp20FollowTheMajorMinorRule) {
    EXPECT_FALSE(keepAlive("HTTP/0.9", ""));
    // llhttp: major > 0 && minor > 0 is "1.1-like"; HTTP/2.0 is treated like 1.0.
    EXPECT_FALSE(keepAlive("HTTP/2.0", ""));
}

TEST(ParserKeepAlive, ConnectionTokensSetFlags) {
    Parser parser(nullptr, ParserOptions::nodeStrict());
    ASSERT_EQ(parser.execute("GET / HTTP/1.1\r\nConnection: keep-alive, upgrade\r\nUpgrade: ws\r\n")
                  .error,
              ParserError::Ok);
    EXPECT_NE(parser.flags() & flags::kConnectionKeepAlive, 0);
    EXPECT_NE(parser.flags() & flags::kConnectionUpgrade, 0);
    EXPECT_NE(parser.flags() & flags::kUpgrade, 0);
    EXPECT_EQ(parser.flags() & flags::kConnectionClose, 0);
}

}  // namespace
}  // namespace nodecc::http
