// nodecc::Buffer — Node's Buffer for output: immutable bytes with shared ownership.
//
// A body handed to a socket or a response as a Buffer is not copied when the
// kernel does not take it at once: the write queue keeps a share of the
// Buffer until the bytes are out (or the socket is destroyed), as libuv keeps
// Node's Buffer alive through the write request.
//
//   static const nodecc::Buffer big = nodecc::Buffer::from(std::string(1 << 20, 'x'));
//   server->on(http::kRequest, [](http::IncomingMessage&, http::ServerResponse& res) {
//       res.end(big);                          // a refcount bump, no copy of the 1 MiB
//   });
//   socket.write(nodecc::Buffer::copy(line));  // bytes the caller is about to reuse
//   socket.write(nodecc::Buffer::external(kBanner));  // static bytes: no ownership at all
//
// Copies of a Buffer, and subarray()s of it, share the bytes; the bytes are
// released with the last share. An external() Buffer references memory the
// caller keeps alive and unchanged until every write of it has completed
// (its callback ran) or failed (evbuffer_add_reference's contract).
// Deviations from Node: read-only (no buf[i] = x, no fill/write); no encodings.
//
// Threading: a Buffer may be shared across threads (the count is atomic; the
// bytes are never written). Cost: from()/copy()/alloc() allocate one control
// block (copy()/alloc() also the bytes); copying a Buffer is one atomic
// increment; external() allocates nothing and counts nothing; sealed() costs a
// file descriptor and a mapping for the Buffer's life.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace nodecc {

class Buffer {
  public:
    // An empty Buffer (Node: Buffer.alloc(0)).
    Buffer() noexcept = default;

    // Takes ownership of the string's bytes (no copy; Node: Buffer.from(arrayBuffer) shares).
    static Buffer from(std::string&& bytes);
    // Node: Buffer.from(string) — a copy of the bytes.
    static Buffer copy(std::string_view bytes);
    // Node: Buffer.alloc(size, fill).
    static Buffer alloc(std::size_t size, char fill = '\0');
    // nodecc: a copy of the bytes in a sealed memory file (Linux memfd, write-sealed, mapped
    // read-only). A socket sends it with sendfile(2): the kernel references its pages
    // instead of copying the bytes on every write — for a large body sent many times, as
    // nginx sends a file. Where memfd is unavailable, the same as copy().
    static Buffer sealed(std::string_view bytes);
    // nodecc: bytes the caller owns and keeps unchanged until the writes of this Buffer
    // completed (static data, a mapped file): nothing is allocated or counted.
    static Buffer external(std::string_view bytes) noexcept {
        Buffer b;
        b.data_ = bytes.data();
        b.size_ = bytes.size();
        return b;
    }

    Buffer(const Buffer& other) noexcept
        : control_(other.control_), data_(other.data_), size_(other.size_) {
        if (control_ != nullptr) control_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    Buffer(Buffer&& other) noexcept
        : control_(std::exchange(other.control_, nullptr)),
          data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)) {}
    Buffer& operator=(Buffer other) noexcept {
        swap(other);
        return *this;
    }
    ~Buffer() { release(); }

    void swap(Buffer& other) noexcept {
        std::swap(control_, other.control_);
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
    }

    const char* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }  // Node: buf.length
    bool empty() const noexcept { return size_ == 0; }
    std::string_view view() const noexcept { return {data_, size_}; }
    operator std::string_view() const noexcept {
        return view();
    }  // NOLINT(google-explicit-constructor)
    char operator[](std::size_t i) const noexcept { return data_[i]; }

    // Node: buf.subarray(start[, end]) — the same bytes, shared (no copy). Out-of-range
    // indexes are clamped as Node clamps them.
    Buffer subarray(std::size_t start, std::size_t end = std::string_view::npos) const noexcept {
        if (end > size_) end = size_;
        if (start > end) start = end;
        Buffer b(*this);
        b.data_ += start;
        b.size_ = end - start;
        return b;
    }

    // nodecc: whether `bytes` lie inside this Buffer (a piece of it, shareable without a copy).
    bool contains(std::string_view bytes) const noexcept {
        const std::less_equal<const char*> le;
        return data_ != nullptr && le(data_, bytes.data()) &&
               le(bytes.data() + bytes.size(), data_ + size_);
    }

    // nodecc: how many Buffers share these bytes (0 for an external or empty one). The
    // write queue's share counts: after a write completed the count is back where it was.
    long useCount() const noexcept {
        return control_ != nullptr
                   ? static_cast<long>(control_->refs.load(std::memory_order_acquire))
                   : 0;
    }
    // True when the bytes are shared ownership (from/copy/alloc), false for external().
    bool owned() const noexcept { return control_ != nullptr; }
    // The sealed file holding the bytes (sealed()), or -1; fileOffset(): where data() is in
    // it (only when fd() >= 0). For the socket's sendfile(2).
    int fd() const noexcept { return control_ != nullptr ? control_->fd : -1; }
    std::size_t fileOffset() const noexcept {
        return static_cast<std::size_t>(data_ - control_->bytes.data());
    }

  private:
    struct Control {
        Control() = default;
        Control(const Control&) = delete;
        Control& operator=(const Control&) = delete;
        ~Control();
        std::atomic<std::size_t> refs{1};
        std::string_view bytes;  // all of the bytes: `owned`'s, or the sealed file's mapping
        std::string owned;
        int fd = -1;
    };
    void release() noexcept {
        if (control_ != nullptr && control_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            delete control_;
        }
        control_ = nullptr;
    }

    Control* control_ = nullptr;
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace nodecc
