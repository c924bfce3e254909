// Chunked transfer coding (RFC 9112 §7.1): sizes, extensions, trailers, limits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

using testing::parseOutcome;
using testing::parseTranscript;

const std::string kHead = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(ParserChunked, ChunksAreDecodedAndTrailersDelivered) {
    EXPECT_EQ(
        parseTranscript(kHead + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n", {}),
        R"([["hc","POST","/","1.1",[["Transfer-Encoding","chunked"]],1,0],["body","hello world"],["trailers",[["X-T","1"]]],["mc"],["finish","ok"]])");
}

TEST(ParserChunked, EventsInLlhttpOrder) {
    struct Log final : ParserHandler {
        std::vector<std::string> events;
        ParserAction onChunkHeader(std::uint64_t size) override {
            events.push_back("chunk-header " + std::to_string(size));
            return ParserAction::Continue;
        }
        ParserAction onBody(std::string_view data) override {
            events.push_back("body " + std::string(data));
            return ParserAction::Continue;
        }
        ParserAction onChunkComplete() override {
            events.emplace_back("chunk-complete");
            return ParserAction::Continue;
        }
        ParserAction onHeader(std::string_view name, std::string_view) override {
            events.push_back("trailer " + std::string(name));
            return ParserAction::Continue;
        }
        ParserAction onMessageComplete() override {
            events.emplace_back("message-complete");
            return ParserAction::Continue;
        }
    } log;
    Parser parser(&log);
    ASSERT_EQ(parser.execute(kHead + "A\r\n0123456789\r\n0\r\nT: v\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_EQ(log.events,
              (std::vector<std::string>{"trailer Transfer-Encoding", "chunk-header 10",
                                        "body 0123456789", "chunk-complete", "chunk-header 0",
                                        "trailer T", "chunk-complete", "message-complete"}));
}

TEST(ParserChunked, SizesAreHexWithOverflowCheck) {
    EXPECT_EQ(parseOutcome(kHead + "a\r\n0123456789\r\n0\r\n\r\n"), "ok");
    EXPECT_EQ(parseOutcome(kHead + "zz\r\n"), "HPE_INVALID_CHUNK_SIZE");
    EXPECT_EQ(parseOutcome(kHead + "\r\n"), "HPE_INVALID_CHUNK_SIZE");
    EXPECT_EQ(parseOutcome(kHead + "-1\r\n"), "HPE_INVALID_CHUNK_SIZE");
    EXPECT_EQ(parseOutcome(kHead + "5 \r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE");
    Parser overflow;
    EXPECT_EQ(overflow.execute(kHead + "10000000000000000\r\n").error,
              ParserError::InvalidChunkSize);
    EXPECT_EQ(overflow.errorReason(), "Chunk size overflow");
    EXPECT_EQ(parseOutcome(kHead + "ffffffffffffffff\r\n"), "eof:HPE_INVALID_EOF_STATE");
}

TEST(ParserChunked, ChunkDataMustEndInCrlf) {
    EXPECT_EQ(parseOutcome(kHead + "5\r\nhelloX0\r\n\r\n"), "HPE_STRICT");
    EXPECT_EQ(parseOutcome(kHead + "5\r\nhello\n0\r\n\r\n"), "HPE_CR_EXPECTED");
    EXPECT_EQ(parseOutcome(kHead + "5\nhello\r\n0\r\n\r\n"), "HPE_CR_EXPECTED");
    EXPECT_EQ(parseOutcome(kHead + "5\rhello\r\n0\r\n\r\n"), "HPE_STRICT");
}

TEST(ParserChunked, ExtensionsAreParsedAndReported) {
    struct Ext final : ParserHandler {
        std::string log;
        ParserAction onChunkExtensionName(std::string_view p, bool complete) override {
            log += "N" + std::string(p) + (complete ? ";" : "");
            return ParserAction::Continue;
        }
        ParserAction onChunkExtensionValue(std::string_view p, bool complete) override {
            log += "V" + std::string(p) + (complete ? ";" : "");
            return ParserAction::Continue;
        }
    } ext;
    Parser parser(&ext);
    ASSERT_EQ(parser.execute(kHead + "1;a=b;c;d=\"q\\\"x\"\r\nx\r\n0\r\n\r\n").error,
              ParserError::Ok);
    EXPECT_EQ(ext.log, "Na;Vb;Nc;Nd;V\"q\\\"x\";");
    EXPECT_EQ(parseOutcome(kHead + "1; a=b\r\nx\r\n0\r\n\r\n"), "HPE_STRICT");
    EXPECT_EQ(parseOutcome(kHead + "1;a=b c\r\nx\r\n0\r\n\r\n"), "HPE_STRICT");
}

TEST(ParserChunked, ExtensionBudgetIs16KiBPerChunk) {
    const auto chunk = [](std::size_t valueBytes) {
        return "1;a=" + std::string(valueBytes, 'b') + "\r\nx\r\n";
    };
    // Node counts extension names + values: 1 + 16383 fits, 1 + 16384 does not (→ 413).
    EXPECT_EQ(parseOutcome(kHead + chunk(16383) + "0\r\n\r\n"), "ok");
    Parser parser;
    EXPECT_EQ(parser.execute(kHead + chunk(16384)).error, ParserError::ChunkExtensionsOverflow);
    EXPECT_EQ(parser.errorReason(), "Chunk extensions overflow");
    EXPECT_EQ(parseOutcome(kHead + chunk(10000) + chunk(10000) + "0\r\n\r\n"), "ok");
    EXPECT_EQ(testing::parseTranscriptBytewise(kHead + chunk(16384), {}),
              parseTranscript(kHead + chunk(16384), {}));
}

TEST(ParserChunked, TrailersAreBoundedByTheHeaderSizeToo) {
    ParserOptions small;
    small.maxHeaderSize = 100;
    EXPECT_EQ(parseOutcome(kHead + "0\r\nX: " + std::string(90, 'a') + "\r\n\r\n", small), "ok");
    EXPECT_EQ(parseOutcome(kHead + "0\r\nX: " + std::string(99, 'a') + "\r\n\r\n", small),
              "HPE_HEADER_OVERFLOW");
}

TEST(ParserChunked, ContentLengthInTrailersIsRejected) {
    EXPECT_EQ(parseOutcome(kHead + "0\r\nContent-Length: 1\r\n\r\n"), "HPE_INVALID_CONTENT_LENGTH");
}

}  // namespace
}  // namespace nodecc::http
