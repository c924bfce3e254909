// req.headers / headersDistinct / trailers (Node: _http_incoming.js matchKnownFields,
// _addHeaderLine, _addHeaderLineDistinct). Expectations checked against Node v20.20.2's
// IncomingMessage._addHeaderLines.
#include "nodecc/http/incoming_headers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using nodecc::http::HeaderField;
using nodecc::http::IncomingHeaders;

// `{"key":"value",...}` / `{"key":["v",...]}` in iteration order, like JSON.stringify.
std::string dump(const IncomingHeaders& h) {
    std::string s = "{";
    h.forEach([&](const IncomingHeaders::Entry& e) {
        if (s.size() > 1) s += ",";
        s.append("\"").append(e.key()).append("\":");
        if (e.isArray()) {
            s += "[";
            for (std::size_t i = 0; i < e.values().size(); ++i) {
                if (i) s += ",";
                s.append("\"").append(e.values()[i]).append("\"");
            }
            s += "]";
        } else {
            s.append("\"").append(e.value()).append("\"");
        }
    });
    return s + "}";
}

std::string dumpDistinct(const IncomingHeaders& h) {
    std::string s = "{";
    h.forEachDistinct([&](const IncomingHeaders::Entry& e) {
        if (s.size() > 1) s += ",";
        s.append("\"").append(e.key()).append("\":[");
        for (std::size_t i = 0; i < e.values().size(); ++i) {
            if (i) s += ",";
            s.append("\"").append(e.values()[i]).append("\"");
        }
        s += "]";
    });
    return s + "}";
}

// Node: test-http-incoming-matchKnownFields.js — checkDest(field, result, value): the field
// once with 'test', then with 'value'.
std::string checkDest(std::string_view field) {
    const std::vector<HeaderField> raw = {{field, "test"}, {field, "value"}};
    IncomingHeaders h;
    h.reset(raw);
    const auto* e = h.get(field);
    if (!e) return "<absent>";
    if (e->isArray()) return std::string(e->values()[0]) + "|" + std::string(e->values()[1]);
    return std::string(e->value());
}

}  // namespace

TEST(IncomingHeaders, MatchKnownFields) {
    // First value wins.
    for (std::string_view f :
         {"content-type", "user-agent", "referer", "host", "authorization", "proxy-authorization",
          "if-modified-since", "if-unmodified-since", "location", "max-forwards", "retry-after",
          "etag", "last-modified", "server", "age", "expires", "from", "Content-Length"}) {
        EXPECT_EQ(checkDest(f), "test") << f;
    }
    // Joined with ", ".
    for (std::string_view f : {"form",
                               "transfer-encoding",
                               "date",
                               "connection",
                               "cache-control",
                               "vary",
                               "content-encoding",
                               "origin",
                               "upgrade",
                               "expect",
                               "if-match",
                               "if-none-match",
                               "accept",
                               "accept-encoding",
                               "accept-language",
                               "x-forwarded-for",
                               "x-forwarded-host",
                               "x-forwarded-proto",
                               "x-foo",
                               "X-Foo"}) {
        EXPECT_EQ(checkDest(f), "test, value") << f;
    }
    EXPECT_EQ(checkDest("cookie"), "test; value");
    EXPECT_EQ(checkDest("set-cookie"), "test|value");
}

