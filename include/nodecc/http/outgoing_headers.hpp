// nodecc::http::OutgoingHeaders — the header store behind a response's
// setHeader / appendHeader / getHeader / getHeaders / getHeaderNames /
// getRawHeaderNames / hasHeader / removeHeader (Node: OutgoingMessage's
// kOutHeaders, `{lowercase: [originalName, value]}`).
//
// Keys are case-insensitive; each entry keeps the name as last set and its
// position: re-setting a name keeps its place, removing and setting again
// moves it to the end. Iteration is JavaScript object key order, as Node's
// `for (key in headers)`: keys that are array indices ("123") first, ascending,
// then the others in insertion order. A value is one string or a list.
//
//     nodecc::http::OutgoingHeaders h;
//     h.setHeader("Content-Type", "text/plain");
//     h.setHeader("Set-Cookie", {"a=1", "b=2"});     // a list: two lines on the wire
//     h.appendHeader("set-cookie", "c=3");
//     if (auto v = h.getHeader("content-type")) std::puts(std::string(v.value()).c_str());
//     h.forEach([](const OutgoingHeaders::Header& e) { /* e.name(), e.values() */ });
//     h.clear();                                     // next request: capacity kept
//
// Validation is Node's, thrown as nodecc::Error: ERR_INVALID_HTTP_TOKEN,
// ERR_INVALID_CHAR, ERR_HTTP_INVALID_HEADER_VALUE, and ERR_HTTP_HEADERS_SENT
// once markHeadersSent() ran (writeHead does that).
//
// Threading: one loop. Views returned (names, values) are valid until the next
// mutation. Cost: one byte arena plus two small vectors; clear() keeps their
// capacity, so a reused store allocates nothing per request after warm-up.
// Lookup is a linear scan with a length filter (a response has a handful of
// headers); no hashing, no allocation.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/header_field.hpp"

namespace nodecc::http {

/// Which automatic header a removeHeader() call suppresses (Node: _removedConnection,
/// _removedContLen, _removedTE, sendDate = false).
enum class SpecialHeader : std::uint8_t { None, Connection, ContentLength, TransferEncoding, Date };

/// Node: the server option `uniqueHeaders`: names (any case) whose list values are sent as
/// one line joined with "; " instead of one line per value.
class UniqueHeaders {
  public:
    UniqueHeaders() = default;
    UniqueHeaders(std::initializer_list<std::string_view> names);
    void add(std::string_view name);
    bool contains(std::string_view name) const noexcept;
    bool empty() const noexcept { return names_.empty(); }

  private:
    std::vector<std::string> names_;  // lowercase
};

/// Integer header values (Node: a number value is sent as its decimal text).
template <class T>
concept HeaderNumber = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                       !std::same_as<T, char8_t> && !std::same_as<T, char16_t> &&
                       !std::same_as<T, char32_t> && !std::same_as<T, wchar_t>;

class OutgoingHeaders {
  public:
    class Header;
    class ValueIterator;
    struct ValueRange;

    OutgoingHeaders() = default;

    /// Node: setHeader(name, value). Replaces any value of `name` (any case); the entry keeps
    /// its position and takes this spelling of the name.
    void setHeader(std::string_view name, std::string_view value);
    /// `nullptr` is Node's `undefined`: ERR_HTTP_INVALID_HEADER_VALUE.
    void setHeader(std::string_view name, std::nullptr_t) { undefinedValue("set", name); }
    /// Node: setHeader(name, number): the decimal text of `value`.
    template <HeaderNumber T>
    void setHeader(std::string_view name, T value) {
        char buf[24];
        setHeader(name, formatNumber(buf, value));
    }
    /// Node: setHeader(name, [values...]): a list (repeated lines, see Header::isArray).
    void setHeader(std::string_view name, std::span<const std::string_view> values);
    void setHeader(std::string_view name, std::initializer_list<std::string_view> values) {
        setHeader(name, std::span<const std::string_view>(values.begin(), values.size()));
    }

    /// Node: setHeaders(Headers | Map): setHeader for each field in order, except fields named
    /// exactly "set-cookie" (lowercase, as Node compares): their values are collected and set
    /// once, as a list, after the others.
    void setHeaders(std::span<const HeaderField> fields);
    void setHeaders(std::initializer_list<HeaderField> fields) {
        setHeaders(std::span<const HeaderField>(fields.begin(), fields.size()));
    }

    /// Node: appendHeader(name, value): setHeader when absent, otherwise the value turns into a
    /// list and `value` (or each of `values`) is added to it.
    void appendHeader(std::string_view name, std::string_view value);
    void appendHeader(std::string_view name, std::nullptr_t) { undefinedValue("append", name); }
    template <HeaderNumber T>
    void appendHeader(std::string_view name, T value) {
        char buf[24];
        appendHeader(name, formatNumber(buf, value));
    }
    void appendHeader(std::string_view name, std::span<const std::string_view> values);
    void appendHeader(std::string_view name, std::initializer_list<std::string_view> values) {
        appendHeader(name, std::span<const std::string_view>(values.begin(), values.size()));
    }

