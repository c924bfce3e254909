// events::EventEmitter — Node's EventEmitter (seed 1-1-3: everything ends here).
//
// Node's string API works as in JavaScript, with typed listeners:
//
//   nodecc::events::EventEmitter e;
//   auto l = e.on("data", [](std::string_view chunk) { use(chunk); });
//   e.once("end", [] { std::puts("done"); });       // listeners may ignore trailing args
//   e.emit("data", std::string_view("abc"));        // true: a listener ran
//   e.off("data", l);                               // on() returns a handle to remove it
//
// Hot events have typed keys, whose emit does no string hashing, allocates
// nothing, and lets listeners be generic lambdas:
//
//   inline constexpr nodecc::events::Event<std::string_view> kData{"data"};
//   e.on(kData, [](auto chunk) { ... });
//   e.emit(kData, chunk);
//
// Arguments are matched by decayed type (a string literal counts as
// std::string_view); a listener declares a prefix of the emitted arguments,
// by value or by reference. A listener whose parameter types do not match an
// emit throws nodecc::Error ERR_INVALID_ARG_TYPE from that emit, as does one
// taking T& or T&& when the argument was emitted const. With a typed key,
// generic lambdas get `const T&` for Event<T> and `T&` for Event<T&>.
//
// Semantics are Node's (NODE-BEHAVIOUR.md §6): emit iterates a snapshot
// (a listener removed during emit still runs, one added does not); once
// removes itself before its call; removeListener removes the last match;
// 'newListener' before adding, 'removeListener' after removing;
// removeAllListeners(name) removes the listeners present when called, LIFO;
// the max-listener warning at the 11th listener, once per event until the
// event falls back to one listener (Node keeps the mark on its array), sent
// to process 'warning' listeners from a tick; emit('error') without a
// listener throws the error (nodecc::Error or std::exception_ptr as is,
// anything else as ERR_UNHANDLED_ERROR "Unhandled error. ('str')").
// An emitter owned by Refs (core/ref.hpp) stays alive until an emit that a
// listener dropped its last Ref from has finished.
// Deviations (C++ cannot do what JavaScript does):
// - on()/once()/prepend*() return the Listener handle instead of `this`:
//   closures cannot be compared, so the handle is what off() takes and what
//   on()/prependListener() accept to register the same listener again;
//   once() only wraps callables (re-adding a once handle keeps it once).
// - listeners() and rawListeners() both return handles; isOnce() tells the
//   once-wrappers apart.
// - A listener cannot take more arguments than emitted (Node would pass
//   undefined): that is the ERR_INVALID_ARG_TYPE above.
// - errorMonitor is an event named "nodecc:errorMonitor" (a Symbol in Node),
//   visible as such in eventNames().
// - ERR_UNHANDLED_ERROR shows strings, numbers and bools like util.inspect,
//   other types as "[object]"; captureRejections does not exist (no promises).
//
// Threading: loop thread only. Cost: adding/removing allocates; emit with a
// typed key allocates nothing and compares integers only; emit by name adds
// an FNV-1a hash of the name (tests/alloc/events_alloc_test.cpp,
// bench/micro/events_bench.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nodecc/core/error.hpp"
#include "nodecc/core/ref.hpp"

namespace nodecc::events {

using EventId = std::uint64_t;

// FNV-1a of the event name: typed keys compute it at compile time.
constexpr EventId eventId(std::string_view name) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

// A typed event key: `inline constexpr Event<Socket&> kConnection{"connection"};`
template <class... Args>
struct Event {
    constexpr explicit Event(std::string_view n) noexcept : name(n), id(eventId(n)) {}
    std::string_view name;
    EventId id;
};

namespace detail {

using TypeTag = const void*;
template <class T>
inline constexpr char typeTagOf = 0;

// Emitted type of an argument: decayed; C strings become std::string_view.
template <class T>
struct Normalize {
    using type = std::remove_cvref_t<T>;
};
template <std::size_t N>
struct Normalize<const char (&)[N]> {
    using type = std::string_view;
};
template <std::size_t N>
struct Normalize<char (&)[N]> {
    using type = std::string_view;
};
template <>
struct Normalize<const char*> {
    using type = std::string_view;
};
template <>
struct Normalize<const char*&> {
    using type = std::string_view;
};
template <>
struct Normalize<const char* const&> {
    using type = std::string_view;
};
template <class T>
using Normalized = typename Normalize<T>::type;

template <class... T>
inline constexpr TypeTag kTags[sizeof...(T) + 1] = {&typeTagOf<T>..., nullptr};

// One registered listener. Shared by the emitter's list and any emit snapshot.
struct ListenerBox {
    std::uint32_t refs = 0;
    bool once = false;
    bool fired = false;
    std::uint8_t arity = 0;
    // Bit i: parameter i may modify its argument (T& or T&&), so it cannot take a const one.
    std::uint32_t mutableParams = 0;
    const TypeTag* tags = nullptr;
    void (*invoke)(ListenerBox*, void* const* args) = nullptr;
    void (*destroy)(ListenerBox*) noexcept = nullptr;

