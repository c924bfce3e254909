// Parser micro benchmarks: nodecc::http::Parser vs Debian's http-parser (Node's
// parser before llhttp), same inputs, same amount of callback work (each side
// sums the lengths of the url, header names/values and body it is given).
// Results and the exact command: docs/PERFORMANCE.md, section "Parser".
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "nodecc/http/parser.hpp"

#if defined(NODECC_HAVE_HTTP_PARSER)
#include <http_parser.h>
#endif

namespace {

const std::string kBrowserGet =
    "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
    "Host: www.kittyhell.com\r\n"
    "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_3; ja-JP-mac; rv:1.9.2.3) "
    "Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
    "Accept-Encoding: gzip,deflate\r\n"
    "Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
    "Keep-Alive: 115\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
    "__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; "
    "__utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/"
    "reader/|utmcmd=referral\r\n"
    "Referer: http://www.kittyhell.com/\r\n"
    "\r\n";

const std::string kMinimalGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

std::string pipelined() {
    std::string out;
    for (int i = 0; i < 16; ++i) {
        out += "GET /item/" + std::to_string(i) +
               " HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n";
    }
    return out;
}
const std::string kPipelined = pipelined();

std::string chunkedPost() {
    std::string out =
        "POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) out += "100\r\n" + std::string(256, 'a' + i) + "\r\n";
    out += "0\r\n\r\n";
    return out;
}
const std::string kChunkedPost = chunkedPost();

struct CountingHandler final : nodecc::http::ParserHandler {
    std::size_t bytes = 0;
    std::size_t messages = 0;
    using Action = nodecc::http::ParserAction;
    Action onUrl(std::string_view piece, bool) override {
        bytes += piece.size();
        return Action::Continue;
    }
    Action onHeaderField(std::string_view piece, bool) override {
        bytes += piece.size();
        return Action::Continue;
    }
    Action onHeaderValue(std::string_view piece, bool) override {
        bytes += piece.size();
        return Action::Continue;
    }
    Action onHeader(std::string_view name, std::string_view value) override {
        bytes += name.size() + value.size();
        return Action::Continue;
    }
    Action onBody(std::string_view data) override {
        bytes += data.size();
        return Action::Continue;
    }
    Action onMessageComplete() override {
        ++messages;
        return Action::Continue;
    }
};

void runNodecc(benchmark::State& state, const std::string& input, int requestsPerInput) {
    CountingHandler handler;
    nodecc::http::Parser parser(&handler);
    for (auto _ : state) {
        const auto result = parser.execute(input);
        if (result.error != nodecc::http::ParserError::Ok) {
            state.SkipWithError("parse error");
            break;
        }
        benchmark::DoNotOptimize(handler.bytes);
    }
    if (handler.messages != static_cast<std::size_t>(state.iterations()) * requestsPerInput) {
        state.SkipWithError("wrong message count");
    }
    state.SetItemsProcessed(state.iterations() * requestsPerInput);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}

#if defined(NODECC_HAVE_HTTP_PARSER)
struct HttpParserCounts {
    std::size_t bytes = 0;
    std::size_t messages = 0;
};

int countData(http_parser* parser, const char*, std::size_t length) {
    static_cast<HttpParserCounts*>(parser->data)->bytes += length;
    return 0;
}
int countMessage(http_parser* parser) {
    ++static_cast<HttpParserCounts*>(parser->data)->messages;
    return 0;
}

void runHttpParser(benchmark::State& state, const std::string& input, int requestsPerInput) {
    http_parser_settings settings;
    http_parser_settings_init(&settings);
    settings.on_url = countData;
    settings.on_header_field = countData;
    settings.on_header_value = countData;
    settings.on_body = countData;
    settings.on_message_complete = countMessage;
    HttpParserCounts counts;
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &counts;
    for (auto _ : state) {
        const std::size_t parsed =
            http_parser_execute(&parser, &settings, input.data(), input.size());
        if (parsed != input.size() || HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
            state.SkipWithError("parse error");
            break;
        }
        benchmark::DoNotOptimize(counts.bytes);
    }
    if (counts.messages != static_cast<std::size_t>(state.iterations()) * requestsPerInput) {
        state.SkipWithError("wrong message count");
    }
    state.SetItemsProcessed(state.iterations() * requestsPerInput);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}
#endif

void BM_Parser_BrowserGet_nodecc(benchmark::State& state) {
    runNodecc(state, kBrowserGet, 1);
}
void BM_Parser_MinimalGet_nodecc(benchmark::State& state) {
    runNodecc(state, kMinimalGet, 1);
}
void BM_Parser_Pipelined16_nodecc(benchmark::State& state) {
    runNodecc(state, kPipelined, 16);
}
void BM_Parser_ChunkedPost_nodecc(benchmark::State& state) {
    runNodecc(state, kChunkedPost, 1);
}
BENCHMARK(BM_Parser_BrowserGet_nodecc);
BENCHMARK(BM_Parser_MinimalGet_nodecc);
BENCHMARK(BM_Parser_Pipelined16_nodecc);
BENCHMARK(BM_Parser_ChunkedPost_nodecc);

#if defined(NODECC_HAVE_HTTP_PARSER)
void BM_Parser_BrowserGet_httpparser(benchmark::State& state) {
    runHttpParser(state, kBrowserGet, 1);
}
void BM_Parser_MinimalGet_httpparser(benchmark::State& state) {
    runHttpParser(state, kMinimalGet, 1);
}
void BM_Parser_Pipelined16_httpparser(benchmark::State& state) {
    runHttpParser(state, kPipelined, 16);
}
void BM_Parser_ChunkedPost_httpparser(benchmark::State& state) {
    runHttpParser(state, kChunkedPost, 1);
}
BENCHMARK(BM_Parser_BrowserGet_httpparser);
BENCHMARK(BM_Parser_MinimalGet_httpparser);
BENCHMARK(BM_Parser_Pipelined16_httpparser);
BENCHMARK(BM_Parser_ChunkedPost_httpparser);
#endif

}  // namespace
