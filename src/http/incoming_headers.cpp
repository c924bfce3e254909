#include "nodecc/http/incoming_headers.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace nodecc::http {

namespace {

// Node: _http_incoming.js matchKnownFields. Set-cookie is an array, cookie joins with "; ",
// these drop duplicates (or join with ", " under joinDuplicateHeaders), all others join ", ".
std::uint8_t classify(std::string_view name, bool joinDuplicates) noexcept {
    constexpr std::uint8_t kComma = 0, kCookie = 1, kSetCookie = 3;
    const std::uint8_t firstWins = joinDuplicates ? kComma : 2;
    const auto is = [&](std::string_view known) { return equalsIgnoreCase(name, known); };
    switch (name.size()) {
        case 3:
            return is("age") ? firstWins : kComma;
        case 4:
            return is("host") || is("from") || is("etag") ? firstWins : kComma;
        case 6:
            if (is("cookie")) return kCookie;
            return is("server") ? firstWins : kComma;
        case 7:
            return is("referer") || is("expires") ? firstWins : kComma;
        case 8:
            return is("location") ? firstWins : kComma;
        case 10:
            if (is("set-cookie")) return kSetCookie;
            return is("user-agent") ? firstWins : kComma;
        case 11:
            return is("retry-after") ? firstWins : kComma;
        case 12:
            return is("content-type") || is("max-forwards") ? firstWins : kComma;
        case 13:
            return is("authorization") || is("last-modified") ? firstWins : kComma;
        case 14:
            return is("content-length") ? firstWins : kComma;
        case 17:
            return is("if-modified-since") ? firstWins : kComma;
        case 19:
            return is("proxy-authorization") || is("if-unmodified-since") ? firstWins : kComma;
        default:
            return kComma;
    }
}

// A per-process seed so that attacker-chosen header names cannot aim at one bucket.
std::uint64_t hashSeed() noexcept {
    static const std::uint64_t seed = [] {
        const auto t =
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        return (t ^ reinterpret_cast<std::uintptr_t>(&t)) | 1;
    }();
    return seed;
}

// Eight bytes at a time; `| 0x20` folds ASCII case (it also folds a few non-letters together,
// which only costs a collision: equality is always checked exactly).
std::uint64_t hashLower(std::string_view name) noexcept {
    constexpr std::uint64_t kFold = 0x2020202020202020ull;
    constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ull;
    std::uint64_t h = hashSeed() ^ (name.size() * kMul);
    std::size_t i = 0;
    for (; i + 8 <= name.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, name.data() + i, 8);
        h = (h ^ (w | kFold)) * kMul;
        h ^= h >> 32;
    }
    if (i < name.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, name.data() + i, name.size() - i);
        h = (h ^ (w | (kFold >> (8 * (8 - (name.size() - i)))))) * kMul;
        h ^= h >> 32;
    }
    return h ^ (h >> 29);
}

}  // namespace

void IncomingHeaders::reset(std::span<const HeaderField> raw, Options options) noexcept {
    raw_ = raw;
    options_ = options;
    built_ = false;
}

void IncomingHeaders::clear() noexcept {
    raw_ = {};
    entries_.clear();
    fieldEntry_.clear();
    distinct_.clear();
    order_.clear();
    arena_.clear();
    built_ = true;
}

std::uint32_t IncomingHeaders::findEntry(std::string_view name, std::uint64_t hash) const noexcept {
    if (table_.empty()) {
        for (std::uint32_t i = 0; i < entries_.size(); ++i) {
            if (equalsIgnoreCase(entries_[i].key_, name)) return i;
        }
        return kNotIndex;
    }
    const std::size_t mask = table_.size() - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t v = table_[slot];
        if (v == 0) return kNotIndex;
        if (equalsIgnoreCase(entries_[v - 1].key_, name)) return v - 1;
    }
}

