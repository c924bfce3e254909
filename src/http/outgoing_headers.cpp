#include "nodecc/http/outgoing_headers.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

namespace nodecc::http {

// ---- UniqueHeaders ----------------------------------------------------------

UniqueHeaders::UniqueHeaders(std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) add(n);
}

void UniqueHeaders::add(std::string_view name) {
    std::string lower(name);
    for (char& c : lower) c = toLowerAscii(c);
    if (!contains(lower)) names_.push_back(std::move(lower));
}

bool UniqueHeaders::contains(std::string_view name) const noexcept {
    for (const std::string& n : names_) {
        if (equalsIgnoreCase(n, name)) return true;
    }
    return false;
}

// ---- OutgoingHeaders --------------------------------------------------------

namespace {

// The names _storeHeader's matchHeader acts on (Node: _http_outgoing.js matchHeader).
// Inline: for a literal name the switch folds away.
inline bool isStoreHeaderName(std::string_view name) noexcept {
    switch (name.size()) {
        case 4:
            return equalsIgnoreCase(name, "date");
        case 6:
            return equalsIgnoreCase(name, "expect");
        case 7:
            return equalsIgnoreCase(name, "trailer");
        case 10:
            return equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive");
        case 14:
            return equalsIgnoreCase(name, "content-length");
        case 17:
            return equalsIgnoreCase(name, "transfer-encoding");
        default:
            return false;
    }
}

}  // namespace

void OutgoingHeaders::clear() noexcept {
    bytes_.clear();
    slots_.clear();
    values_.clear();
    headLinesBound_ = 0;
    live_ = 0;
    liveArrayIndexKeys_ = 0;
    used_ = false;
    plainLines_ = true;
    headersSent_ = false;
    removedConnection_ = false;
    removedContentLength_ = false;
    removedTransferEncoding_ = false;
}

std::uint32_t OutgoingHeaders::find(std::string_view name) const noexcept {
    const auto n = static_cast<std::uint32_t>(slots_.size());
    for (std::uint32_t i = 0; i < n; ++i) {
        const Slot& s = slots_[i];
        if (!s.live || s.nameLen != name.size()) continue;
        const char* key = bytes_.data() + s.keyOff;
        std::size_t j = 0;
        while (j < name.size() && key[j] == toLowerAscii(name[j])) ++j;
        if (j == name.size()) return i;
    }
    return kNone;
}

std::uint32_t OutgoingHeaders::store(std::string_view s) {
    const std::uint32_t off = bytes_.grow(s.size());
    if (!s.empty()) std::memcpy(bytes_.data() + off, s.data(), s.size());
    return off;
}

void OutgoingHeaders::Arena::reserve(std::size_t more) {
    const std::size_t need = std::size_t{size_} + more;
    if (need > std::numeric_limits<std::uint32_t>::max()) {
        throw Error("ERR_OUT_OF_RANGE", "Outgoing headers exceed 4 GiB");
    }
    std::size_t cap = cap_ == 0 ? 256 : std::size_t{cap_} * 2;
    while (cap < need) cap *= 2;
    cap = std::min<std::size_t>(cap, std::numeric_limits<std::uint32_t>::max());
    auto p = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ != 0) std::memcpy(p.get(), p_.get(), size_);
    if (p_) retired_.push_back(std::move(p_));  // the caller may still read from it
    p_ = std::move(p);
    cap_ = static_cast<std::uint32_t>(cap);
}

void OutgoingHeaders::checkNotSent(const char* verb) const {
    if (headersSent_) throw headersSentError(verb);
}

void OutgoingHeaders::pushValue(Slot& slot, std::string_view value) {
    linkValue(slot, store(value), value.size());
}

void OutgoingHeaders::linkValue(Slot& slot, std::uint32_t off, std::size_t size) {
    const auto idx = static_cast<std::uint32_t>(values_.size());
    values_.push_back({off, static_cast<std::uint32_t>(size), kNone});
    headLinesBound_ += slot.nameLen + size + 4;
    if (slot.valueCount == 0) {
        slot.firstValue = idx;
    } else {
        values_[slot.lastValue].next = idx;
    }
    slot.lastValue = idx;
    ++slot.valueCount;
}

