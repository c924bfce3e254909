#include "parser_transcript.hpp"

#include <cstdio>

namespace nodecc::http::testing {

std::string jsonString(std::string_view bytes) {
    std::string out = "\"";
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char escape[8];
                    std::snprintf(escape, sizeof escape, "\\u%04x", c);
                    out += escape;
                } else if (c < 0x80) {
                    out += static_cast<char>(c);
                } else {  // latin-1 code point as UTF-8
                    out += static_cast<char>(0xc0 | (c >> 6));
                    out += static_cast<char>(0x80 | (c & 0x3f));
                }
        }
    }
    out += '"';
    return out;
}

namespace {

class TranscriptHandler final : public ParserHandler {
  public:
    ParserAction onMessageBegin() override {
        url_.clear();
        fields_.clear();
        body_.clear();
        hasBody_ = false;
        return ParserAction::Continue;
    }
    ParserAction onUrl(std::string_view piece, bool) override {
        url_.append(piece);
        return ParserAction::Continue;
    }
    ParserAction onHeaderField(std::string_view piece, bool) override {
        if (!inName_) {
            fields_.emplace_back();
            inName_ = true;
        }
        fields_.back().first.append(piece);
        return ParserAction::Continue;
    }
    ParserAction onHeaderValue(std::string_view piece, bool complete) override {
        inName_ = false;
        fields_.back().second.append(piece);
        if (complete) {
            fields_.back().second = std::string(trimTrailingWhitespace(fields_.back().second));
        }
        return ParserAction::Continue;
    }
    ParserAction onHeader(std::string_view name, std::string_view value) override {
        fields_.emplace_back(std::string(name), std::string(value));
        inName_ = false;
        return ParserAction::Continue;
    }
    HeadersAction onHeadersComplete(const Parser& parser) override {
        char version[8];
        std::snprintf(version, sizeof version, "%u.%u", parser.httpMajor(), parser.httpMinor());
        events_.push_back("[\"hc\"," + jsonString(parser.methodName()) + "," + jsonString(url_) +
                          "," + jsonString(version) + "," + fieldsJson() + "," +
                          (parser.shouldKeepAlive() ? "1" : "0") + "," +
                          (parser.upgrade() ? "1" : "0") + "]");
        fields_.clear();
        return parser.upgrade() ? HeadersAction::Upgrade : HeadersAction::Continue;
    }
    ParserAction onBody(std::string_view data) override {
        body_.append(data);
        hasBody_ = true;
        return ParserAction::Continue;
    }
    ParserAction onMessageComplete() override {
        flushBody();
        if (!fields_.empty()) events_.push_back("[\"trailers\"," + fieldsJson() + "]");
        fields_.clear();
        events_.emplace_back("[\"mc\"]");
        return ParserAction::Continue;
    }

    void flushBody() {
        if (hasBody_) events_.push_back("[\"body\"," + jsonString(body_) + "]");
        body_.clear();
        hasBody_ = false;
    }
    void add(std::string event) { events_.push_back(std::move(event)); }
    std::string json() const {
        std::string out = "[";
        for (std::size_t i = 0; i < events_.size(); ++i) {
            if (i != 0) out += ',';
            out += events_[i];
        }
        return out + "]";
    }

  private:
    std::string fieldsJson() const {
        std::string out = "[";
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (i != 0) out += ',';
            out += "[" + jsonString(fields_[i].first) + "," + jsonString(fields_[i].second) + "]";
        }
        return out + "]";
    }

    std::string url_;
    std::vector<std::pair<std::string, std::string>> fields_;
    std::string body_;
    bool hasBody_ = false;
    bool inName_ = false;
    std::vector<std::string> events_;
};

}  // namespace

std::string parseTranscript(std::string_view data, const ParserOptions& options,
                            const std::vector<std::size_t>& splits, bool errorPosition) {
    TranscriptHandler handler;
    Parser parser(&handler, options);
    std::size_t offset = 0;
    std::size_t splitIndex = 0;
    while (offset < data.size() || (offset == 0 && data.empty())) {
        std::size_t next = data.size();
        while (splitIndex < splits.size() && splits[splitIndex] <= offset) ++splitIndex;
        if (splitIndex < splits.size() && splits[splitIndex] < next) next = splits[splitIndex];
        const ExecuteResult result = parser.execute(data.substr(offset, next - offset));
        if (result.error == ParserError::PausedUpgrade) {
            handler.flushBody();
            handler.add("[\"upgrade\"," + std::to_string(offset + result.consumed) + "]");
            return handler.json();
        }
        if (result.error != ParserError::Ok) {
            handler.flushBody();
            handler.add("[\"error\"," + jsonString(errorCode(result.error)) + "," +
                        jsonString(parser.errorReason()) +
                        (errorPosition ? "," + std::to_string(result.consumed) : std::string()) +
                        "]");
            return handler.json();
        }
        offset = next;
        if (data.empty()) break;
    }
    handler.flushBody();
    const ParserError finish = parser.finish();
    handler.flushBody();
    handler.add("[\"finish\"," +
                jsonString(finish == ParserError::Ok ? std::string_view("ok") : errorCode(finish)) +
                "]");
    return handler.json();
}

std::string parseTranscriptBytewise(std::string_view data, const ParserOptions& options) {
    std::vector<std::size_t> splits;
    for (std::size_t i = 1; i < data.size(); ++i) splits.push_back(i);
    return parseTranscript(data, options, splits);
}

std::string parseOutcome(std::string_view data, const ParserOptions& options) {
    Parser parser(nullptr, options);
    const ExecuteResult result = parser.execute(data);
    if (result.error != ParserError::Ok) return std::string(errorCode(result.error));
    const ParserError finish = parser.finish();
    if (finish != ParserError::Ok) return "eof:" + std::string(errorCode(finish));
    return "ok";
}

}  // namespace nodecc::http::testing
