// The conformance corpus (tests/conformance/corpus.json) at the parse level:
//  * every case parsed whole, one byte per read, and cut at its `segments`
//    gives identical events, in the default, Node-exact and insecure modes;
//  * Node's recorded answers (corpus.expected.json) agree with the parser:
//    a canned 400/431/413 means a parse error (431 = HPE_HEADER_OVERFLOW,
//    413 = HPE_CHUNK_EXTENSIONS_OVERFLOW), and an echo document means the first
//    message parses to the same method, url, version, rawHeaders and body.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nodecc/http/parser.hpp"
#include "parser_transcript.hpp"

namespace nodecc::http {
namespace {

// ---- a small JSON reader (strings as code points; enough for the corpus files) ----

struct Json {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::u32string string;
    std::vector<Json> array;
    std::map<std::string, Json> object;

    const Json* get(const std::string& key) const {
        const auto it = object.find(key);
        return it == object.end() ? nullptr : &it->second;
    }
};

class JsonReader {
  public:
    explicit JsonReader(std::string_view text) : text_(text) {}

    Json parse() {
        Json value = parseValue();
        skipSpace();
        if (pos_ != text_.size()) throw std::runtime_error("trailing JSON");
        return value;
    }

  private:
    void skipSpace() {
        while (pos_ < text_.size() &&
               std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos)
            ++pos_;
    }
    char next() {
        if (pos_ >= text_.size()) throw std::runtime_error("unexpected end of JSON");
        return text_[pos_++];
    }
    Json parseValue() {
        skipSpace();
        Json value;
        const char c = next();
        if (c == '{') {
            value.kind = Json::Kind::Object;
            skipSpace();
            if (text_[pos_] == '}') return ++pos_, value;
            for (;;) {
                skipSpace();
                if (next() != '"') throw std::runtime_error("expected a key");
                const std::string key = toUtf8(parseString());
                skipSpace();
                if (next() != ':') throw std::runtime_error("expected ':'");
                value.object[key] = parseValue();
                skipSpace();
                if (next() == '}') return value;
            }
        }
        if (c == '[') {
            value.kind = Json::Kind::Array;
            skipSpace();
            if (text_[pos_] == ']') return ++pos_, value;
            for (;;) {
                value.array.push_back(parseValue());
                skipSpace();
                if (next() == ']') return value;
            }
        }
        if (c == '"') {
            value.kind = Json::Kind::String;
            value.string = parseString();
            return value;
        }
        if (text_.substr(pos_ - 1, 4) == "true") {
            pos_ += 3;
            value.kind = Json::Kind::Bool;
            value.boolean = true;
            return value;
        }
        if (text_.substr(pos_ - 1, 5) == "false") {
            pos_ += 4;
            value.kind = Json::Kind::Bool;
            return value;
        }
        if (text_.substr(pos_ - 1, 4) == "null") {
            pos_ += 3;
            return value;
        }
        const std::size_t start = pos_ - 1;
        while (pos_ < text_.size() &&
               std::string_view("+-.eE0123456789").find(text_[pos_]) != std::string_view::npos)
            ++pos_;
        value.kind = Json::Kind::Number;
        value.number = std::stod(std::string(text_.substr(start, pos_ - start)));
        return value;
    }
    std::uint32_t hex4() {
        const std::uint32_t v =
            static_cast<std::uint32_t>(std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16));
        pos_ += 4;
        return v;
    }
    std::u32string parseString() {
        std::u32string out;
        for (;;) {
            const auto c = static_cast<unsigned char>(next());
            if (c == '"') return out;
            if (c == '\\') {
                const char e = next();
                switch (e) {
                    case 'n':
                        out += U'\n';
                        break;
                    case 'r':
                        out += U'\r';
                        break;
                    case 't':
                        out += U'\t';
                        break;
                    case 'b':
                        out += U'\b';
                        break;
                    case 'f':
                        out += U'\f';
                        break;
                    case 'u': {
                        std::uint32_t cp = hex4();
                        if (cp >= 0xd800 && cp < 0xdc00 && text_.substr(pos_, 2) == "\\u") {
                            pos_ += 2;
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4() - 0xdc00);
                        }
                        out += static_cast<char32_t>(cp);
                        break;
                    }
                    default:
                        out += static_cast<char32_t>(e);
                }
                continue;
            }
            if (c < 0x80) {
                out += static_cast<char32_t>(c);
                continue;
            }
            const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
            std::uint32_t cp = c & (0x3f >> extra);
            for (int i = 0; i < extra; ++i)
                cp = (cp << 6) | (static_cast<unsigned char>(next()) & 0x3f);
            out += static_cast<char32_t>(cp);
        }
    }

