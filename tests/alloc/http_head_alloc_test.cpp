// Building a typical small response head allocates nothing once the storage is warm
// (DESIGN.md §5): the pooled OutgoingHeaders / ResponseHead / output buffer of a keep-alive
// response, plus req.headers built over the request's raw fields.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"
#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/incoming_headers.hpp"
#include "nodecc/http/outgoing_headers.hpp"
#include "nodecc/http/response_head.hpp"

namespace nodecc::http {
namespace {

constexpr int kRequests = 1000;

// One request/response cycle as the server runs it: reset pooled state, set headers, end().
void respond(ResponseHead& head, OutgoingHeaders& headers, DateCache& dates, std::string& out,
             std::string_view body) {
    out.clear();
    headers.clear();
    head.reset({.shouldKeepAlive = true});
    headers.setHeader("Content-Type", "text/plain");
    head.contentLength = body.size();
    head.writeHead(200, headers, {.date = dates.utcDate()}, out);
    head.appendWrite(out, body);
    head.appendEnd(out);
}

TEST(HttpHeadAlloc, TypicalResponseHeadAllocatesNothing) {
    ResponseHead head;
    OutgoingHeaders headers;
    DateCache dates;
    std::string out;
    const std::string_view body = "Hello, World!";
    respond(head, headers, dates, out, body);  // warm-up: buffers reach their size
    respond(head, headers, dates, out, body);
    ASSERT_NE(out.find("Content-Length: 13\r\n"), std::string::npos);
    ASSERT_NE(out.find("Keep-Alive: timeout=5\r\n"), std::string::npos);

    test::AllocationScope scope;
    for (int i = 0; i < kRequests; ++i) respond(head, headers, dates, out, body);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(out.substr(0, 17), "HTTP/1.1 200 OK\r\n");
}

TEST(HttpHeadAlloc, IncomingHeadersReuseAllocatesNothing) {
    const std::vector<HeaderField> raw = {{"Host", "example.test"}, {"User-Agent", "curl/8"},
                                          {"Accept", "*/*"},        {"Accept", "text/html"},
                                          {"Cookie", "a=1"},        {"Cookie", "b=2"}};
    IncomingHeaders headers;
    headers.reset(raw);
    ASSERT_NE(headers.get("host"), nullptr);  // warm-up builds and sizes the storage

    test::AllocationScope scope;
    std::size_t seen = 0;
    for (int i = 0; i < kRequests; ++i) {
        headers.reset(raw);
        seen += headers.get("host")->value().size();
        seen += headers.get("accept")->value().size();
        seen += headers.distinct("cookie").size();
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(seen, kRequests * (12u + 14u + 2u));
}

// Past the linear-scan limit the lookup uses a hash table: its storage is reused too.
TEST(HttpHeadAlloc, ManyIncomingHeadersReuseAllocatesNothing) {
    std::vector<std::string> names;
    for (int i = 0; i < 64; ++i) names.push_back("X-Field-" + std::to_string(i % 40));
    std::vector<HeaderField> raw;
    for (const std::string& n : names) raw.push_back({n, "v"});
    IncomingHeaders headers;
    headers.reset(raw);
    ASSERT_EQ(headers.size(), 40u);

    test::AllocationScope scope;
    std::size_t seen = 0;
    for (int i = 0; i < kRequests; ++i) {
        headers.reset(raw);
        seen += headers.get("x-field-3")->value().size();
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(seen, kRequests * 4u);  // "v, v"
}

}  // namespace
}  // namespace nodecc::http