    void retain() noexcept { ++refs; }
    void release() noexcept {
        if (--refs == 0) destroy(this);
    }
};

template <class T>
struct CallableTraits : CallableTraits<decltype(&T::operator())> {};
template <class R, class... P>
struct CallableTraits<R (*)(P...)> {
    using Params = std::tuple<P...>;
};
template <class R, class... P>
struct CallableTraits<R(P...)> {
    using Params = std::tuple<P...>;
};
template <class C, class R, class... P>
struct CallableTraits<R (C::*)(P...)> {
    using Params = std::tuple<P...>;
};
template <class C, class R, class... P>
struct CallableTraits<R (C::*)(P...) const> {
    using Params = std::tuple<P...>;
};
template <class C, class R, class... P>
struct CallableTraits<R (C::*)(P...) noexcept> {
    using Params = std::tuple<P...>;
};
template <class C, class R, class... P>
struct CallableTraits<R (C::*)(P...) const noexcept> {
    using Params = std::tuple<P...>;
};

// How a stored argument (an lvalue of the normalized type) is passed to
// parameter P: as P itself if P is a reference, else as a const reference
// to copy from (a by-value parameter never moves the emitter's argument).
template <class P>
using PassType = std::conditional_t<std::is_reference_v<P>, P, const std::remove_cvref_t<P>&>;
template <class P>
PassType<P> passArg(void* p) {
    return static_cast<PassType<P>>(*static_cast<std::remove_cvref_t<P>*>(p));
}

template <class P>
inline constexpr bool kMutableParam = std::is_rvalue_reference_v<P> ||
                                      (std::is_lvalue_reference_v<P> &&
                                       !std::is_const_v<std::remove_reference_t<P>>);

template <class... P, std::size_t... I>
constexpr std::uint32_t mutableMask(std::index_sequence<I...>) noexcept {
    return ((kMutableParam<P> ? (std::uint32_t{1} << I) : 0u) | ... | 0u);
}

template <class F, class... P>
struct ListenerImpl final : ListenerBox {
    static_assert(sizeof...(P) <= 32, "a listener takes at most 32 parameters");
    template <class G>
    explicit ListenerImpl(G&& g) : fn(std::forward<G>(g)) {
        arity = static_cast<std::uint8_t>(sizeof...(P));
        mutableParams = mutableMask<P...>(std::index_sequence_for<P...>{});
        tags = kTags<std::remove_cvref_t<P>...>;
        invoke = &call;
        destroy = [](ListenerBox* b) noexcept { delete static_cast<ListenerImpl*>(b); };
    }
    static void call(ListenerBox* b, void* const* args) {
        callWith(static_cast<ListenerImpl*>(b)->fn, args, std::index_sequence_for<P...>{});
    }
    template <std::size_t... I>
    static void callWith(F& f, [[maybe_unused]] void* const* args, std::index_sequence<I...>) {
        f(passArg<P>(args[I])...);
    }
    F fn;
};

template <class F, class Tuple>
struct ListenerFor;
template <class F, class... P>
struct ListenerFor<F, std::tuple<P...>> {
    using type = ListenerImpl<F, P...>;
};

template <class F>
ListenerBox* makeListener(F&& f) {
    using D = std::decay_t<F>;
    using Impl = typename ListenerFor<D, typename CallableTraits<D>::Params>::type;
    return new Impl(std::forward<F>(f));
}

// How a typed key's argument reaches a generic listener: `Event<Socket&>`
// hands out the object itself, `Event<std::string>` a const reference.
template <class A>
using TypedParam = std::conditional_t<std::is_lvalue_reference_v<A> &&
                                          !std::is_const_v<std::remove_reference_t<A>>,
                                      std::remove_cvref_t<A>&, const std::remove_cvref_t<A>&>;

// The typed-key path: a listener invocable with the event's first N
// argument types, for the largest such N (this is what lets generic lambdas
// take a prefix), takes those; otherwise its declared parameters decide.
template <class D, class Params, std::size_t N, class = std::make_index_sequence<N>>
struct PrefixCall;
template <class D, class Params, std::size_t N, std::size_t... I>
struct PrefixCall<D, Params, N, std::index_sequence<I...>> {
    static constexpr bool kInvocable = std::is_invocable_v<D&, std::tuple_element_t<I, Params>...>;
    using Impl = ListenerImpl<D, std::tuple_element_t<I, Params>...>;
};

template <class Params, std::size_t N, class F>
ListenerBox* makePrefixListener(F&& f) {
    using D = std::decay_t<F>;
    if constexpr (PrefixCall<D, Params, N>::kInvocable) {
        return new typename PrefixCall<D, Params, N>::Impl(std::forward<F>(f));
    } else if constexpr (N > 0) {
        return makePrefixListener<Params, N - 1>(std::forward<F>(f));
    } else {
        return makeListener(std::forward<F>(f));
    }
}

template <class F, class... Args>
ListenerBox* makeTypedListener(F&& f) {
    return makePrefixListener<std::tuple<TypedParam<Args>...>, sizeof...(Args)>(std::forward<F>(f));
}

// Holds one emitted argument as an lvalue of type T: borrowed if it already is one.
template <class T, class A, bool Borrow = std::is_same_v<std::remove_cvref_t<A>, T>>
struct ArgHolder;
// (A const argument is passed on as a pointer to non-const, flagged in the
// emit's const mask so that no listener taking T& or T&& can reach it.)
template <class T, class A>
struct ArgHolder<T, A, true> {
    static constexpr bool kConst = std::is_const_v<std::remove_reference_t<A>>;
    explicit ArgHolder(A&& a) noexcept : ptr(const_cast<T*>(std::addressof(a))) {}
    void* get() const noexcept { return ptr; }
    T* ptr;
};
template <class T, class A>
struct ArgHolder<T, A, false> {
    static constexpr bool kConst = false;  // a converted copy the listeners may change
    explicit ArgHolder(A&& a) : value(std::forward<A>(a)) {}
    void* get() noexcept { return &value; }
    T value;
};

template <class... H, std::size_t... I>
constexpr std::uint32_t constMask(std::index_sequence<I...>) noexcept {
    return ((H::kConst ? (std::uint32_t{1} << I) : 0u) | ... | 0u);
}

}  // namespace detail

// A registered listener (Node: the function passed to on()). Compare handles
// to find one; off() takes one.
class Listener {
  public:
    Listener() noexcept = default;
    explicit Listener(detail::ListenerBox* box) noexcept : box_(box) {
        if (box_ != nullptr) box_->retain();
    }
    Listener(const Listener& o) noexcept : Listener(o.box_) {}
    Listener(Listener&& o) noexcept : box_(std::exchange(o.box_, nullptr)) {}
    Listener& operator=(Listener o) noexcept {
        std::swap(box_, o.box_);
        return *this;
    }
    ~Listener() {
        if (box_ != nullptr) box_->release();
    }