    /// Node: getHeader(name); a falsy Header when absent.
    Header getHeader(std::string_view name) const noexcept;
    /// Node: hasHeader(name).
    bool hasHeader(std::string_view name) const noexcept;
    /// Node: removeHeader(name). Returns which automatic header this suppresses: the caller
    /// (ServerResponse) sets `sendDate = false` on SpecialHeader::Date; the other three are
    /// recorded here (removedConnection() …) for the head builder.
    SpecialHeader removeHeader(std::string_view name);

    /// Node: getHeaders()/getRawHeaderNames()/_storeHeader iteration. Calls f(const Header&)
    /// for every entry in JavaScript object key order.
    template <class F>
    void forEach(F&& f) const;
    /// Node: getHeaderNames() (lowercase keys) and getRawHeaderNames() (names as set).
    /// Allocate; not for the hot path — forEach() is.
    std::vector<std::string> getHeaderNames() const;
    std::vector<std::string> getRawHeaderNames() const;

    std::size_t size() const noexcept { return live_; }
    bool empty() const noexcept { return live_ == 0; }
    /// Node: `this[kOutHeaders] !== null` — true once any header was set since clear(), even if
    /// all were removed again. writeHead uses it to pick its slow (merge) path.
    bool used() const noexcept { return used_; }

    /// An upper bound of the head lines of all entries ("name: value\r\n" per value, and one
    /// line per entry even without a value), kept as headers are set: the head writer reserves
    /// this much without walking the entries.
    std::size_t headLinesBound() const noexcept { return headLinesBound_; }

    /// Whether every entry is one "name: value\r\n" line, held as such (forEachLine), with a
    /// name the head builder has no rule for (not Date, Expect, Trailer, Connection, Keep-Alive,
    /// Content-Length or Transfer-Encoding, nor an array index) and nothing was removed: what
    /// a handler's plain setHeader calls leave. The head builder then copies the lines.
    bool plainLines() const noexcept { return plainLines_; }
    /// For plainLines(): f(std::string_view line) for each entry, in order.
    template <class F>
    void forEachLine(F&& f) const {
        for (const Slot& s : slots_) f(bytes(s.nameOff, s.lineLen));
    }

    bool removedConnection() const noexcept { return removedConnection_; }
    bool removedContentLength() const noexcept { return removedContentLength_; }
    bool removedTransferEncoding() const noexcept { return removedTransferEncoding_; }

    /// After this, set/append/remove throw ERR_HTTP_HEADERS_SENT (Node: `this._header` set).
    void markHeadersSent() noexcept { headersSent_ = true; }
    bool headersSent() const noexcept { return headersSent_; }

    /// Forget everything (headers, removed flags, sent flag); keep the capacity.
    void clear() noexcept;

  private:
    static constexpr std::uint32_t kNone = 0xffffffffu;
    struct Slot {
        std::uint32_t keyOff, nameOff, nameLen;  // key = lowercase name, same length
        std::uint32_t firstValue, lastValue, valueCount;
        std::uint32_t arrayIndex;  // JS array-index key value, kNone if not one
        bool isList;
        bool live;
        // Made with one value: "name: value\r\n" lies at nameOff, lineLen bytes (0: not so).
        std::uint32_t lineLen;
    };
    struct ValueRef {
        std::uint32_t off, len, next;
    };

    std::uint32_t find(std::string_view name) const noexcept;
    std::uint32_t store(std::string_view s);
    void checkNotSent(const char* verb) const;
    [[noreturn]] void undefinedValue(const char* verb, std::string_view name) const;
    template <class T>
    static std::string_view formatNumber(char (&buf)[24], T value) noexcept {
        const auto r = std::to_chars(buf, buf + sizeof buf, value);
        return {buf, static_cast<std::size_t>(r.ptr - buf)};
    }
    void set(std::string_view name, const std::string_view* values, std::size_t n, bool isList);
    [[gnu::noinline]] void setOther(std::uint32_t slot, std::string_view name,
                                    const std::string_view* values, std::size_t n, bool isList,
                                    bool upper);
    void append(std::string_view name, const std::string_view* values, std::size_t n, bool isList);
    void pushValue(Slot& slot, std::string_view value);
    void linkValue(Slot& slot, std::uint32_t off, std::size_t size);
    std::string_view bytes(std::uint32_t off, std::uint32_t len) const noexcept {
        return {bytes_.data() + off, len};
    }