// Node: test-http-server-multiheaders2.js (with v20's cookie rule: "; ").
TEST(IncomingHeaders, MultiHeaders2) {
    const std::vector<std::string_view> allowed = {"Accept",
                                                   "Accept-Charset",
                                                   "Accept-Encoding",
                                                   "Accept-Language",
                                                   "Connection",
                                                   "DAV",
                                                   "Pragma",
                                                   "Link",
                                                   "WWW-Authenticate",
                                                   "Proxy-Authenticate",
                                                   "Sec-Websocket-Extensions",
                                                   "Sec-Websocket-Protocol",
                                                   "Via",
                                                   "X-Forwarded-For",
                                                   "Some-Random-Header",
                                                   "X-Some-Random-Header"};
    const std::vector<std::string_view> forbidden = {"Content-Type",
                                                     "User-Agent",
                                                     "Referer",
                                                     "Host",
                                                     "Authorization",
                                                     "Proxy-Authorization",
                                                     "If-Modified-Since",
                                                     "If-Unmodified-Since",
                                                     "From",
                                                     "Location",
                                                     "Max-Forwards"};
    std::vector<HeaderField> raw;
    for (auto n : allowed) raw.push_back({n, "foo"});
    for (auto n : forbidden) raw.push_back({n, "foo"});
    raw.push_back({"Cookie", "foo"});
    for (auto n : allowed) raw.push_back({n, "bar"});
    for (auto n : forbidden) raw.push_back({n, "bar"});
    raw.push_back({"Cookie", "bar"});
    IncomingHeaders h;
    h.reset(raw);
    for (auto n : forbidden) {
        std::string lower(n);
        for (char& c : lower) c = nodecc::http::toLowerAscii(c);
        ASSERT_NE(h.get(lower), nullptr) << n;
        EXPECT_EQ(h.get(lower)->value(), "foo") << n;
    }
    for (auto n : allowed) {
        ASSERT_NE(h.get(n), nullptr) << n;
        EXPECT_EQ(h.get(n)->value(), "foo, bar") << n;
    }
    EXPECT_EQ(h.get("cookie")->value(), "foo; bar");
}

// Node: test-http-multiple-headers.js (request side) and ECHO.md §3.1.
TEST(IncomingHeaders, DuplicateRules) {
    const std::vector<HeaderField> raw = {
        {"Host", "a"},        {"host", "b"},        {"X-A", ""},
        {"x-a", "e"},         {"Cookie", "c=1"},    {"COOKIE", "d=2"},
        {"Set-Cookie", "s1"}, {"set-cookie", "s2"}, {"Accept", "x"}};
    IncomingHeaders h;
    h.reset(raw);
    EXPECT_EQ(
        dump(h),
        R"({"host":"a","x-a":", e","cookie":"c=1; d=2","set-cookie":["s1","s2"],"accept":"x"})");
    EXPECT_EQ(
        dumpDistinct(h),
        R"({"host":["a","b"],"x-a":["","e"],"cookie":["c=1","d=2"],"set-cookie":["s1","s2"],"accept":["x"]})");
    EXPECT_EQ(h.size(), 5u);
    EXPECT_TRUE(h.get("set-cookie")->isArray());
    EXPECT_EQ(h.distinct("HOST").size(), 2u);
    EXPECT_EQ(h.get("missing"), nullptr);
    EXPECT_TRUE(h.distinct("missing").empty());
}

// JS object key order and the `__proto__` assignment (ECHO.md §3.1).
TEST(IncomingHeaders, ObjectKeyOrderAndProto) {
    const std::vector<HeaderField> raw = {
        {"123", "a"},       {"x", "b"},         {"7", "c"},           {"123", "d"},
        {"__proto__", "p"}, {"__PROTO__", "q"}, {"constructor", "k"}, {"Constructor", "l"}};
    IncomingHeaders h;
    h.reset(raw);
    EXPECT_EQ(dump(h), R"({"7":"c","123":"a, d","x":"b","constructor":"k, l"})");
    EXPECT_EQ(
        dumpDistinct(h),
        R"({"7":["c"],"123":["a","d"],"x":["b"],"__proto__":["p","q"],"constructor":["k","l"]})");
    EXPECT_EQ(h.get("__proto__"), nullptr);
    EXPECT_EQ(h.distinct("__proto__").size(), 2u);
}

TEST(IncomingHeaders, JoinDuplicateHeaders) {
    const std::vector<HeaderField> raw = {
        {"Host", "a"}, {"host", "b"}, {"Authorization", "1"}, {"authorization", "2"}};
    IncomingHeaders h;
    h.reset(raw, {.joinDuplicateHeaders = true});
    EXPECT_EQ(dump(h), R"({"host":"a, b","authorization":"1, 2"})");
}