    explicit operator bool() const noexcept { return box_ != nullptr; }
    // Node: rawListeners() shows once-wrappers; this tells whether it is one.
    bool isOnce() const noexcept { return box_ != nullptr && box_->once; }
    friend bool operator==(const Listener& a, const Listener& b) noexcept {
        return a.box_ == b.box_;
    }
    detail::ListenerBox* box() const noexcept { return box_; }

  private:
    detail::ListenerBox* box_ = nullptr;
};

// Node's special events, as typed keys.
inline constexpr Event<std::string_view, Listener> kNewListener{"newListener"};
inline constexpr Event<std::string_view, Listener> kRemoveListener{"removeListener"};
inline constexpr Event<Error> kError{"error"};
// Node: events.errorMonitor — its listeners see 'error' first and do not count as handlers.
inline constexpr Event<Error> errorMonitor{"nodecc:errorMonitor"};

inline constexpr EventId kErrorEventId = kError.id;

class EventEmitter : public RefCounted {
  public:
    // Node: EventEmitter.defaultMaxListeners (10; 0 = unlimited).
    static int defaultMaxListeners;

    EventEmitter() noexcept = default;
    ~EventEmitter() override;
    EventEmitter(const EventEmitter&) = delete;
    EventEmitter& operator=(const EventEmitter&) = delete;

