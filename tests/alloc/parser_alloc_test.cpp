// The parser never allocates (DESIGN.md §5): not per request, not per split, not on errors;
// a pooled parser comes back from ParserFreeList without allocating.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "nodecc/http/parser.hpp"
#include "nodecc/http/parser_pool.hpp"

namespace nodecc::http {
namespace {

struct Sink final : ParserHandler {
    std::size_t bytes = 0;
    ParserAction onUrl(std::string_view p, bool) override { return add(p); }
    ParserAction onHeaderField(std::string_view p, bool) override { return add(p); }
    ParserAction onHeaderValue(std::string_view p, bool) override { return add(p); }
    ParserAction onHeader(std::string_view n, std::string_view v) override {
        add(n);
        return add(v);
    }
    ParserAction onBody(std::string_view p) override { return add(p); }
    ParserAction add(std::string_view p) {
        bytes += p.size();
        return ParserAction::Continue;
    }
};

const std::string kStream =
    "GET /a?b=c HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"
    "POST /p HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello"
    "POST /c HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n";

TEST(ParserAlloc, ParsingWholeAndSplitAllocatesNothing) {
    Sink sink;
    Parser parser(&sink);
    nodecc::test::AllocationScope scope;
    for (int round = 0; round < 100; ++round) {
        ASSERT_EQ(parser.execute(kStream).error, ParserError::Ok);
        for (char c : kStream)
            ASSERT_EQ(parser.execute(std::string_view(&c, 1)).error, ParserError::Ok);
    }
    EXPECT_EQ(parser.finish(), ParserError::Ok);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(parser.messageCount(), 600u);
}

TEST(ParserAlloc, ErrorsAndReinitializeAllocateNothing) {
    Sink sink;
    Parser parser(&sink);
    nodecc::test::AllocationScope scope;
    for (int round = 0; round < 100; ++round) {
        ASSERT_TRUE(isParseError(parser.execute("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n").error));
        EXPECT_FALSE(parser.errorReason().empty());
        parser.reinitialize();
        ASSERT_EQ(parser.execute("GET / HTTP/1.1\r\n").error, ParserError::Ok);
        ASSERT_EQ(parser.finish(), ParserError::InvalidEofState);
        parser.reinitialize();
    }
    EXPECT_EQ(scope.count(), 0u);
}

TEST(ParserAlloc, PooledParsersComeBackWithoutAllocating) {
    ParserFreeList pool;
    pool.free(pool.alloc());  // warm-up: one parser, the list's storage
    nodecc::test::AllocationScope scope;
    for (int i = 0; i < 1000; ++i) {
        std::unique_ptr<Parser> parser = pool.alloc();
        parser->execute("GET / HTTP/1.1\r\n\r\n");
        ASSERT_TRUE(pool.free(std::move(parser)));
    }
    EXPECT_EQ(scope.count(), 0u);
}

}  // namespace
}  // namespace nodecc::http
