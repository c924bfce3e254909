// nodecc::http::ParserFreeList — the server's pool of parsers (Node's
// `parsers = new FreeList('parsers', 1000, parsersCb)` in _http_common.js,
// internal/freelist.js).
//
//     nodecc::http::ParserFreeList parsers;             // keeps at most 1000
//     std::unique_ptr<nodecc::http::Parser> parser = parsers.alloc();
//     parser->initialize(&connection, options);         // Node: parser.initialize(...)
//     ...                                               // the connection's lifetime
//     parsers.free(std::move(parser));                  // false when full: destroyed
//
// alloc() pops the most recently freed parser (LIFO, like Node's list.pop())
// or constructs a new one; free() detaches the handler (initialize(nullptr))
// and keeps the parser while fewer than max() are pooled.
//
// Threading: one pool per loop thread; not synchronised.
// Cost: alloc()/free() of a pooled parser allocate nothing once the pool's
// vector reached its high-water mark; a new parser is one allocation.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "nodecc/http/parser.hpp"

namespace nodecc::http {

class ParserFreeList {
  public:
    /// Node keeps 1000 parsers.
    static constexpr std::size_t kDefaultMax = 1000;

    explicit ParserFreeList(std::size_t max = kDefaultMax, std::string_view name = "parsers")
        : name_(name), max_(max) {}

    /// Node: freelist.alloc().
    std::unique_ptr<Parser> alloc() {
        if (list_.empty()) return std::make_unique<Parser>();
        std::unique_ptr<Parser> parser = std::move(list_.back());
        list_.pop_back();
        return parser;
    }

    /// Node: freelist.free(obj). Returns false (and destroys the parser) when full.
    bool free(std::unique_ptr<Parser> parser) {
        if (!parser) return false;
        if (list_.size() >= max_) return false;
        parser->initialize(nullptr, ParserOptions{});
        list_.push_back(std::move(parser));
        return true;
    }

    /// Node: freelist.hasItems().
    bool hasItems() const noexcept { return !list_.empty(); }
    std::size_t size() const noexcept { return list_.size(); }
    std::size_t max() const noexcept { return max_; }
    std::string_view name() const noexcept { return name_; }

  private:
    std::string_view name_;
    std::size_t max_;
    std::vector<std::unique_ptr<Parser>> list_;
};

}  // namespace nodecc::http
