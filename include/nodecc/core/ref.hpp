// nodecc::Ref<T> — shared ownership of loop objects (servers, sockets, req/res).
//
// Node's objects live while anything references them; nodecc's do too. A
// RefCounted object carries its own count (one 32-bit word, no control block,
// no atomics: loop objects belong to one thread), so a Ref can be made from a
// plain reference handed to a listener:
//
//   server->on("request", [](http::IncomingMessage& req, http::ServerResponse& res) {
//       nodecc::Ref<http::ServerResponse> keep(&res);   // answer later
//       nodecc::setTimeout([keep] { keep->end("late"); }, 100);
//   });
//
// Threading: loop thread only (DESIGN.md §4). Cost: an increment per copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace nodecc {

class RefCounted {
  public:
    RefCounted() = default;
    RefCounted(const RefCounted&) noexcept {}  // a copy has its own count
    RefCounted& operator=(const RefCounted&) noexcept { return *this; }

    void retain() const noexcept { ++refs_; }
    void release() const noexcept {
        if (--refs_ == 0) const_cast<RefCounted*>(this)->lastReferenceReleased();
    }
    std::uint32_t refCount() const noexcept { return refs_; }

  protected:
    virtual ~RefCounted() = default;
    // Called when the count drops to zero; deletes by default. Pools override it.
    virtual void lastReferenceReleased() noexcept { delete this; }

  private:
    mutable std::uint32_t refs_ = 0;
};

template <class T>
class Ref {
  public:
    Ref() noexcept = default;
    Ref(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)
    explicit Ref(T* p) noexcept : p_(p) {
        if (p_ != nullptr) p_->retain();
    }
    Ref(const Ref& o) noexcept : Ref(o.p_) {}
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    Ref(const Ref<U>& o) noexcept : Ref(o.get()) {}  // NOLINT(google-explicit-constructor)
    template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    Ref(Ref<U>&& o) noexcept : p_(o.detach()) {}  // NOLINT(google-explicit-constructor)
    ~Ref() {
        if (p_ != nullptr) p_->release();
    }

    Ref& operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }

    T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    void reset() noexcept { Ref().swap(*this); }
    void swap(Ref& o) noexcept { std::swap(p_, o.p_); }
    // Gives up ownership without releasing (the caller takes the count).
    T* detach() noexcept { return std::exchange(p_, nullptr); }

    friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }
    friend bool operator==(const Ref& a, std::nullptr_t) noexcept { return a.p_ == nullptr; }

  private:
    T* p_ = nullptr;
};

template <class T, class... A>
Ref<T> makeRef(A&&... args) {
    return Ref<T>(new T(std::forward<A>(args)...));
}

}  // namespace nodecc
