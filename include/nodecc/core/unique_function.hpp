// nodecc::UniqueFunction — a move-only callable with inline storage.
//
// The callback type of the runtime: ticks, microtasks, timers and posted tasks
// store their callable in one of these. A callable that fits in `InlineBytes`
// (and is nothrow-movable) lives inside the object, so scheduling it allocates
// nothing; a larger one is boxed on the heap once.
//
//   nodecc::UniqueFunction<void()> f = [p = std::make_unique<int>(1)] { use(*p); };
//   f();                       // calls it
//   auto g = std::move(f);     // f is now empty
//
// Threading: none (a value type). Cost: one indirect call per invocation.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace nodecc {

template <class Signature, std::size_t InlineBytes = 40>
class UniqueFunction;

template <class R, class... Args, std::size_t InlineBytes>
class UniqueFunction<R(Args...), InlineBytes> {
  public:
    UniqueFunction() noexcept = default;
    UniqueFunction(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

    template <class F, class D = std::decay_t<F>,
              class = std::enable_if_t<!std::is_same_v<D, UniqueFunction> &&
                                       std::is_invocable_r_v<R, D&, Args...>>>
    UniqueFunction(F&& f) {  // NOLINT(google-explicit-constructor)
        if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D>) {
            if (f == nullptr) return;
        }
        if constexpr (fitsInline<D>()) {
            ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
            ops_ = &inlineOps<D>;
        } else {
            ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
            ops_ = &heapOps<D>;
        }
    }

    UniqueFunction(UniqueFunction&& other) noexcept : ops_(other.ops_) {
        if (ops_ != nullptr) {
            ops_->move(storage_, other.storage_);
            other.ops_ = nullptr;
        }
    }

    UniqueFunction& operator=(UniqueFunction&& other) noexcept {
        if (this != &other) {
            reset();
            if (other.ops_ != nullptr) {
                other.ops_->move(storage_, other.storage_);
                ops_ = other.ops_;
                other.ops_ = nullptr;
            }
        }
        return *this;
    }

    UniqueFunction& operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }

    UniqueFunction(const UniqueFunction&) = delete;
    UniqueFunction& operator=(const UniqueFunction&) = delete;

    ~UniqueFunction() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    R operator()(Args... args) const {
        return ops_->invoke(const_cast<unsigned char*>(storage_), std::forward<Args>(args)...);
    }

    void reset() noexcept {
        if (ops_ != nullptr) {
            ops_->destroy(storage_);
            ops_ = nullptr;
        }
    }

    // True when a callable of type F is stored without a heap allocation.
    template <class F>
    static constexpr bool fitsInline() {
        return sizeof(F) <= InlineBytes && alignof(F) <= alignof(std::max_align_t) &&
               std::is_nothrow_move_constructible_v<F>;
    }

  private:
    struct Ops {
        R (*invoke)(void*, Args&&...);
        void (*move)(void* dst, void* src) noexcept;
        void (*destroy)(void*) noexcept;
    };

    template <class D>
    static constexpr Ops inlineOps{
        [](void* s, Args&&... a) -> R {
            return std::invoke(*static_cast<D*>(s), std::forward<Args>(a)...);
        },
        [](void* dst, void* src) noexcept {
            ::new (dst) D(std::move(*static_cast<D*>(src)));
            static_cast<D*>(src)->~D();
        },
        [](void* s) noexcept { static_cast<D*>(s)->~D(); },
    };

    template <class D>
    static constexpr Ops heapOps{
        [](void* s, Args&&... a) -> R {
            return std::invoke(**static_cast<D**>(s), std::forward<Args>(a)...);
        },
        [](void* dst, void* src) noexcept { ::new (dst) D*(*static_cast<D**>(src)); },
        [](void* s) noexcept { delete *static_cast<D**>(s); },
    };

    alignas(std::max_align_t) unsigned char storage_[InlineBytes < sizeof(void*) ? sizeof(void*)
                                                                                 : InlineBytes];
    const Ops* ops_ = nullptr;
};

}  // namespace nodecc