    // ---- adding (Node: on/addListener, once, prependListener, prependOnceListener)
    // `fn` is a callable, or for on/addListener/prependListener a Listener
    // handle from an earlier registration (Node: adding the same function
    // again; an empty handle throws ERR_INVALID_ARG_TYPE).
    template <class F>
    Listener on(std::string_view name, F&& fn) {
        return add(eventId(name), name, listenerBox<false, false>(std::forward<F>(fn)), false,
                   false);
    }
    template <class... A, class F>
    Listener on(const Event<A...>& ev, F&& fn) {
        return add(ev.id, ev.name, listenerBox<false, true, A...>(std::forward<F>(fn)), false,
                   false);
    }
    template <class N, class F>
    Listener addListener(const N& name, F&& fn) {
        return on(name, std::forward<F>(fn));
    }
    template <class F>
    Listener once(std::string_view name, F&& fn) {
        return add(eventId(name), name, listenerBox<true, false>(std::forward<F>(fn)), false, true);
    }
    template <class... A, class F>
    Listener once(const Event<A...>& ev, F&& fn) {
        return add(ev.id, ev.name, listenerBox<true, true, A...>(std::forward<F>(fn)), false, true);
    }
    template <class F>
    Listener prependListener(std::string_view name, F&& fn) {
        return add(eventId(name), name, listenerBox<false, false>(std::forward<F>(fn)), true,
                   false);
    }
    template <class... A, class F>
    Listener prependListener(const Event<A...>& ev, F&& fn) {
        return add(ev.id, ev.name, listenerBox<false, true, A...>(std::forward<F>(fn)), true,
                   false);
    }
    template <class F>
    Listener prependOnceListener(std::string_view name, F&& fn) {
        return add(eventId(name), name, listenerBox<true, false>(std::forward<F>(fn)), true, true);
    }
    template <class... A, class F>
    Listener prependOnceListener(const Event<A...>& ev, F&& fn) {
        return add(ev.id, ev.name, listenerBox<true, true, A...>(std::forward<F>(fn)), true, true);
    }

    // ---- removing (Node: removeListener/off — the last matching registration)
    EventEmitter& removeListener(std::string_view name, const Listener& listener) {
        remove(eventId(name), listener);
        return *this;
    }
    template <class... A>
    EventEmitter& removeListener(const Event<A...>& ev, const Listener& listener) {
        remove(ev.id, listener);
        return *this;
    }
    template <class N>
    EventEmitter& off(const N& name, const Listener& listener) {
        return removeListener(name, listener);
    }
    EventEmitter& removeAllListeners();
    EventEmitter& removeAllListeners(std::string_view name) {
        removeAll(eventId(name));
        return *this;
    }
    template <class... A>
    EventEmitter& removeAllListeners(const Event<A...>& ev) {
        removeAll(ev.id);
        return *this;
    }

    // ---- emitting: true if the event had listeners
    template <class... A>
    bool emit(std::string_view name, A&&... args) {
        return emitAs<detail::Normalized<A>...>(eventId(name), name, std::forward<A>(args)...);
    }
    template <class... E, class... A>
    bool emit(const Event<E...>& ev, A&&... args) {
        static_assert(sizeof...(E) == sizeof...(A), "emit: wrong number of arguments for event");
        return emitAs<std::remove_cvref_t<E>...>(ev.id, ev.name, std::forward<A>(args)...);
    }

