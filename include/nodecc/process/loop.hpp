// nodecc::Loop — one libuv event loop per thread, and nodecc::run().
//
// A Loop owns a uv_loop_t plus the process state Node keeps per isolate: the
// nextTick and microtask queues and per-module state (timers, Date cache,
// parser pool…). Loop::current() is the innermost live Loop of the calling
// thread; the thread's default loop is created on first use. Constructing a
// Loop makes it current until it is destroyed (useful in tests).
//
//   int main() {
//       nodecc::setTimeout([] { std::puts("later"); }, 10);
//       return nodecc::run();   // like `node script.js`: returns when nothing is left
//   }
//
// Threading: every object belongs to one loop; only post() is thread-safe.
// Cost: the tick queues allocate one 2048-slot block each on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "nodecc/core/unique_function.hpp"
#include "nodecc/process/fixed_queue.hpp"
#include "nodecc/process/next_tick.hpp"

struct uv_loop_s;

namespace nodecc {

namespace detail {
// Per-loop state of a higher module (timers, http date cache…), created on first use.
class LoopExtension {
  public:
    virtual ~LoopExtension() = default;
    // Close libuv handles; the loop runs their close callbacks before deleting the extension.
    virtual void close() {}
};
// The library's own per-request extensions have fixed slots (`static constexpr std::size_t
// kLoopSlot`): their lookup is an array index known at compile time. Any other extension type
// gets the next free slot on first use.
enum LoopSlot : std::size_t { kNetSlot, kTimersSlot, kHttpPoolsSlot, kDateCacheSlot, kFixedSlots };
std::size_t nextLoopExtensionIndex() noexcept;
template <class T>
std::size_t loopExtensionIndex() noexcept {
    if constexpr (requires { T::kLoopSlot; }) {
        return T::kLoopSlot;
    } else {
        static const std::size_t index = nextLoopExtensionIndex();
        return index;
    }
}
}  // namespace detail

class Loop {
  public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // The innermost live Loop of this thread; creates the thread's default loop on first use.
    static Loop& current() {
        Loop* loop = currentOrNull();
        return loop != nullptr ? *loop : makeDefault();
    }
    // The innermost live Loop of this thread, or null (no loop made yet).
    static Loop* currentOrNull() noexcept { return tlsCurrent_; }

    // Node: the main loop. Drains ticks queued by top-level code (as after the main module),
    // then runs until no ref'd handle or request is left. Returns process::exitCode().
    int run();
    // One loop iteration (UV_RUN_ONCE if wait, else UV_RUN_NOWAIT). Returns whether handles remain.
    bool runOnce(bool wait = true);
    // Makes run()/runOnce() return after the current iteration.
    void stop() noexcept;
    bool alive() const noexcept;

    uv_loop_s* uv() const noexcept { return uv_; }
    // The loop's cached time in ms (libuv uv_now), and a refresh of it.
    std::uint64_t now() const noexcept;
    void updateTime() noexcept;

    // Thread-safe: run `task` on this loop's thread soon (in a CallbackScope).
    // Tasks posted before the loop is destroyed and not yet run are dropped.
    void post(UniqueFunction<void()> task);

    // The loop-owned state of a module. T derives from detail::LoopExtension and is
    // default-constructible from a Loop&.
    // Inline: a fixed slot is an array index (the first use builds the state, out of line).
    template <class T>
    T& extension() {
        const std::size_t i = detail::loopExtensionIndex<T>();
        if (i >= kMaxExtensions) extensionOverflow();
        detail::LoopExtension* state = extensions_[i].get();
        if (state == nullptr) [[unlikely]]
            state = createExtension<T>(i);
        return static_cast<T&>(*state);
    }

    // process state (Node: per isolate)
    FixedQueue<process::TickObject>& tickQueue() noexcept { return ticks_; }
    FixedQueue<process::TickObject>& microtaskQueue() noexcept { return microtasks_; }
    int& callbackScopeDepth() noexcept { return callbackDepth_; }
    bool& drainingTicks() noexcept { return drainingTicks_; }  // processTicksAndRejections runs

  private:
    [[gnu::cold]] static Loop& makeDefault();
    static constinit thread_local Loop* tlsCurrent_;
    static constexpr std::size_t kMaxExtensions = 16;
    [[noreturn]] static void extensionOverflow();
    // extension()'s first use, out of line: the lookup stays small enough to be inlined.
    template <class T>
    [[gnu::noinline]] detail::LoopExtension* createExtension(std::size_t i) {
        extensions_[i] = std::make_unique<T>(*this);
        return extensions_[i].get();
    }
    void drainPosted();

    struct Posted;
    uv_loop_s* uv_ = nullptr;
    Loop* previous_ = nullptr;
    std::unique_ptr<Posted> posted_;
    FixedQueue<process::TickObject> ticks_;
    FixedQueue<process::TickObject> microtasks_;
    bool drainingTicks_ = false;
    int callbackDepth_ = 0;
    std::unique_ptr<detail::LoopExtension> extensions_[kMaxExtensions];
};

// Node: `node script.js` — runs the current thread's loop until nothing is left.
int run();

namespace process {
// Node: process.exitCode. run() returns it.
int exitCode() noexcept;
void setExitCode(int code) noexcept;
}  // namespace process

}  // namespace nodecc