void IncomingHeaders::build() const {
    // Node: the `headers` getter → _addHeaderLine for the first kHeadersCount entries.
    built_ = true;
    entries_.clear();
    order_.clear();
    std::size_t n = raw_.size();
    if (options_.maxHeadersCount > 0) n = std::min(n, options_.maxHeadersCount);

    const bool hashed = n > kLinearLimit;
    if (hashed) {
        std::size_t size = 16;
        while (size < 2 * n) size <<= 1;
        table_.assign(size, 0);
    } else {
        table_.clear();
    }
    fieldEntry_.resize(n);

    // Pass 1: find the keys, count their fields, size the joined values.
    std::uint32_t indexKeys = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const HeaderField& f = raw_[i];
        const std::uint64_t h = hashed ? hashLower(f.name) : 0;
        std::uint32_t e = findEntry(f.name, h);
        if (e == kNotIndex) {
            e = static_cast<std::uint32_t>(entries_.size());
            Entry& created = entries_.emplace_back();
            created.key_ = f.name;  // lowercased in pass 2
            created.kind_ = classify(f.name, options_.joinDuplicateHeaders);
            created.hidden_ = equalsIgnoreCase(f.name, "__proto__");
            const long long index = arrayIndexKey(f.name);
            created.arrayIndex_ = index < 0 ? kNotIndex : static_cast<std::uint32_t>(index);
            if (index >= 0) ++indexKeys;
            if (hashed) {
                const std::size_t mask = table_.size() - 1;
                std::size_t slot = h & mask;
                while (table_[slot] != 0) slot = (slot + 1) & mask;
                table_[slot] = e + 1;
            }
        }
        Entry& entry = entries_[e];
        if (entry.count_ > 0) entry.joinLength_ += 2;  // ", " or "; "
        entry.joinLength_ += static_cast<std::uint32_t>(f.value.size());
        ++entry.count_;
        fieldEntry_[i] = e;
    }

    // Pass 2: one arena for lowercased keys and joined values, sized once.
    std::size_t arenaSize = 0;
    for (const Entry& e : entries_) {
        if (hasUpperAscii(e.key_)) arenaSize += e.key_.size();
        if (e.count_ > 1 && e.kind_ <= Entry::kJoinCookie) arenaSize += e.joinLength_;
    }
    arena_.resize(arenaSize);
    distinct_.resize(n);
    std::size_t at = 0;
    std::uint32_t distinctAt = 0;
    for (Entry& e : entries_) {
        if (hasUpperAscii(e.key_)) {
            char* dst = arena_.data() + at;
            for (std::size_t k = 0; k < e.key_.size(); ++k) dst[k] = toLowerAscii(e.key_[k]);
            e.key_ = std::string_view(dst, e.key_.size());
            at += e.key_.size();
        }
        if (e.count_ > 1 && e.kind_ <= Entry::kJoinCookie) {
            const std::size_t length = e.joinLength_;
            e.joinLength_ = static_cast<std::uint32_t>(at);      // now: where the value starts
            e.value_ = std::string_view(arena_.data() + at, 0);  // grows as fields are joined
            at += length;
        }
        e.distinctBegin_ = distinctAt;
        e.values_ = std::span<const std::string_view>(distinct_.data() + distinctAt, e.count_);
        distinctAt += e.count_;
        e.count_ = 0;  // reused as the fill cursor below
    }
    for (std::size_t i = 0; i < n; ++i) {
        Entry& e = entries_[fieldEntry_[i]];
        const std::string_view value = raw_[i].value;
        distinct_[e.distinctBegin_ + e.count_] = value;
        const bool joined = e.values_.size() > 1 && e.kind_ <= Entry::kJoinCookie;
        if (joined) {
            std::size_t len = e.value_.size();
            char* dst = arena_.data() + e.joinLength_ + len;
            if (e.count_ > 0) {
                dst[0] = e.kind_ == Entry::kJoinCookie ? ';' : ',';
                dst[1] = ' ';
                dst += 2;
                len += 2;
            }
            std::copy(value.begin(), value.end(), dst);
            e.value_ = std::string_view(arena_.data() + e.joinLength_, len + value.size());
        } else if (e.count_ == 0) {
            e.value_ = value;
        }
        ++e.count_;
    }

    if (indexKeys > 0) {
        // JS [[OwnPropertyKeys]]: array-index keys ascending, then insertion order.
        order_.resize(entries_.size());
        for (std::uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
        std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
            return entries_[a].arrayIndex_ < entries_[b].arrayIndex_;
        });
    }
}

const IncomingHeaders::Entry* IncomingHeaders::get(std::string_view name) const {
    if (!built_) build();
    const std::uint32_t i = findEntry(name, table_.empty() ? 0 : hashLower(name));
    if (i == kNotIndex || entries_[i].hidden_) return nullptr;
    return &entries_[i];
}

std::span<const std::string_view> IncomingHeaders::distinct(std::string_view name) const {
    if (!built_) build();
    const std::uint32_t i = findEntry(name, table_.empty() ? 0 : hashLower(name));
    if (i == kNotIndex) return {};
    return entries_[i].values_;
}

std::size_t IncomingHeaders::size() const {
    if (!built_) build();
    std::size_t count = 0;
    for (const Entry& e : entries_) count += e.hidden_ ? 0 : 1;
    return count;
}

}  // namespace nodecc::http