void OutgoingHeaders::set(std::string_view name, const std::string_view* values, std::size_t n,
                          bool isList) {
    // Node: setHeader validates the name, then the value (arrays as their ','-joined text,
    // which rejects the same bytes as checking each element).
    checkNotSent("set");
    // One pass over the name: is it a token, has it a capital (then the key is a lowercase
    // copy; else the name's own bytes)?
    bool token = !name.empty();
    bool upper = false;
    for (char c : name) {
        token &= isTokenChar(c);
        upper |= static_cast<unsigned char>(c - 'A') < 26;
    }
    if (!token) validateHeaderName(name);  // throws Node's error
    for (std::size_t i = 0; i < n; ++i) validateHeaderValue(name, values[i]);
    used_ = true;

    const std::uint32_t i = find(name);
    if (i != kNone || n != 1) {
        setOther(i, name, values, n, isList, upper);
        return;
    }
    // A new name with one value (most setHeader calls): the slot is made with its value
    // linked, in one arena reservation: "name: value\r\n", then the key when it differs
    // from the name.
    const long long index = arrayIndexKey(name);
    const std::size_t single = values[0].size();
    const std::size_t lineLen = name.size() + single + 4;
    const std::uint32_t nameOff = bytes_.grow(lineLen + (upper ? name.size() : 0));
    char* dst = bytes_.data() + nameOff;
    std::memcpy(dst, name.data(), name.size());
    dst[name.size()] = ':';
    dst[name.size() + 1] = ' ';
    if (single != 0) std::memcpy(dst + name.size() + 2, values[0].data(), single);
    dst[lineLen - 2] = '\r';
    dst[lineLen - 1] = '\n';
    std::uint32_t keyOff = nameOff;
    if (upper) {
        keyOff = nameOff + static_cast<std::uint32_t>(lineLen);
        for (std::size_t k = 0; k < name.size(); ++k) dst[lineLen + k] = toLowerAscii(name[k]);
    }
    const auto value = static_cast<std::uint32_t>(values_.size());
    values_.push_back({nameOff + static_cast<std::uint32_t>(name.size() + 2),
                       static_cast<std::uint32_t>(single), kNone});
    // One line for the name even without a value (an empty list), one for the value.
    headLinesBound_ += name.size() + 4 + lineLen;
    ++live_;
    if (index >= 0) ++liveArrayIndexKeys_;
    if (isList || index >= 0 || isStoreHeaderName(name)) plainLines_ = false;
    slots_.push_back(Slot{keyOff, nameOff, static_cast<std::uint32_t>(name.size()), value, value, 1,
                          index < 0 ? kNone : static_cast<std::uint32_t>(index), isList, true,
                          static_cast<std::uint32_t>(lineLen)});
}

// set() of a name already there (slot i), or of a list: the values are linked one by one.
void OutgoingHeaders::setOther(std::uint32_t i, std::string_view name,
                               const std::string_view* values, std::size_t n, bool isList,
                               bool upper) {
    plainLines_ = false;
    if (i == kNone) {
        i = static_cast<std::uint32_t>(slots_.size());
        const long long index = arrayIndexKey(name);
        headLinesBound_ += name.size() + 4;  // a line even without a value (an empty list)
        ++live_;
        if (index >= 0) ++liveArrayIndexKeys_;
        // One arena reservation for the name and its key.
        const std::uint32_t nameOff = bytes_.grow(name.size() * (upper ? 2 : 1));
        char* dst = bytes_.data() + nameOff;
        std::memcpy(dst, name.data(), name.size());
        std::uint32_t keyOff = nameOff;
        if (upper) {
            keyOff = nameOff + static_cast<std::uint32_t>(name.size());
            for (std::size_t k = 0; k < name.size(); ++k)
                dst[name.size() + k] = toLowerAscii(name[k]);
        }
        slots_.push_back(Slot{keyOff, nameOff, static_cast<std::uint32_t>(name.size()), kNone,
                              kNone, 0, index < 0 ? kNone : static_cast<std::uint32_t>(index),
                              isList, true, 0});
    } else if (bytes(slots_[i].nameOff, slots_[i].nameLen) != name) {
        slots_[i].nameOff = store(name);
    }
    // JS `headers[key] = [name, value]` on an existing key keeps its position, takes the new
    // spelling of the name. The old bytes stay in the arena until clear().
    Slot& s = slots_[i];
    s.isList = isList;
    s.valueCount = 0;
    s.firstValue = s.lastValue = kNone;
    s.lineLen = 0;
    for (std::size_t k = 0; k < n; ++k) pushValue(slots_[i], values[k]);
}

