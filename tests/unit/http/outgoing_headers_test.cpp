// The response header store (Node: OutgoingMessage setHeader / appendHeader / getHeader /
// getHeaders / getHeaderNames / getRawHeaderNames / hasHeader / removeHeader) and the header
// validation of _http_common.js. Messages checked against Node v20.20.2.
#include "nodecc/http/outgoing_headers.hpp"
#include "expect_node_error.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace nodecc::http;
using nodecc::test::expectNodeError;

std::vector<std::string> values(const OutgoingHeaders::Header& h) {
    std::vector<std::string> v;
    for (std::string_view s : h.values()) v.emplace_back(s);
    return v;
}

}  // namespace

TEST(HeaderField, TokenAndValueChecks) {
    EXPECT_TRUE(checkIsHttpToken("Content-Type"));
    EXPECT_TRUE(checkIsHttpToken("^_`|~!#$%&'*+.-09azAZ"));
    EXPECT_FALSE(checkIsHttpToken(""));
    EXPECT_FALSE(checkIsHttpToken("x y"));
    EXPECT_FALSE(checkIsHttpToken("x:y"));
    EXPECT_FALSE(checkIsHttpToken("\xe9"));
    EXPECT_FALSE(checkInvalidHeaderChar("a\tb \x7e\x80\xff"));
    EXPECT_TRUE(checkInvalidHeaderChar("a\rb"));
    EXPECT_TRUE(checkInvalidHeaderChar("a\nb"));
    EXPECT_TRUE(checkInvalidHeaderChar(std::string_view("a\0b", 3)));
    EXPECT_TRUE(checkInvalidHeaderChar("\x7f"));
    // Every length up to three blocks of eight (the last block overlaps the one before it),
    // with a bad byte at each position, and a tab (valid) at each position.
    for (std::size_t n = 0; n <= 24; ++n) {
        const std::string clean(n, 'v');
        EXPECT_FALSE(checkInvalidHeaderChar(clean)) << n;
        for (std::size_t at = 0; at < n; ++at) {
            for (char bad : {'\0', '\r', '\n', '\x1f', '\x7f'}) {
                std::string v = clean;
                v[at] = bad;
                EXPECT_TRUE(checkInvalidHeaderChar(v)) << n << " " << at << " " << int(bad);
            }
            std::string tab = clean;
            tab[at] = '\t';
            EXPECT_FALSE(checkInvalidHeaderChar(tab)) << n << " " << at;
        }
    }
    EXPECT_EQ(arrayIndexKey("0"), 0);
    EXPECT_EQ(arrayIndexKey("4294967294"), 4294967294LL);
    EXPECT_EQ(arrayIndexKey("4294967295"), -1);
    EXPECT_EQ(arrayIndexKey("01"), -1);
    EXPECT_EQ(arrayIndexKey("1a"), -1);
}

// Node's messages, byte for byte.
TEST(OutgoingHeaders, ValidationErrors) {
    OutgoingHeaders h;
    expectNodeError([&] { h.setHeader("x y", "a"); }, "ERR_INVALID_HTTP_TOKEN",
                    "Header name must be a valid HTTP token [\"x y\"]");
    expectNodeError([&] { h.setHeader("", "a"); }, "ERR_INVALID_HTTP_TOKEN",
                    "Header name must be a valid HTTP token [\"\"]");
    expectNodeError([&] { h.setHeader("x", "a\r\nb"); }, "ERR_INVALID_CHAR",
                    "Invalid character in header content [\"x\"]");
    expectNodeError([&] { h.setHeader("x", nullptr); }, "ERR_HTTP_INVALID_HEADER_VALUE",
                    "Invalid value \"undefined\" for header \"x\"");
    expectNodeError(
        [&] {
            h.setHeader("x", {"a", "b\n"});
        },
        "ERR_INVALID_CHAR", "Invalid character in header content [\"x\"]");
    expectNodeError([&] { h.appendHeader("x", "\x01"); }, "ERR_INVALID_CHAR",
                    "Invalid character in header content [\"x\"]");
    EXPECT_TRUE(h.empty());
    EXPECT_FALSE(h.used());
}