// NODE-BEHAVIOUR §1.1 maxHeadersCount: only the first N fields feed headers (rawHeaders keeps
// all); 0 means no limit (Node: maxHeaderPairs <= 0).
TEST(IncomingHeaders, MaxHeadersCount) {
    const std::vector<HeaderField> raw = {{"A", "1"}, {"B", "2"}, {"A", "3"}};
    IncomingHeaders h;
    h.reset(raw, {.maxHeadersCount = 2});
    EXPECT_EQ(dump(h), R"({"a":"1","b":"2"})");
    EXPECT_EQ(h.raw().size(), 3u);
    h.reset(raw, {.maxHeadersCount = 0});
    EXPECT_EQ(dump(h), R"({"a":"1, 3","b":"2"})");

    std::vector<std::string> names;
    for (int i = 0; i < 1500; ++i) names.push_back("h" + std::to_string(i));
    std::vector<HeaderField> many;
    for (const auto& n : names) many.push_back({n, "v"});
    h.reset(many);
    EXPECT_EQ(h.size(), 1000u);  // default maxHeadersCount
    EXPECT_NE(h.get("h999"), nullptr);
    EXPECT_EQ(h.get("h1000"), nullptr);
}

// The hashed path (more than a few fields) gives the same answers as the linear one.
TEST(IncomingHeaders, ManyFieldsHashed) {
    std::vector<std::string> names;
    for (int i = 0; i < 200; ++i) names.push_back("X-Field-" + std::to_string(i % 50));
    std::vector<HeaderField> raw;
    for (const auto& n : names) raw.push_back({n, "v"});
    raw.push_back({"Set-Cookie", "a"});
    raw.push_back({"Host", "h"});
    raw.push_back({"SET-COOKIE", "b"});
    IncomingHeaders h;
    h.reset(raw);
    EXPECT_EQ(h.size(), 52u);
    EXPECT_EQ(h.get("x-field-7")->value(), "v, v, v, v");
    EXPECT_EQ(h.get("X-FIELD-49")->values().size(), 4u);
    EXPECT_EQ(h.get("host")->value(), "h");
    EXPECT_EQ(h.distinct("set-cookie").size(), 2u);
    EXPECT_EQ(h.get("nope"), nullptr);
}

// A pooled message: reset with new fields; lowercase keys that need no copy are views.
TEST(IncomingHeaders, ResetReuses) {
    IncomingHeaders h;
    const std::vector<HeaderField> a = {{"host", "a"}, {"Accept", "x"}, {"accept", "y"}};
    h.reset(a);
    EXPECT_EQ(h.get("host")->key().data(), a[0].name.data());  // zero-copy
    EXPECT_EQ(h.get("host")->value().data(), a[0].value.data());
    EXPECT_EQ(h.get("accept")->value(), "x, y");
    const std::vector<HeaderField> b = {{"Content-Type", "t"}};
    h.reset(b);
    EXPECT_EQ(dump(h), R"({"content-type":"t"})");
    h.clear();
    EXPECT_EQ(h.size(), 0u);
    EXPECT_EQ(dump(h), "{}");
}

// Trailers use the same rules (Node: the trailers getter).
TEST(IncomingHeaders, Trailers) {
    const std::vector<HeaderField> raw = {{"X-Echo-Chunks", "3"}, {"x-echo-chunks", "4"}};
    IncomingHeaders trailers;
    trailers.reset(raw);
    EXPECT_EQ(dump(trailers), R"({"x-echo-chunks":"3, 4"})");
}