  public:
    static std::string toUtf8(const std::u32string& s) {
        std::string out;
        for (const char32_t cp : s) {
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xc0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                out += static_cast<char>(0xe0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
                out += static_cast<char>(0xf0 | (cp >> 18));
                out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            }
        }
        return out;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::string latin1(const std::u32string& s) {
    std::string out;
    for (const char32_t cp : s) out += static_cast<char>(cp & 0xff);
    return out;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string base64Decode(const std::string& in) {
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : in) {
        const auto p =
            std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                .find(c);
        if (p == std::string_view::npos) continue;
        bits = (bits << 6) | static_cast<std::uint32_t>(p);
        if ((count += 6) >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xff);
        }
    }
    return out;
}

struct Corpus {
    Json cases;
    Json expected;
};

const Corpus& corpus() {
    static const Corpus loaded = [] {
        const std::string dir = std::string(NODECC_SOURCE_DIR) + "/tests/conformance/";
        Corpus c;
        c.cases = JsonReader(readFile(dir + "corpus.json")).parse();
        c.expected = JsonReader(readFile(dir + "corpus.expected.json")).parse();
        return c;
    }();
    return loaded;
}

// ---- the first message as the parser sees it ----

struct FirstMessage final : ParserHandler {
    std::string method, url, version, body;
    std::vector<std::string> rawHeaders;  // name, value, name, value …
    bool headersDone = false;
    bool complete = false;
    bool inName = false;