TEST(OutgoingHeaders, SetGetHasRemove) {
    OutgoingHeaders h;
    h.setHeader("Content-Type", "text/plain");
    h.setHeader("X-Count", 42);
    EXPECT_TRUE(h.hasHeader("content-type"));
    EXPECT_TRUE(h.hasHeader("CONTENT-TYPE"));
    auto ct = h.getHeader("content-TYPE");
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct.name(), "Content-Type");
    EXPECT_EQ(ct.key(), "content-type");
    EXPECT_EQ(ct.value(), "text/plain");
    EXPECT_FALSE(ct.isArray());
    EXPECT_EQ(h.getHeader("x-count").value(), "42");
    h.setHeader("Content-Length", std::size_t{18446744073709551615u});
    EXPECT_EQ(h.getHeader("content-length").value(), "18446744073709551615");
    h.setHeader("X-Neg", -7L);
    EXPECT_EQ(h.getHeader("x-neg").value(), "-7");
    h.removeHeader("x-neg");
    h.removeHeader("content-length");
    EXPECT_FALSE(h.getHeader("nope"));
    EXPECT_EQ(h.removeHeader("X-COUNT"), SpecialHeader::None);
    EXPECT_FALSE(h.hasHeader("x-count"));
    EXPECT_EQ(h.size(), 1u);
}

// Node: `headers[key] = [name, value]` keeps the key's position and takes the new spelling.
TEST(OutgoingHeaders, ReplaceKeepsPositionRemoveMovesToEnd) {
    OutgoingHeaders h;
    h.setHeader("a", "1");
    h.setHeader("b", "2");
    h.setHeader("A", "3");
    EXPECT_EQ(h.getRawHeaderNames(), (std::vector<std::string>{"A", "b"}));
    EXPECT_EQ(h.getHeaderNames(), (std::vector<std::string>{"a", "b"}));
    h.removeHeader("a");
    h.setHeader("a", "4");
    EXPECT_EQ(h.getRawHeaderNames(), (std::vector<std::string>{"b", "a"}));
}

// JS object key order: array-index names first, ascending.
TEST(OutgoingHeaders, ArrayIndexKeysFirst) {
    OutgoingHeaders h;
    h.setHeader("x-a", "1");
    h.setHeader("123", "2");
    h.setHeader("X-B", "3");
    h.setHeader("7", "4");
    h.setHeader("08", "5");  // not an array index
    EXPECT_EQ(h.getRawHeaderNames(), (std::vector<std::string>{"7", "123", "x-a", "X-B", "08"}));
    h.removeHeader("7");
    EXPECT_EQ(h.getRawHeaderNames(), (std::vector<std::string>{"123", "x-a", "X-B", "08"}));
}

// Node: appendHeader — absent → setHeader; present → the value becomes a list; the name stays.
TEST(OutgoingHeaders, AppendHeader) {
    OutgoingHeaders h;
    h.appendHeader("x", "1");
    EXPECT_FALSE(h.getHeader("x").isArray());
    h.appendHeader("X", "2");
    h.appendHeader("x", {"3", "4"});
    auto x = h.getHeader("x");
    EXPECT_TRUE(x.isArray());
    EXPECT_EQ(x.name(), "x");
    EXPECT_EQ(values(x), (std::vector<std::string>{"1", "2", "3", "4"}));
    h.setHeader("y", std::span<const std::string_view>());
    EXPECT_TRUE(h.getHeader("y").isArray());
    EXPECT_EQ(h.getHeader("y").size(), 0u);
    h.appendHeader("y", "z");
    EXPECT_EQ(values(h.getHeader("y")), (std::vector<std::string>{"z"}));
}

// A value (or name) read from the headers can be stored again, in Node a plain string copy:
// `res.setHeader('b', res.getHeader('a'))`. The store grows while it copies, so the bytes
// being copied must outlive the growth (ASan reports a use after free otherwise; without
// it, the freed block's first bytes are overwritten by the allocator).
TEST(OutgoingHeaders, ValuesReadFromTheStoreCanBeStoredAgain) {
    std::string big;
    for (int i = 0; i < 60; ++i) big += static_cast<char>('a' + i % 26);
    for (int round = 0; round < 2; ++round) {  // a fresh store, then one reused by clear()
        OutgoingHeaders h;
        if (round == 1) {
            h.setHeader("warm", std::string(4000, 'w'));
            h.clear();
        }
        h.setHeader("a", big);
        // Each copies views of stored bytes while the store has to grow for them.
        for (int k = 0; k < 6; ++k) {
            const std::string name = "s" + std::to_string(k);
            h.setHeader(name, h.getHeader(k == 0 ? "a" : "s" + std::to_string(k - 1)).value());
        }
        EXPECT_EQ(h.getHeader("s5").value(), big);
        const std::string_view twice[] = {h.getHeader("a").value(), h.getHeader("s5").value()};
        h.setHeader("list", twice);
        EXPECT_EQ(values(h.getHeader("list")), (std::vector<std::string>{big, big}));
        for (int k = 0; k < 4; ++k) h.appendHeader("list", h.getHeader("a").value());
        EXPECT_EQ(h.getHeader("list").size(), 6u);
        for (std::string_view v : h.getHeader("list").values()) EXPECT_EQ(v, big);
        // A name taken from the store (getHeaderNames in Node) as the name of a new header.
        const std::string_view fields[] = {h.getHeader("s5").value(), h.getHeader("s4").value()};
        h.setHeader("pair", fields);
        h.setHeader("pair", h.getHeader("pair").name());
        EXPECT_EQ(h.getHeader("pair").value(), "pair");
    }
}