    // The bytes of names, keys and values: grows by doubling and keeps its capacity across
    // clear() (a pooled response allocates nothing once warm); offsets stay valid.
    class Arena {
      public:
        Arena() = default;
        Arena(const Arena& o) { *this = o; }
        Arena& operator=(const Arena& o) {
            if (this != &o) {
                size_ = 0;
                if (o.size_ > cap_) reserve(o.size_);
                if (o.size_ != 0) std::memcpy(p_.get(), o.p_.get(), o.size_);
                size_ = o.size_;
            }
            return *this;
        }
        char* data() noexcept { return p_.get(); }
        const char* data() const noexcept { return p_.get(); }
        std::uint32_t size() const noexcept { return size_; }
        void clear() noexcept {
            size_ = 0;
            if (!retired_.empty()) retired_.clear();
        }
        // n more bytes (uninitialised); their offset.
        std::uint32_t grow(std::size_t n) {
            if (n > cap_ - size_) reserve(n);
            const std::uint32_t off = size_;
            size_ += static_cast<std::uint32_t>(n);
            return off;
        }

      private:
        void reserve(std::size_t more);  // room for `more` bytes past size_; throws past 4 GiB
        std::unique_ptr<char[]> p_;
        // Blocks outgrown since the last clear(), kept alive: the bytes being stored may be
        // a view into them (setHeader("b", getHeader("a").value())). Growth doubles, so
        // they add up to less than the current block.
        std::vector<std::unique_ptr<char[]>> retired_;
        std::uint32_t size_ = 0;
        std::uint32_t cap_ = 0;
    };
    Arena bytes_;
    std::vector<Slot> slots_;
    std::vector<ValueRef> values_;
    std::size_t headLinesBound_ = 0;  // grows only: removed and replaced values stay counted
    std::uint32_t live_ = 0;
    std::uint32_t liveArrayIndexKeys_ = 0;
    bool used_ = false;
    bool plainLines_ = true;
    bool headersSent_ = false;
    bool removedConnection_ = false;
    bool removedContentLength_ = false;
    bool removedTransferEncoding_ = false;

    friend class Header;
    friend class ValueIterator;
};

/// The values of one header, in order.
class OutgoingHeaders::ValueIterator {
  public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    ValueIterator() = default;
    ValueIterator(const OutgoingHeaders* h, std::uint32_t i) : h_(h), i_(i) {}
    std::string_view operator*() const noexcept {
        const ValueRef& v = h_->values_[i_];
        return h_->bytes(v.off, v.len);
    }
    ValueIterator& operator++() noexcept {
        i_ = h_->values_[i_].next;
        return *this;
    }
    ValueIterator operator++(int) noexcept {
        ValueIterator t = *this;
        ++*this;
        return t;
    }
    bool operator==(const ValueIterator& o) const noexcept { return i_ == o.i_; }

  private:
    const OutgoingHeaders* h_ = nullptr;
    std::uint32_t i_ = kNone;
};

struct OutgoingHeaders::ValueRange {
    ValueIterator first, last;
    ValueIterator begin() const noexcept { return first; }
    ValueIterator end() const noexcept { return last; }
};

/// A view of one entry (Node: `[originalName, value]`); falsy when absent.
class OutgoingHeaders::Header {
  public:
    Header() = default;
    explicit operator bool() const noexcept { return h_ != nullptr; }
    /// The name as last set ("Content-Type").
    std::string_view name() const noexcept { return h_->bytes(s_->nameOff, s_->nameLen); }
    /// The lowercase key ("content-type").
    std::string_view key() const noexcept { return h_->bytes(s_->keyOff, s_->nameLen); }
    /// Node: Array.isArray(getHeader(name)) — set with a list, or appended to.
    bool isArray() const noexcept { return s_->isList; }
    std::size_t size() const noexcept { return s_->valueCount; }
    /// The value; the first element for a list (empty for an empty list).
    std::string_view value() const noexcept {
        return s_->valueCount ? *values().begin() : std::string_view();
    }
    ValueRange values() const noexcept {
        return {ValueIterator(h_, s_->firstValue), ValueIterator(h_, kNone)};
    }

  private:
    friend class OutgoingHeaders;
    Header(const OutgoingHeaders* h, const Slot* s) : h_(h), s_(s) {}
    const OutgoingHeaders* h_ = nullptr;
    const Slot* s_ = nullptr;
};

template <class F>
void OutgoingHeaders::forEach(F&& f) const {
    if (liveArrayIndexKeys_ != 0) {
        // Array-index keys first, ascending (JS [[OwnPropertyKeys]]); there are few.
        std::uint32_t prev = 0;
        bool first = true;
        for (std::uint32_t n = 0; n < liveArrayIndexKeys_; ++n) {
            const Slot* best = nullptr;
            for (const Slot& s : slots_) {
                if (!s.live || s.arrayIndex == kNone) continue;
                if (!first && s.arrayIndex <= prev) continue;
                if (!best || s.arrayIndex < best->arrayIndex) best = &s;
            }
            prev = best->arrayIndex;
            first = false;
            f(Header(this, best));
        }
    }
    for (const Slot& s : slots_) {
        if (s.live && s.arrayIndex == kNone) f(Header(this, &s));
    }
}

}  // namespace nodecc::http
