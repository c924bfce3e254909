// A ParserHandler that records the framing transcript of a byte stream in the
// normalized form shared by the unit tests, the corpus test, the fuzzer and
// tools/parser-diff (the same form tools/parser-diff/node_transcript.js prints
// for Node's llhttp): one event per line-ish entry, JSON-encoded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/parser.hpp"

namespace nodecc::http::testing {

/// Latin-1 bytes as a JSON string literal (code points U+0000–U+00FF, like JSON.stringify).
std::string jsonString(std::string_view bytes);

/// Feeds `data` to a fresh parser in pieces cut at `splits` (offsets, ascending),
/// then calls finish(); returns the transcript as a JSON array of events:
///   ["hc", method, url, "M.m", [[name, value]...], keepAlive, upgrade]
///   ["body", bytes] ["trailers", [[name, value]...]] ["mc"]
///   ["upgrade", bytesParsed] | ["error", code, reason] | ["finish", code-or-"ok"]
/// Like Node's server, onHeadersComplete answers Upgrade when parser.upgrade().
/// With `errorPosition`, an error event also carries the error's offset in the read
/// that failed (Node's err.bytesParsed): ["error", code, reason, bytesParsed].
std::string parseTranscript(std::string_view data, const ParserOptions& options,
                            const std::vector<std::size_t>& splits = {},
                            bool errorPosition = false);

/// Same, one byte per execute() call.
std::string parseTranscriptBytewise(std::string_view data, const ParserOptions& options);

/// How parsing `data` whole ends: "ok", the execute() error code ("HPE_INVALID_METHOD"),
/// or "eof:" + finish()'s code when only finish() fails.
std::string parseOutcome(std::string_view data, const ParserOptions& options = {});

}  // namespace nodecc::http::testing
