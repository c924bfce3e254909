// Response head micro benchmarks (DESIGN.md §5): building the head of a typical small
// keep-alive response with pooled storage — the work of Node's setHeader + writeHead +
// _storeHeader — and building req.headers from a browser-like request.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/date_cache.hpp"
#include "nodecc/http/incoming_headers.hpp"
#include "nodecc/http/outgoing_headers.hpp"
#include "nodecc/http/response_head.hpp"

namespace {

using namespace nodecc::http;

// setHeader('Content-Type') + end(body): status line, Content-Type, Date, Connection,
// Keep-Alive, Content-Length, body.
void BM_HttpResponseHeadTypical(benchmark::State& state) {
    ResponseHead head;
    OutgoingHeaders headers;
    DateCache dates;
    std::string out;
    out.reserve(512);
    const std::string_view body = "Hello, World!";
    for (auto _ : state) {
        out.clear();
        headers.clear();
        head.reset({.shouldKeepAlive = true});
        headers.setHeader("Content-Type", "text/plain");
        head.contentLength = body.size();
        head.writeHead(200, headers, {.date = dates.utcDate()}, out);
        head.appendWrite(out, body);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetLabel(std::to_string(out.size()) + " bytes");
}
BENCHMARK(BM_HttpResponseHeadTypical);

// writeHead(200, [[k, v]...]) fast path with five headers, chunked.
void BM_HttpResponseHeadWriteHeadFiveFields(benchmark::State& state) {
    ResponseHead head;
    OutgoingHeaders headers;
    DateCache dates;
    std::string out;
    out.reserve(512);
    const HeaderField fields[] = {{"Content-Type", "application/json"},
                                  {"Cache-Control", "no-store"},
                                  {"X-Request-Id", "0123456789abcdef"},
                                  {"Vary", "Accept-Encoding"},
                                  {"Set-Cookie", "session=abc; HttpOnly"}};
    for (auto _ : state) {
        out.clear();
        headers.clear();
        head.reset({.shouldKeepAlive = true});
        head.writeHead(200, std::nullopt, headers, fields, {.date = dates.utcDate()}, out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_HttpResponseHeadWriteHeadFiveFields);

// req.headers for a typical browser request (9 fields), then three lookups.
void BM_HttpIncomingHeadersBrowser(benchmark::State& state) {
    const std::vector<HeaderField> raw = {
        {"Host", "example.test"},
        {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"},
        {"Accept", "text/html,application/xhtml+xml"},
        {"Accept-Language", "en-US,en;q=0.5"},
        {"Accept-Encoding", "gzip, deflate, br"},
        {"Connection", "keep-alive"},
        {"Cookie", "a=1"},
        {"Cookie", "b=2"},
        {"Upgrade-Insecure-Requests", "1"}};
    IncomingHeaders headers;
    for (auto _ : state) {
        headers.reset(raw);
        benchmark::DoNotOptimize(headers.get("host"));
        benchmark::DoNotOptimize(headers.get("cookie"));
        benchmark::DoNotOptimize(headers.get("expect"));
    }
}
BENCHMARK(BM_HttpIncomingHeadersBrowser);

void BM_HttpDateCache(benchmark::State& state) {
    DateCache dates;
    for (auto _ : state) benchmark::DoNotOptimize(dates.utcDate().data());
}
BENCHMARK(BM_HttpDateCache);

}  // namespace