namespace {

// Node's _addHeaderLine written out literally over a JS-like object (keys in JS order), as the
// reference for a randomized comparison.
struct JsObject {
    struct Prop {
        std::string key;
        std::vector<std::string> array;  // set-cookie
        std::string value;
        bool isArray = false;
    };
    std::vector<Prop> props;
    Prop* find(const std::string& k) {
        for (auto& p : props) {
            if (p.key == k) return &p;
        }
        return nullptr;
    }
    std::string json() const {
        std::vector<const Prop*> order;
        for (const auto& p : props) order.push_back(&p);
        std::stable_sort(order.begin(), order.end(), [](const Prop* a, const Prop* b) {
            const long long ia = nodecc::http::arrayIndexKey(a->key);
            const long long ib = nodecc::http::arrayIndexKey(b->key);
            const unsigned long long ua = ia < 0 ? ~0ull : static_cast<unsigned long long>(ia);
            const unsigned long long ub = ib < 0 ? ~0ull : static_cast<unsigned long long>(ib);
            return ua < ub;
        });
        std::string s = "{";
        for (const Prop* p : order) {
            if (s.size() > 1) s += ",";
            s += "\"" + p->key + "\":";
            if (p->isArray) {
                s += "[";
                for (std::size_t i = 0; i < p->array.size(); ++i) {
                    if (i) s += ",";
                    s += "\"" + p->array[i] + "\"";
                }
                s += "]";
            } else {
                s += "\"" + p->value + "\"";
            }
        }
        return s + "}";
    }
};

std::string referenceHeaders(const std::vector<HeaderField>& raw, std::size_t limit, bool join) {
    static const std::vector<std::string> firstWins = {"age",
                                                       "authorization",
                                                       "content-length",
                                                       "content-type",
                                                       "etag",
                                                       "expires",
                                                       "from",
                                                       "host",
                                                       "if-modified-since",
                                                       "if-unmodified-since",
                                                       "last-modified",
                                                       "location",
                                                       "max-forwards",
                                                       "proxy-authorization",
                                                       "referer",
                                                       "retry-after",
                                                       "server",
                                                       "user-agent"};
    JsObject dest;
    const std::size_t n = limit == 0 ? raw.size() : std::min(limit, raw.size());
    for (std::size_t i = 0; i < n; ++i) {
        std::string field(raw[i].name);
        for (char& c : field) c = nodecc::http::toLowerAscii(c);
        const std::string value(raw[i].value);
        if (field == "__proto__") continue;  // a prototype assignment, never a property
        JsObject::Prop* p = dest.find(field);
        if (field == "set-cookie") {
            if (!p) p = &dest.props.emplace_back(JsObject::Prop{field, {}, {}, true});
            p->array.push_back(value);
        } else if (std::find(firstWins.begin(), firstWins.end(), field) != firstWins.end()) {
            if (!p) {
                dest.props.push_back({field, {}, value});
            } else if (join) {
                p->value += ", " + value;
            }
        } else if (!p) {
            dest.props.push_back({field, {}, value});
        } else {
            p->value += (field == "cookie" ? "; " : ", ") + value;
        }
    }
    return dest.json();
}

}  // namespace

// Randomized comparison with the literal reference: names drawn from every rule class, in
// random case, with empty values, array-index names and `__proto__`.
TEST(IncomingHeaders, MatchesReferenceOnRandomInput) {
    const std::vector<std::string> names = {"Host",
                                            "host",
                                            "HOST",
                                            "Set-Cookie",
                                            "set-cookie",
                                            "Cookie",
                                            "cookie",
                                            "Accept",
                                            "accept",
                                            "X-Foo",
                                            "x-foo",
                                            "Content-Length",
                                            "User-Agent",
                                            "Date",
                                            "__proto__",
                                            "123",
                                            "7",
                                            "0",
                                            "01",
                                            "Connection",
                                            "Authorization",
                                            "Via",
                                            "if-unmodified-since"};
    const std::vector<std::string> values = {"", "a", "b c", "x=1", "z"};
    std::mt19937 rng(12345);
    IncomingHeaders h;
    for (int round = 0; round < 2000; ++round) {
        const std::size_t count = rng() % 40;
        std::vector<HeaderField> raw;
        for (std::size_t i = 0; i < count; ++i) {
            raw.push_back({names[rng() % names.size()], values[rng() % values.size()]});
        }
        const std::size_t limit = rng() % 4 == 0 ? rng() % 10 : 1000;
        const bool join = rng() % 4 == 0;
        h.reset(raw, {.maxHeadersCount = limit, .joinDuplicateHeaders = join});
        ASSERT_EQ(dump(h), referenceHeaders(raw, limit, join)) << "round " << round;
    }
}