void OutgoingHeaders::append(std::string_view name, const std::string_view* values, std::size_t n,
                             bool isList) {
    checkNotSent("append");
    validateHeaderName(name);
    for (std::size_t i = 0; i < n; ++i) validateHeaderValue(name, values[i]);
    const std::uint32_t i = find(name);
    if (i == kNone) {
        set(name, values, n, isList);
        return;
    }
    // Node: appendHeader turns the value into an array and pushes; the name is not updated.
    slots_[i].isList = true;
    plainLines_ = false;
    for (std::size_t k = 0; k < n; ++k) pushValue(slots_[i], values[k]);
}

void OutgoingHeaders::setHeader(std::string_view name, std::string_view value) {
    set(name, &value, 1, false);
}

void OutgoingHeaders::undefinedValue(const char* verb, std::string_view name) const {
    // Node: the same checks in the same order as for any value, then `undefined` fails.
    checkNotSent(verb);
    validateHeaderName(name);
    throw invalidHeaderValueError(name);
}

void OutgoingHeaders::setHeader(std::string_view name, std::span<const std::string_view> values) {
    set(name, values.data(), values.size(), true);
}

void OutgoingHeaders::setHeaders(std::span<const HeaderField> fields) {
    checkNotSent("set");
    constexpr std::string_view kSetCookie = "set-cookie";
    std::size_t cookies = 0;
    for (const HeaderField& f : fields) {
        if (f.name == kSetCookie) {
            ++cookies;
        } else {
            setHeader(f.name, f.value);
        }
    }
    if (cookies == 0) return;
    // Node: setHeader('set-cookie', cookies) — one list, validated as a whole first.
    for (const HeaderField& f : fields) {
        if (f.name == kSetCookie) validateHeaderValue(kSetCookie, f.value);
    }
    bool first = true;
    for (const HeaderField& f : fields) {
        if (f.name != kSetCookie) continue;
        if (first) {
            set(kSetCookie, &f.value, 1, true);
            first = false;
        } else {
            append(kSetCookie, &f.value, 1, true);
        }
    }
}

void OutgoingHeaders::appendHeader(std::string_view name, std::string_view value) {
    append(name, &value, 1, false);
}

void OutgoingHeaders::appendHeader(std::string_view name,
                                   std::span<const std::string_view> values) {
    append(name, values.data(), values.size(), true);
}

OutgoingHeaders::Header OutgoingHeaders::getHeader(std::string_view name) const noexcept {
    const std::uint32_t i = find(name);
    return i == kNone ? Header() : Header(this, &slots_[i]);
}

bool OutgoingHeaders::hasHeader(std::string_view name) const noexcept {
    return find(name) != kNone;
}

SpecialHeader OutgoingHeaders::removeHeader(std::string_view name) {
    checkNotSent("remove");
    // Node: removeHeader switch (key) — the flag is set even when no such header exists.
    SpecialHeader special = SpecialHeader::None;
    if (equalsIgnoreCase(name, "connection")) {
        removedConnection_ = true;
        special = SpecialHeader::Connection;
    } else if (equalsIgnoreCase(name, "content-length")) {
        removedContentLength_ = true;
        special = SpecialHeader::ContentLength;
    } else if (equalsIgnoreCase(name, "transfer-encoding")) {
        removedTransferEncoding_ = true;
        special = SpecialHeader::TransferEncoding;
    } else if (equalsIgnoreCase(name, "date")) {
        special = SpecialHeader::Date;
    }
    plainLines_ = false;
    const std::uint32_t i = find(name);
    if (i != kNone) {
        slots_[i].live = false;
        --live_;
        if (slots_[i].arrayIndex != kNone) --liveArrayIndexKeys_;
    }
    return special;
}

std::vector<std::string> OutgoingHeaders::getHeaderNames() const {
    std::vector<std::string> names;
    names.reserve(live_);
    forEach([&](const Header& h) { names.emplace_back(h.key()); });
    return names;
}

std::vector<std::string> OutgoingHeaders::getRawHeaderNames() const {
    std::vector<std::string> names;
    names.reserve(live_);
    forEach([&](const Header& h) { names.emplace_back(h.name()); });
    return names;
}

}  // namespace nodecc::http