    ParserAction onUrl(std::string_view piece, bool) override {
        if (!headersDone) url.append(piece);
        return ParserAction::Continue;
    }
    ParserAction onHeaderField(std::string_view piece, bool) override {
        if (headersDone) return ParserAction::Continue;
        if (!inName) rawHeaders.emplace_back(), rawHeaders.emplace_back();
        inName = true;
        rawHeaders[rawHeaders.size() - 2].append(piece);
        return ParserAction::Continue;
    }
    ParserAction onHeaderValue(std::string_view piece, bool done) override {
        if (headersDone) return ParserAction::Continue;
        inName = false;
        rawHeaders.back().append(piece);
        if (done) rawHeaders.back() = std::string(trimTrailingWhitespace(rawHeaders.back()));
        return ParserAction::Continue;
    }
    HeadersAction onHeadersComplete(const Parser& parser) override {
        if (!headersDone) {
            method = parser.methodName();
            version = std::to_string(parser.httpMajor()) + "." + std::to_string(parser.httpMinor());
        }
        headersDone = true;
        return parser.upgrade() ? HeadersAction::Upgrade : HeadersAction::Continue;
    }
    ParserAction onBody(std::string_view data) override {
        if (!complete) body.append(data);
        return ParserAction::Continue;
    }
    ParserAction onMessageComplete() override {
        complete = true;
        return ParserAction::Continue;
    }
};

// Parses `raw` whole; returns the error code ("" when none) and fills `first`.
std::string parseFirst(const std::string& raw, const ParserOptions& options, FirstMessage& first) {
    Parser parser(&first, options);
    const ExecuteResult result = parser.execute(raw);
    if (isParseError(result.error)) return std::string(errorCode(result.error));
    if (result.error == ParserError::Ok) {
        const ParserError eof = parser.finish();
        if (eof != ParserError::Ok) return std::string(errorCode(eof));
    }
    return "";
}

TEST(ParserCorpus, EveryCaseGivesTheSameEventsWholeBytewiseAndSegmented) {
    const Json& cases = *corpus().cases.get("cases");
    ASSERT_EQ(cases.array.size(), 455u);
    const ParserOptions modes[] = {ParserOptions{}, ParserOptions::nodeStrict(),
                                   ParserOptions::insecure()};
    for (const Json& c : cases.array) {
        const std::string id = latin1(c.get("id")->string);
        const std::string raw = latin1(c.get("raw")->string);
        std::vector<std::size_t> segments;
        if (const Json* s = c.get("segments")) {
            for (const Json& offset : s->array)
                segments.push_back(static_cast<std::size_t>(offset.number));
        }
        for (const ParserOptions& options : modes) {
            const std::string whole = testing::parseTranscript(raw, options);
            EXPECT_EQ(testing::parseTranscriptBytewise(raw, options), whole) << id;
            if (!segments.empty()) {
                EXPECT_EQ(testing::parseTranscript(raw, options, segments), whole) << id;
            }
        }
    }
}

TEST(ParserCorpus, NodesRecordedAnswersAgreeAtTheParseLevel) {
    const Json& cases = *corpus().cases.get("cases");
    const Json& responses = *corpus().expected.get("responses");
    int cannedErrors = 0;
    int echoes = 0;
    for (const Json& c : cases.array) {
        const std::string id = latin1(c.get("id")->string);
        const std::string raw = latin1(c.get("raw")->string);
        const Json* answer = responses.get(id);
        ASSERT_NE(answer, nullptr) << id;
        const std::string response = latin1(answer->get("normal")->get("response")->string);
        const bool nodeLenient = c.get("node_lenient") && c.get("node_lenient")->boolean;

        FirstMessage node;
        const std::string error = parseFirst(raw, ParserOptions::nodeStrict(), node);
        FirstMessage rfc;
        const std::string rfcError = parseFirst(raw, ParserOptions{}, rfc);

        const auto canned = [&](const char* status) {
            return response == std::string("HTTP/1.1 ") + status + "\r\nConnection: close\r\n\r\n";
        };
        if (canned("400 Bad Request") || canned("431 Request Header Fields Too Large") ||
            canned("413 Payload Too Large")) {
            ++cannedErrors;
            EXPECT_FALSE(error.empty()) << id << ": Node answered a parse error";
            EXPECT_FALSE(rfcError.empty()) << id << ": Node answered a parse error";
            if (canned("431 Request Header Fields Too Large")) {
                EXPECT_EQ(error, "HPE_HEADER_OVERFLOW") << id;
            }
            if (canned("413 Payload Too Large")) {
                EXPECT_EQ(error, "HPE_CHUNK_EXTENSIONS_OVERFLOW") << id;
            }
            continue;
        }
        // An echo document for the first request: compare what was parsed.
        const auto docStart = response.find("\r\n\r\n");  // the first response's body only
        if (docStart == std::string::npos || !response.starts_with("HTTP/1.1 ") ||
            response.compare(docStart + 4, 10, "{\"method\":") != 0) {
            continue;
        }
        const auto lengthAt = response.find("Content-Length: ");
        if (lengthAt == std::string::npos || lengthAt > docStart) continue;
        const std::size_t length = std::stoul(response.substr(lengthAt + 16));
        const Json doc = JsonReader(response.substr(docStart + 4, length)).parse();
        ++echoes;
        ASSERT_TRUE(node.headersDone) << id << " " << error;
        EXPECT_EQ(node.method, latin1(doc.get("method")->string)) << id;
        EXPECT_EQ(node.url, latin1(doc.get("url")->string)) << id;
        EXPECT_EQ(node.version, latin1(doc.get("httpVersion")->string)) << id;
        const Json& raws = *doc.get("rawHeaders");
        if (raws.array.size() < 2000) {  // Node keeps 1023 fields at most (ECHO.md §3.1)
            ASSERT_EQ(node.rawHeaders.size(), raws.array.size()) << id;
            for (std::size_t i = 0; i < raws.array.size(); ++i) {
                EXPECT_EQ(node.rawHeaders[i], latin1(raws.array[i].string)) << id << " field " << i;
            }
        }
        const std::string encoding = latin1(doc.get("bodyEncoding")->string);
        const std::string body = encoding == "base64"
                                     ? base64Decode(latin1(doc.get("body")->string))
                                     : JsonReader::toUtf8(doc.get("body")->string);
        EXPECT_EQ(node.body, body) << id;
        // nodecc's default agrees too, unless the case is one where RFC 9112 lets it refuse.
        if (!nodeLenient) {
            EXPECT_TRUE(rfc.headersDone) << id << " " << rfcError;
            EXPECT_EQ(rfc.url, node.url) << id;
            EXPECT_EQ(rfc.rawHeaders, node.rawHeaders) << id;
        }
    }
    EXPECT_GT(cannedErrors, 150);
    EXPECT_GT(echoes, 200);
}

}  // namespace
}  // namespace nodecc::http
