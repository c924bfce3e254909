// libFuzzer target for nodecc::http::Parser (clang, -DNODECC_FUZZ=ON; built as fuzz_parser).
//
// Input layout: byte 0 = mode (bit 0: insecure, bit 1: Node-exact, else nodecc's default),
// bytes 1-2 = split seed, the rest = the byte stream. Invariants checked:
//   * no crash / sanitizer report;
//   * every view an event carries lies inside the buffer given to that execute() call;
//   * execute() consumes all input unless it reports an error or a pause;
//   * the framing transcript is the same whole, cut at seeded points, and one byte at a time.
// Seed corpus: tests/fuzz/make_seed_corpus.py (the conformance cases).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"
// Fuzz targets are single files linked against libnodecc, which is not built with
// coverage instrumentation. Compiling the parser into this file gives libFuzzer its
// coverage (the archive's copies are then never pulled in), and brings the shared
// transcript helper along.
#include "http/methods.cpp"             // NOLINT(bugprone-suspicious-include)
#include "http/parser.cpp"              // NOLINT(bugprone-suspicious-include)
#include "http/parser_errors.cpp"       // NOLINT(bugprone-suspicious-include)
#include "http/parser_machine.cpp"      // NOLINT(bugprone-suspicious-include)
#include "http/parser_transitions.cpp"  // NOLINT(bugprone-suspicious-include)
#include "parser_transcript.cpp"        // NOLINT(bugprone-suspicious-include)

namespace {

using namespace nodecc::http;

class BoundsHandler final : public ParserHandler {
  public:
    const char* lo = nullptr;
    const char* hi = nullptr;

    ParserAction onUrl(std::string_view p, bool) override { return check(p); }
    ParserAction onHeaderField(std::string_view p, bool) override { return check(p); }
    ParserAction onHeaderValue(std::string_view p, bool) override { return check(p); }
    ParserAction onHeader(std::string_view n, std::string_view v) override {
        check(n);
        return check(v);
    }
    ParserAction onBody(std::string_view p) override { return check(p); }
    ParserAction onChunkExtensionName(std::string_view p, bool) override { return check(p); }
    ParserAction onChunkExtensionValue(std::string_view p, bool) override { return check(p); }
    HeadersAction onHeadersComplete(const Parser& parser) override {
        return parser.upgrade() ? HeadersAction::Upgrade : HeadersAction::Continue;
    }

  private:
    ParserAction check(std::string_view piece) const {
        if (!piece.empty() && (piece.data() < lo || piece.data() + piece.size() > hi)) std::abort();
        return ParserAction::Continue;
    }
};

void checkBounds(std::string_view data, const ParserOptions& options,
                 const std::vector<std::size_t>& cuts) {
    BoundsHandler handler;
    Parser parser(&handler, options);
    std::size_t offset = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t next = i < cuts.size() ? cuts[i] : data.size();
        if (next < offset) continue;
        // A private copy per read, as a socket read buffer would be.
        const std::string chunk(data.substr(offset, next - offset));
        handler.lo = chunk.data();
        handler.hi = chunk.data() + chunk.size();
        const ExecuteResult result = parser.execute(chunk);
        if (result.consumed > chunk.size()) std::abort();
        if (result.error != ParserError::Ok) return;
        if (result.consumed != chunk.size()) std::abort();
        offset = next;
    }
    parser.finish();
}

// Whole and split parses must give the same events, with one exception that Node has
// too: header bytes count toward maxHeaderSize per read (llhttp flushes a span at the
// end of each buffer, not at an error), so where an overflow races another error the
// error may differ — the events before it may not (ParserLimits test
// OverflowOrTokenErrorDependsOnReadsAsInNode).
bool sameUpToReadBoundaries(const std::string& a, const std::string& b) {
    if (a == b) return true;
    const auto at = [](const std::string& t) { return t.rfind("[\"error\""); };
    const std::size_t ea = at(a), eb = at(b);
    if (ea == std::string::npos || eb == std::string::npos) return false;
    if (a.compare(0, ea, b, 0, eb) != 0) return false;
    const auto overflow = [](const std::string& t, std::size_t e) {
        return t.compare(e, 30, "[\"error\",\"HPE_HEADER_OVERFLOW\"") == 0;
    };
    return overflow(a, ea) || overflow(b, eb);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t mode = bytes[0];
    std::uint32_t seed = (static_cast<std::uint32_t>(bytes[1]) << 8) | bytes[2] | 1u;
    const std::string_view data(reinterpret_cast<const char*>(bytes + 3), size - 3);
    const ParserOptions options = (mode & 1) != 0   ? ParserOptions::insecure()
                                  : (mode & 2) != 0 ? ParserOptions::nodeStrict()
                                                    : ParserOptions{};
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0;;) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        at += 1 + seed % 23;
        if (at >= data.size()) break;
        cuts.push_back(at);
    }
    checkBounds(data, options, cuts);
    const std::string whole = nodecc::http::testing::parseTranscript(data, options);
    if (!sameUpToReadBoundaries(nodecc::http::testing::parseTranscript(data, options, cuts),
                                whole)) {
        std::abort();
    }
    if (data.size() <= 4096 &&
        !sameUpToReadBoundaries(nodecc::http::testing::parseTranscriptBytewise(data, options),
                                whole)) {
        std::abort();
    }
    return 0;
}
