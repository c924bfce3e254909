// nodecc::detail::ByteString and copyBytes: the byte buffer behind a request's head and a
// socket's write batch.
#include "nodecc/core/byte_string.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using nodecc::detail::ByteString;
using nodecc::detail::copyBytes;

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i * 7 % 26);
    return s;
}

// Every length through the inline cases (0, 1-3, 4-7, 8-16) and past them, at every offset
// into a destination with guard bytes on both sides.
TEST(CopyBytes, CopiesExactlyNBytesForEveryShortLength) {
    for (std::size_t n = 0; n <= 40; ++n) {
        const std::string src = pattern(n);
        for (std::size_t at = 0; at < 3; ++at) {
            std::string dst(64, '#');
            copyBytes(dst.data() + 8 + at, src.data(), n);
            EXPECT_EQ(dst.substr(0, 8 + at), std::string(8 + at, '#')) << n;
            EXPECT_EQ(dst.substr(8 + at, n), src) << n;
            EXPECT_EQ(dst.substr(8 + at + n), std::string(64 - 8 - at - n, '#')) << n;
        }
    }
}

TEST(ByteString, AppendsAndGrowsKeepingTheBytes) {
    ByteString b;
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.view(), "");
    std::string expect;
    for (std::size_t i = 0; i < 300; ++i) {
        const std::string piece = pattern(i % 37);
        b.append(piece);
        expect += piece;
    }
    EXPECT_EQ(b.size(), expect.size());
    EXPECT_GE(b.capacity(), expect.size());
    EXPECT_EQ(b.view(), expect);
}

TEST(ByteString, ClearKeepsTheCapacityAndClearKeepingDropsABigOne) {
    ByteString b;
    b.append(pattern(1000));
    const std::size_t cap = b.capacity();
    const char* mem = b.data();
    b.clear();
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.capacity(), cap);
    b.append("again");
    EXPECT_EQ(b.data(), mem);  // no new memory for what fits
    EXPECT_EQ(b.view(), "again");

    b.clearKeeping(cap);  // not over the limit: kept
    EXPECT_EQ(b.capacity(), cap);
    b.clearKeeping(cap - 1);  // over it: given back
    EXPECT_EQ(b.capacity(), 0u);
    b.append("x");
    EXPECT_EQ(b.view(), "x");
}

TEST(ByteString, TruncateKeepsAPrefixAndNeverGrows) {
    ByteString b;
    b.append("Host: example   ");
    b.truncate(13);
    EXPECT_EQ(b.view(), "Host: example");
    b.truncate(100);
    EXPECT_EQ(b.view(), "Host: example");
}

TEST(ByteString, ReserveTailThenCommitTakesWhatWasWritten) {
    ByteString b;
    b.append("HTTP/1.1 ");
    char* p = b.reserveTail(64);
    const std::string_view status = "200 OK\r\n";
    copyBytes(p, status.data(), status.size());
    b.commitTail(p + status.size());
    EXPECT_EQ(b.view(), "HTTP/1.1 200 OK\r\n");
    // Room reserved and not used adds nothing.
    char* q = b.reserveTail(1000);
    b.commitTail(q);
    EXPECT_EQ(b.view(), "HTTP/1.1 200 OK\r\n");
}

TEST(ByteString, MovesItsBytes) {
    ByteString a;
    a.append("moved");
    ByteString b(std::move(a));
    EXPECT_EQ(b.view(), "moved");
    ByteString c;
    c.append("old");
    c = std::move(b);
    EXPECT_EQ(c.view(), "moved");
}

}  // namespace
