// Prints nodecc's framing transcript for each input line, in the format of
// node_transcript.js (Node's llhttp), so run_differential.py can compare them.
//
// stdin:  id \t mode \t hex-bytes \t split-offsets (comma separated, may be empty)
//         mode: "strict" = Node's default parser exactly (ParserOptions::nodeStrict()),
//               "rfc" = nodecc's default (RFC 9112 choices), "lenient" = insecureHTTPParser
// stdout: one JSON array per line: [id, events...]
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "parser_transcript.hpp"

namespace {

std::string fromHex(const std::string& hex) {
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return out;
}

std::vector<std::string> splitOn(const std::string& line, char separator) {
    std::vector<std::string> parts(1);
    for (const char c : line) {
        if (c == separator) {
            parts.emplace_back();
        } else {
            parts.back() += c;
        }
    }
    return parts;
}

}  // namespace

int main() {
    using nodecc::http::ParserOptions;
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        const std::vector<std::string> fields = splitOn(line, '\t');
        if (fields.size() < 3) continue;
        const std::string& mode = fields[1];
        const ParserOptions options = mode == "lenient" ? ParserOptions::insecure()
                                      : mode == "rfc"   ? ParserOptions{}
                                                        : ParserOptions::nodeStrict();
        std::vector<std::size_t> splits;
        if (fields.size() > 3 && !fields[3].empty()) {
            for (const std::string& offset : splitOn(fields[3], ','))
                splits.push_back(std::stoul(offset));
        }
        const std::string transcript =
            nodecc::http::testing::parseTranscript(fromHex(fields[2]), options, splits, true);
        // Splice the id in front: ["id", events...]
        std::cout << "[" << nodecc::http::testing::jsonString(fields[0])
                  << (transcript.size() > 2 ? "," : "") << transcript.substr(1) << "\n";
    }
    return 0;
}
