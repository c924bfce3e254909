// ParserFreeList: Node's FreeList('parsers', 1000) semantics.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "nodecc/http/parser_pool.hpp"

namespace nodecc::http {
namespace {

TEST(ParserPool, AllocReusesTheLastFreedParser) {
    ParserFreeList pool;
    EXPECT_EQ(pool.max(), 1000u);
    EXPECT_EQ(pool.name(), "parsers");
    EXPECT_FALSE(pool.hasItems());
    std::unique_ptr<Parser> first = pool.alloc();
    Parser* const address = first.get();
    EXPECT_TRUE(pool.free(std::move(first)));
    EXPECT_TRUE(pool.hasItems());
    EXPECT_EQ(pool.alloc().get(), address);
    EXPECT_FALSE(pool.hasItems());
}

TEST(ParserPool, FreeBeyondMaxReturnsFalse) {
    ParserFreeList pool(2);
    std::vector<std::unique_ptr<Parser>> parsers;
    for (int i = 0; i < 3; ++i) parsers.push_back(pool.alloc());
    EXPECT_TRUE(pool.free(std::move(parsers[0])));
    EXPECT_TRUE(pool.free(std::move(parsers[1])));
    EXPECT_FALSE(pool.free(std::move(parsers[2])));
    EXPECT_EQ(pool.size(), 2u);
}

TEST(ParserPool, FreedParsersAreResetAndDetached) {
    struct Counter final : ParserHandler {
        int messages = 0;
        ParserAction onMessageComplete() override {
            ++messages;
            return ParserAction::Continue;
        }
    } counter;
    ParserFreeList pool;
    std::unique_ptr<Parser> parser = pool.alloc();
    parser->initialize(&counter, ParserOptions{});
    parser->execute("GET / HTTP/1.1\r\nHost: x");  // mid-message
    ASSERT_TRUE(pool.free(std::move(parser)));
    std::unique_ptr<Parser> again = pool.alloc();
    EXPECT_EQ(again->error(), ParserError::Ok);
    EXPECT_EQ(again->execute("GET / HTTP/1.1\r\n\r\n").error, ParserError::Ok);  // fresh state
    EXPECT_EQ(counter.messages, 0);  // the old handler is no longer called
    EXPECT_EQ(again->finish(), ParserError::Ok);
}

}  // namespace
}  // namespace nodecc::http