// test-http-remove-header-stays-removed.js: the removed flags.
TEST(OutgoingHeaders, RemoveSpecialHeaders) {
    OutgoingHeaders h;
    EXPECT_EQ(h.removeHeader("Connection"), SpecialHeader::Connection);
    EXPECT_EQ(h.removeHeader("content-length"), SpecialHeader::ContentLength);
    EXPECT_EQ(h.removeHeader("Transfer-Encoding"), SpecialHeader::TransferEncoding);
    EXPECT_EQ(h.removeHeader("DATE"), SpecialHeader::Date);
    EXPECT_TRUE(h.removedConnection());
    EXPECT_TRUE(h.removedContentLength());
    EXPECT_TRUE(h.removedTransferEncoding());
    EXPECT_FALSE(h.used());
    h.clear();
    EXPECT_FALSE(h.removedConnection());
}

TEST(OutgoingHeaders, UsedSurvivesRemoval) {
    OutgoingHeaders h;
    h.setHeader("a", "1");
    h.removeHeader("a");
    EXPECT_TRUE(h.empty());
    EXPECT_TRUE(h.used());
}

TEST(OutgoingHeaders, ClearKeepsWorking) {
    OutgoingHeaders h;
    for (int round = 0; round < 3; ++round) {
        h.clear();
        h.setHeader("Content-Type", "text/html");
        h.setHeader("Set-Cookie", {"a=1", "b=2"});
        h.markHeadersSent();
        EXPECT_EQ(h.size(), 2u);
        EXPECT_EQ(values(h.getHeader("set-cookie")), (std::vector<std::string>{"a=1", "b=2"}));
    }
}

TEST(OutgoingHeaders, UniqueHeadersSet) {
    UniqueHeaders u{"X-Unique", "x-unique"};
    EXPECT_TRUE(u.contains("x-UNIQUE"));
    EXPECT_FALSE(u.contains("x-other"));
    u.add("Link");
    EXPECT_TRUE(u.contains("link"));
}

// Node: setHeaders(new Map(...)) — observed: {"set-cookie":["d=4"],"a":"9","b":"2"} for a Map
// (keys deduplicated by the Map), and set-cookie collected into one list for a Headers.
// headLinesBound() is at least what the head lines of the entries take, however they were
// set, appended, replaced or removed (the head writer reserves that much).
TEST(OutgoingHeaders, HeadLinesBoundCoversTheLines) {
    OutgoingHeaders h;
    const auto lines = [&h] {
        std::size_t n = 0;
        h.forEach([&n](const OutgoingHeaders::Header& e) {
            n += e.name().size() + 4;  // a line even for an empty list
            for (std::string_view v : e.values()) n += e.name().size() + v.size() + 4;
        });
        return n;
    };
    EXPECT_EQ(h.headLinesBound(), 0u);
    h.setHeader("Content-Type", "text/plain");
    EXPECT_GE(h.headLinesBound(), lines());
    h.setHeader("Set-Cookie", {"a=1", "b=2", "c=3"});
    h.appendHeader("set-cookie", "d=4");
    h.appendHeader("X-New", std::initializer_list<std::string_view>{"1", "2"});
    h.setHeader("X-Empty", std::span<const std::string_view>());
    h.setHeader("content-type", std::string(300, 'v'));
    h.setHeader("123", "array index");
    h.setHeader("X-Number", 1234567);
    EXPECT_GE(h.headLinesBound(), lines());
    h.removeHeader("X-New");
    h.setHeader("X-New", "again");
    EXPECT_GE(h.headLinesBound(), lines());
    h.clear();
    EXPECT_EQ(h.headLinesBound(), 0u);
    h.setHeader("A", "b");
    EXPECT_GE(h.headLinesBound(), lines());
}