    // ---- introspection
    std::size_t listenerCount(std::string_view name) const noexcept {
        return listenerCount(eventId(name));
    }
    template <class... A>
    std::size_t listenerCount(const Event<A...>& ev) const noexcept {
        return listenerCount(ev.id);
    }
    // Node (v19.8+): listenerCount(eventName, listener) — registrations of that listener.
    std::size_t listenerCount(std::string_view name, const Listener& listener) const noexcept;
    std::vector<Listener> listeners(std::string_view name) const;     // Node: listeners()
    std::vector<Listener> rawListeners(std::string_view name) const;  // Node: rawListeners()
    std::vector<std::string> eventNames() const;
    // Whether any event has a listener (Node: eventNames().length > 0), without allocating.
    bool hasListeners() const noexcept { return !entries_.empty(); }
    EventEmitter& setMaxListeners(int n);  // n < 0 throws ERR_OUT_OF_RANGE, as Node
    int getMaxListeners() const noexcept {
        return maxListeners_ >= 0 ? maxListeners_ : defaultMaxListeners;
    }

  protected:
    // The name in the max-listeners warning ("[EventEmitter]"); subclasses say "Socket" etc.
    virtual const char* emitterName() const noexcept { return "EventEmitter"; }
    // Hot-path check without hashing (e.g. "does anyone listen to 'data'?").
    std::size_t listenerCount(EventId id) const noexcept;
    // Called after a listener was added (Node reacts to some: a readable starts
    // flowing when 'data' gets a listener). The default does nothing.
    virtual void onListenerAdded(EventId /*id*/) {}
    // For pooled subclasses: back to a new emitter's state (no listeners, the default
    // maximum); no 'removeListener' events. Inline: most recycled emitters had no listener.
    void resetEmitter() noexcept {
        maxListeners_ = -1;
        if (!entries_.empty()) releaseEntries();
    }

  private:
    struct ListenerList;
    struct Entry {
        EventId id;
        std::string name;
        ListenerList* list;  // never empty while the entry exists
        bool warned;
    };

    template <class... T, class... A>
    bool emitAs(EventId id, std::string_view name, A&&... args) {
        // No listener at all (most of a request's events): nothing to call, no call made.
        // 'error' still goes the long way: unheard, it throws.
        if (entries_.empty() && id != kErrorEventId) return false;
        return emitHeld<T...>(id, name, detail::ArgHolder<T, A>(std::forward<A>(args))...);
    }
    template <class... T, class... H>
    bool emitHeld(EventId id, std::string_view name, H&&... held) {
        static_assert(sizeof...(T) <= 32, "emit: at most 32 arguments");
        void* args[sizeof...(T) + 1] = {held.get()..., nullptr};
        return emitImpl(id, name,
                        Emitted{detail::kTags<T...>, sizeof...(T),
                                detail::constMask<std::remove_reference_t<H>...>(
                                    std::index_sequence_for<H...>{}),
                                args});
    }

    template <bool Once, bool Typed, class... A, class F>
    static detail::ListenerBox* listenerBox(F&& fn) {
        if constexpr (std::is_same_v<std::remove_cvref_t<F>, Listener>) {
            static_assert(!Once, "once() wraps a callable; re-register a Listener with on()");
            return fn.box();
        } else if constexpr (!Typed) {
            return detail::makeListener(std::forward<F>(fn));
        } else {
            return detail::makeTypedListener<F, A...>(std::forward<F>(fn));
        }
    }

    // What one emit passes: argument types, count, which are const, and the arguments.
    struct Emitted {
        const detail::TypeTag* tags;
        std::size_t arity;
        std::uint32_t constArgs;
        void* const* args;
    };

    Listener add(EventId id, std::string_view name, detail::ListenerBox* box, bool prepend,
                 bool once);
    bool remove(EventId id, const Listener& listener);
    void removeAll(EventId id);
    bool emitImpl(EventId id, std::string_view name, const Emitted& emitted);
    // The general case: a snapshot of the listeners, once-wrappers, prefixes, 'error'.
    [[gnu::noinline]] bool emitListeners(EventId id, std::string_view name, const Emitted& emitted);
    [[noreturn]] static void throwUnhandledError(const Emitted& emitted);
    static ListenerList* unshared(ListenerList*& list);
    Entry* find(EventId id) noexcept;
    void releaseEntries() noexcept;
    const Entry* find(EventId id) const noexcept;

    // First: it fills the padding after RefCounted's count (8 bytes less per emitter).
    int maxListeners_ = -1;  // -1: use defaultMaxListeners
    std::vector<Entry> entries_;
};

}  // namespace nodecc::events
