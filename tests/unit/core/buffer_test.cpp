// nodecc::Buffer: shared, immutable bytes (Node's Buffer for output).
#include "nodecc/core/buffer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>

#include <string>
#include <thread>
#include <vector>

namespace {

using nodecc::Buffer;

std::string pattern() {
    std::string s(100000, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 131 % 251);
    return s;
}

TEST(Buffer, FromTakesTheStringsBytesWithoutCopying) {
    std::string s(100000, 'a');
    const char* bytes = s.data();
    Buffer b = Buffer::from(std::move(s));
    EXPECT_EQ(b.data(), bytes);
    EXPECT_EQ(b.size(), 100000u);
    EXPECT_EQ(b.useCount(), 1);
    EXPECT_TRUE(b.owned());
}

TEST(Buffer, CopyOwnsACopyOfTheBytes) {
    std::string s = "hello";
    Buffer b = Buffer::copy(s);
    s[0] = 'j';
    EXPECT_EQ(b.view(), "hello");
    EXPECT_NE(b.data(), s.data());
    EXPECT_EQ(b.useCount(), 1);
}

TEST(Buffer, AllocFillsAsNodeDoes) {
    Buffer b = Buffer::alloc(4, 'z');
    EXPECT_EQ(b.view(), "zzzz");
    EXPECT_EQ(Buffer::alloc(3).view(), std::string_view("\0\0\0", 3));
}

TEST(Buffer, CopiesShareTheBytesAndTheLastReleasesThem) {
    Buffer a = Buffer::from(std::string(64, 'x'));
    {
        Buffer b = a;
        Buffer c(b);
        EXPECT_EQ(a.useCount(), 3);
        EXPECT_EQ(c.data(), a.data());
        Buffer moved(std::move(b));
        EXPECT_EQ(a.useCount(), 3);
        EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from Buffer is empty
        EXPECT_FALSE(b.owned());  // NOLINT(bugprone-use-after-move)
    }
    EXPECT_EQ(a.useCount(), 1);
    a = Buffer();
    EXPECT_EQ(a.useCount(), 0);
    EXPECT_TRUE(a.empty());
}

TEST(Buffer, ExternalReferencesTheCallersMemoryAndCountsNothing) {
    static const char kBytes[] = "static bytes";
    Buffer b = Buffer::external(kBytes);
    EXPECT_EQ(b.data(), kBytes);
    EXPECT_EQ(b.view(), "static bytes");
    EXPECT_FALSE(b.owned());
    Buffer c = b;
    EXPECT_EQ(c.useCount(), 0);
    EXPECT_EQ(c.data(), kBytes);
}

TEST(Buffer, SubarraySharesAndClampsAsNode) {
    Buffer a = Buffer::copy("0123456789");
    Buffer s = a.subarray(2, 5);
    EXPECT_EQ(s.view(), "234");
    EXPECT_EQ(s.data(), a.data() + 2);
    EXPECT_EQ(a.useCount(), 2);
    EXPECT_EQ(a.subarray(7).view(), "789");
    EXPECT_EQ(a.subarray(8, 100).view(), "89");
    EXPECT_EQ(a.subarray(20).size(), 0u);
    EXPECT_EQ(a.subarray(6, 3).size(), 0u);
    a = Buffer();
    EXPECT_EQ(s.view(), "234");  // the share keeps the bytes
    EXPECT_EQ(s.useCount(), 1);
}

TEST(Buffer, SealedHoldsACopyInAFileNobodyCanChange) {
    std::string s = pattern();
    Buffer b = Buffer::sealed(s);
    s[0] = '!';
    ASSERT_GE(b.fd(), 0);
    EXPECT_EQ(b.size(), 100000u);
    EXPECT_TRUE(b.view() == pattern());
    EXPECT_EQ(b.subarray(300).fileOffset(), 300u);
    EXPECT_EQ(::pwrite(b.fd(), "x", 1, 0), -1);  // F_SEAL_WRITE
    EXPECT_EQ(errno, EPERM);
    char first = 0;
    EXPECT_EQ(::pread(b.fd(), &first, 1, 0), 1);
    EXPECT_EQ(first, pattern()[0]);
    EXPECT_EQ(Buffer::from(std::string("x")).fd(), -1);
}

TEST(Buffer, SealedFileIsClosedWithTheLastShare) {
    Buffer b = Buffer::sealed(pattern());
    const int fd = b.fd();
    Buffer share = b.subarray(10, 20);
    b = Buffer();
    EXPECT_NE(::fcntl(fd, F_GETFD), -1);
    EXPECT_EQ(share.view(), pattern().substr(10, 10));
    share = Buffer();
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST(Buffer, SharesAcrossThreadsAreCounted) {
    Buffer a = Buffer::from(std::string(1024, 'q'));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([a] {
            for (int i = 0; i < 10000; ++i) {
                Buffer copy = a;
                ASSERT_EQ(copy[1023], 'q');
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(a.useCount(), 1);
}

}  // namespace