// plainLines(): each entry is a stored "name: value\r\n" line (the head builder copies them)
// until an entry is a list, is replaced or appended to, has a name _storeHeader acts on or an
// array-index name, or a header is removed; clear() starts over.
TEST(OutgoingHeaders, PlainLines) {
    OutgoingHeaders h;
    const auto lines = [&h] {
        std::string all;
        h.forEachLine([&all](std::string_view line) { all.append(line); });
        return all;
    };
    EXPECT_TRUE(h.plainLines());
    EXPECT_EQ(lines(), "");
    h.setHeader("Content-Type", "text/plain");
    h.setHeader("x-empty", "");
    h.setHeader("X-Number", 42);
    h.setHeader("Content-Language", "en");  // 16 letters, as long as "content-length" + 2
    EXPECT_TRUE(h.plainLines());
    EXPECT_EQ(lines(),
              "Content-Type: text/plain\r\nx-empty: \r\nX-Number: 42\r\n"
              "Content-Language: en\r\n");
    // The lines do not change what the store shows.
    EXPECT_EQ(h.getHeader("content-type").value(), "text/plain");
    EXPECT_EQ(h.getHeader("CONTENT-TYPE").name(), "Content-Type");
    EXPECT_EQ(h.getHeader("x-number").value(), "42");
    EXPECT_EQ(h.getHeader("x-empty").value(), "");

    const auto plainAfter = [](auto change) {
        OutgoingHeaders o;
        o.setHeader("a", "1");
        change(o);
        return o.plainLines();
    };
    for (const char* name : {"Date", "expect", "Trailer", "CONNECTION", "Keep-Alive",
                             "Content-Length", "transfer-encoding", "7"}) {
        SCOPED_TRACE(name);
        EXPECT_FALSE(plainAfter([&](OutgoingHeaders& o) { o.setHeader(name, "v"); }));
    }
    EXPECT_TRUE(plainAfter([](OutgoingHeaders& o) { o.setHeader("Dates", "v"); }));
    EXPECT_TRUE(plainAfter([](OutgoingHeaders& o) { o.setHeader("Expected", "v"); }));
    EXPECT_FALSE(plainAfter([](OutgoingHeaders& o) { o.setHeader("A", "2"); }));
    EXPECT_FALSE(plainAfter([](OutgoingHeaders& o) { o.setHeader("b", {"1", "2"}); }));
    EXPECT_FALSE(plainAfter(
        [](OutgoingHeaders& o) { o.setHeader("b", std::span<const std::string_view>()); }));
    EXPECT_FALSE(plainAfter([](OutgoingHeaders& o) { o.appendHeader("a", "2"); }));
    EXPECT_FALSE(plainAfter([](OutgoingHeaders& o) { o.removeHeader("x"); }));
    EXPECT_TRUE(plainAfter([](OutgoingHeaders& o) { o.appendHeader("b", "2"); }));

    h.setHeader("Set-Cookie", {"a=1"});
    EXPECT_FALSE(h.plainLines());
    h.clear();
    EXPECT_TRUE(h.plainLines());
    h.setHeader("A", "b");
    EXPECT_EQ(lines(), "A: b\r\n");
}

TEST(OutgoingHeaders, SetHeaders) {
    OutgoingHeaders h;
    h.setHeader("set-cookie", "z=0");
    h.setHeader("A", "0");
    h.setHeaders({{"set-cookie", "d=4"}, {"B", "2"}, {"a", "9"}});
    EXPECT_EQ(h.getRawHeaderNames(), (std::vector<std::string>{"set-cookie", "a", "B"}));
    EXPECT_TRUE(h.getHeader("set-cookie").isArray());
    EXPECT_EQ(values(h.getHeader("set-cookie")), (std::vector<std::string>{"d=4"}));

    OutgoingHeaders g;
    g.setHeaders({{"set-cookie", "a=1"}, {"x", "1, 2"}, {"set-cookie", "b=2"}});
    EXPECT_EQ(g.getRawHeaderNames(), (std::vector<std::string>{"x", "set-cookie"}));
    EXPECT_EQ(values(g.getHeader("set-cookie")), (std::vector<std::string>{"a=1", "b=2"}));
    expectNodeError(
        [&] {
            g.setHeaders({{"set-cookie", "ok"}, {"set-cookie", "bad\n"}});
        },
        "ERR_INVALID_CHAR", "Invalid character in header content [\"set-cookie\"]");
    EXPECT_EQ(values(g.getHeader("set-cookie")), (std::vector<std::string>{"a=1", "b=2"}));
}
