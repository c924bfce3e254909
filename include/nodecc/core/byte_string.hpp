// nodecc::detail::ByteString — a growable byte buffer for the hot paths that gather bytes: a
// request's head as it is parsed, a socket's write batch.
//
// What std::string costs there and this does not: append() is inline (one capacity check,
// one memcpy) instead of a call into the library, and there is no terminating NUL to keep.
// It grows by doubling with new[] (so an allocation counter sees it) and keeps its capacity
// across clear(): a reused owner allocates nothing once warm.
//
//     nodecc::detail::ByteString b;
//     b.append("GET ");
//     b.append(url);
//     std::string_view all = b.view();
//     b.truncate(4);                       // back to "GET "
//     b.clear();                           // size 0, capacity kept
//
// Threading: none of its own; it belongs to one loop's object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nodecc::detail {

// 16 bytes as one load and one store.
inline void copy16(char* dst, const char* src) noexcept {
#if defined(__SSE2__)
    __m128i v;
    std::memcpy(&v, src, sizeof v);
    std::memcpy(dst, &v, sizeof v);
#else
    std::memcpy(dst, src, 16);
#endif
}

/// N bytes (a multiple of 16, known at compile time) as N / 16 loads and stores: a copy of a
/// fixed-size block (a status line, the response head's default lines) without a library call
/// or a `rep movs`, which the compiler picks for a memcpy of this size.
template <std::size_t N>
inline void copyBlock(char* dst, const char* src) noexcept {
    static_assert(N % 16 == 0);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (copy16(dst + I * 16, src + I * 16), ...);
    }
    (std::make_index_sequence<N / 16>());
}

// The first and the last sizeof(Word) bytes of n (sizeof(Word) <= n <= 2 * sizeof(Word)):
// two loads and two stores that overlap in the middle.
template <class Word>
inline void copyEnds(char* dst, const char* src, std::size_t n) noexcept {
    Word head, tail;
    std::memcpy(&head, src, sizeof head);
    std::memcpy(&tail, src + n - sizeof tail, sizeof tail);
    std::memcpy(dst, &head, sizeof head);
    std::memcpy(dst + n - sizeof tail, &tail, sizeof tail);
}

/// memcpy, with the short copies of header names, values and lines (≤ 32 bytes) done inline
/// instead of through a library call.
inline void copyBytes(char* dst, const char* src, std::size_t n) noexcept {
    if (n > 32) {
        std::memcpy(dst, src, n);
    } else if (n > 16) {
        // The first and the last 16 bytes, overlapping in the middle.
        copy16(dst, src);
        copy16(dst + n - 16, src + n - 16);
    } else if (n >= 8) {
        copyEnds<std::uint64_t>(dst, src, n);
    } else if (n >= 4) {
        copyEnds<std::uint32_t>(dst, src, n);
    } else if (n > 0) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

class ByteString {
  public:
    ByteString() = default;
    ByteString(const ByteString&) = delete;
    ByteString& operator=(const ByteString&) = delete;
    ByteString(ByteString&& o) noexcept
        : p_(std::move(o.p_)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
    ByteString& operator=(ByteString&& o) noexcept {
        p_ = std::move(o.p_);
        size_ = std::exchange(o.size_, 0);
        cap_ = std::exchange(o.cap_, 0);
        return *this;
    }

    char* data() noexcept { return p_.get(); }
    const char* data() const noexcept { return p_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return cap_; }
    bool empty() const noexcept { return size_ == 0; }
    std::string_view view() const noexcept { return {p_.get(), size_}; }

    void append(std::string_view s) {
        if (s.size() > cap_ - size_) grow(s.size());
        copyBytes(p_.get() + size_, s.data(), s.size());
        size_ += s.size();
    }
    /// Room for `n` more bytes: returns where they go; commitTail(end) then takes the bytes
    /// written up to `end` (the rest of the room stays unused).
    char* reserveTail(std::size_t n) {
        if (n > cap_ - size_) grow(n);
        return p_.get() + size_;
    }
    void commitTail(const char* end) noexcept { size_ = static_cast<std::size_t>(end - p_.get()); }
    /// Keeps the first `n` bytes (n ≤ size()).
    void truncate(std::size_t n) noexcept {
        if (n < size_) size_ = n;
    }
    void clear() noexcept { size_ = 0; }
    /// clear(), and give the memory back when more than `keep` bytes are held.
    void clearKeeping(std::size_t keep) noexcept {
        size_ = 0;
        if (cap_ > keep) {
            p_.reset();
            cap_ = 0;
        }
    }

  private:
    [[gnu::noinline]] void grow(std::size_t more) {
        std::size_t cap = cap_ == 0 ? 256 : cap_ * 2;
        while (cap - size_ < more) cap *= 2;
        auto p = std::make_unique_for_overwrite<char[]>(cap);
        if (size_ != 0) std::memcpy(p.get(), p_.get(), size_);
        p_ = std::move(p);
        cap_ = cap;
    }

    std::unique_ptr<char[]> p_;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
};

}  // namespace nodecc::detail
