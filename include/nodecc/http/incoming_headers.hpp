// nodecc::http::IncomingHeaders — `req.headers`, `req.headersDistinct`,
// `req.trailers` and `req.trailersDistinct`, built from the raw field list with
// Node v20's rules (_http_incoming.js matchKnownFields / _addHeaderLine):
//
//   * keys are lowercase names;
//   * first value wins for age, authorization, content-length, content-type,
//     etag, expires, from, host, if-modified-since, if-unmodified-since,
//     last-modified, location, max-forwards, proxy-authorization, referer,
//     retry-after, server, user-agent (joined with ", " under
//     `joinDuplicateHeaders`);
//   * set-cookie is always an array; cookie values are joined with "; ";
//     every other name is joined with ", " (an empty first value gives ", e");
//   * only the first `maxHeadersCount` fields count (Node: maxHeaderPairs / 2,
//     default 1000; 0 means no limit, as Node's maxHeaderPairs <= 0);
//   * `__proto__` never appears in headers (a JS prototype assignment) but does
//     in headersDistinct; iteration is JS object order: array-index keys
//     ("123") first, ascending, then first-appearance order.
//
//     std::vector<nodecc::http::HeaderField> raw = /* views into the request's bytes */;
//     nodecc::http::IncomingHeaders headers;
//     headers.reset(raw, {.maxHeadersCount = 1000});
//     if (auto* host = headers.get("host")) use(host->value());
//     for (std::string_view c : headers.distinct("set-cookie")) use(c);
//     headers.forEach([](const IncomingHeaders::Entry& e) { /* e.key(), e.value() */ });
//
// Threading: one loop. The raw fields (and the bytes they view) must outlive
// the object or the next reset(). Built lazily on first access, like Node's
// `headers` getter. Views returned are valid until reset()/clear().
// Cost: zero-copy for names already lowercase and single values; one byte
// arena for lowercased names and joined values; vectors whose capacity is kept
// across reset(), so a pooled object allocates nothing per request after
// warm-up. Lookup: linear for a few fields, a seeded hash table beyond that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/header_field.hpp"

namespace nodecc::http {

class IncomingHeaders {
  public:
    struct Options {
        std::size_t maxHeadersCount = 1000;  ///< server.maxHeadersCount (0: no limit)
        bool joinDuplicateHeaders = false;   ///< server option joinDuplicateHeaders
    };

    /// One key of `headers` / `headersDistinct`.
    class Entry {
      public:
        /// The lowercase name.
        std::string_view key() const noexcept { return key_; }
        /// Node: headers[key] as a string (joined, or the first value). For set-cookie (an
        /// array in Node) the first value; use values().
        std::string_view value() const noexcept { return value_; }
        /// Node: Array.isArray(headers[key]) — only set-cookie.
        bool isArray() const noexcept { return kind_ == kSetCookie; }
        /// Node: headersDistinct[key] — every value in order (set-cookie's array too).
        std::span<const std::string_view> values() const noexcept { return values_; }

      private:
        friend class IncomingHeaders;
        static constexpr std::uint8_t kJoinComma = 0, kJoinCookie = 1, kFirstWins = 2,
                                      kSetCookie = 3;
        std::string_view key_;
        std::string_view value_;
        std::span<const std::string_view> values_;
        std::uint32_t count_ = 0;       // fields with this key
        std::uint32_t joinLength_ = 0;  // bytes of the joined value; after build: its arena offset
        std::uint32_t distinctBegin_ = 0;
        std::uint32_t arrayIndex_ = 0;  // JS array-index key value, kNotIndex if not
        std::uint8_t kind_ = kJoinComma;
        bool hidden_ = false;  // `__proto__`: absent from headers/trailers
    };

    IncomingHeaders() = default;

    /// Node: IncomingMessage._addHeaderLines(rawHeaders, n). Keeps a view of `raw`.
    void reset(std::span<const HeaderField> raw, Options options) noexcept;
    void reset(std::span<const HeaderField> raw) noexcept { reset(raw, Options{}); }
    /// Forget the fields; keep the capacity.
    void clear() noexcept;

    /// Node: rawHeaders / rawTrailers (all fields given, not only the first maxHeadersCount).
    std::span<const HeaderField> raw() const noexcept { return raw_; }

    /// Node: headers[name] (Node needs the lowercase name; here any case matches).
    /// nullptr when absent.
    const Entry* get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name) != nullptr; }
    /// Node: headersDistinct[name]; empty when absent.
    std::span<const std::string_view> distinct(std::string_view name) const;

    /// Node: Object.keys(headers) order — calls f(const Entry&) per key of `headers`.
    template <class F>
    void forEach(F&& f) const {
        visit(false, f);
    }
    /// The same for headersDistinct (also yields `__proto__`).
    template <class F>
    void forEachDistinct(F&& f) const {
        visit(true, f);
    }
    /// Number of keys of `headers`.
    std::size_t size() const;

  private:
    static constexpr std::uint32_t kNotIndex = 0xffffffffu;
    static constexpr std::uint32_t kLinearLimit = 16;  // fields; beyond: hash table

    void build() const;
    std::uint32_t findEntry(std::string_view name, std::uint64_t hash) const noexcept;
    template <class F>
    void visit(bool distinct, F& f) const {
        if (!built_) build();
        if (order_.empty()) {
            for (const Entry& e : entries_) {
                if (distinct || !e.hidden_) f(e);
            }
        } else {
            for (std::uint32_t i : order_) {
                if (distinct || !entries_[i].hidden_) f(entries_[i]);
            }
        }
    }

    std::span<const HeaderField> raw_;
    Options options_;
    mutable bool built_ = true;
    mutable std::vector<Entry> entries_;
    mutable std::vector<std::uint32_t> fieldEntry_;  // field → entry
    mutable std::vector<std::string_view> distinct_;
    mutable std::vector<std::uint32_t> table_;  // open addressing: entry index + 1
    mutable std::vector<std::uint32_t> order_;  // JS key order when array-index keys exist
    mutable std::string arena_;
};

}  // namespace nodecc::http
