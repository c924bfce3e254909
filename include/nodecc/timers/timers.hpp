// setTimeout / setInterval / setImmediate (Node: lib/timers.js).
//
// Timers are kept as Node keeps them: one list per duration (appended in
// order, so each list is sorted by expiry), a priority queue of lists, and a
// single libuv timer per loop armed for the earliest list. Immediates are a
// queue run in the loop's check phase. Ticks and microtasks are drained after
// each timer and each immediate callback, as Node's runNextTicks does.
//
//   auto t = nodecc::setTimeout([] { std::puts("1 s later"); }, 1000);
//   t->unref();                          // does not keep run() alive
//   nodecc::setImmediate([] { std::puts("check phase"); });
//   auto i = nodecc::setInterval([] { tick(); }, 50);
//   nodecc::clearInterval(i);
//
// Threading: loop thread only. Cost: setTimeout allocates its Timeout (one
// make_shared); arming, refresh and clear allocate nothing.
#pragma once

#include <cstdint>
#include <memory>

#include "nodecc/core/unique_function.hpp"
#include "nodecc/process/async_id.hpp"

namespace nodecc {

class Loop;

namespace timers {

using TimerCallback = UniqueFunction<void(), 40>;

namespace detail {
template <class T, class Derived>
class IntrusiveList;
class ImmediateList;
class TimerList;
class TimersState;
}  // namespace detail

// Node: class Timeout. Returned by setTimeout/setInterval; the loop keeps an
// active timer alive even if the caller drops its pointer.
class Timeout : public std::enable_shared_from_this<Timeout> {
  public:
    // Node: new Timeout(...) — coerces `ms` and takes an async id, but does not
    // arm the timer: setTimeout/setInterval do. Own it through a shared_ptr.
    Timeout(Loop& loop, TimerCallback callback, double ms, bool repeat, bool ref);
    ~Timeout();
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;

    Timeout& ref();                // Node: timeout.ref()
    Timeout& unref();              // Node: timeout.unref()
    bool hasRef() const noexcept;  // Node: timeout.hasRef()
    // Node: timeout.refresh(): restart from now, same callback; re-arms a fired
    // timer (with a new async id); a no-op after clearTimeout.
    Timeout& refresh();
    void close();  // Node: timeout.close() == clearTimeout(this)
    // Node's internal timers.unenroll / enroll + active, as net sockets use them: stop()
    // disarms the timer but keeps its callback; restart(ms) arms it again from now with a
    // new duration (after a stop, as a new async resource). Lets a socket switch its
    // timeout on and off per request without a new Timeout each time.
    void stop() noexcept;
    Timeout& restart(double ms);

    std::int64_t msecs() const noexcept { return msecs_; }  // after coercion to [1, 2^31-1]
    bool repeat() const noexcept { return repeat_; }
    bool destroyed() const noexcept { return destroyed_; }
    AsyncId asyncId() const noexcept { return asyncId_; }
    AsyncId triggerAsyncId() const noexcept { return triggerAsyncId_; }

  private:
    template <class, class>
    friend class detail::IntrusiveList;
    friend class detail::TimersState;

    Loop& loop_;
    detail::TimersState* state_;
    TimerCallback callback_;
    std::int64_t msecs_;
    std::uint64_t idleStart_ = 0;  // loop time (ms) the timer was (re)armed
    AsyncId asyncId_;
    AsyncId triggerAsyncId_;
    bool repeat_;
    bool ref_;
    bool destroyed_ = false;
    bool cleared_ = false;  // Node: _idleTimeout = -1 after clearTimeout; refresh() is a no-op
    // intrusive links in the per-duration list (list_ is null while not armed)
    detail::TimerList* list_ = nullptr;
    Timeout* prev_ = nullptr;
    Timeout* next_ = nullptr;
    std::shared_ptr<Timeout> self_;  // keeps an armed timer alive
};

// Node: class Immediate.
class Immediate : public std::enable_shared_from_this<Immediate> {
  public:
    // Node: new Immediate(...) — queues the callback for the check phase.
    // setImmediate also keeps it alive until it runs or is cleared.
    Immediate(Loop& loop, TimerCallback callback);
    ~Immediate();
    Immediate(const Immediate&) = delete;
    Immediate& operator=(const Immediate&) = delete;

    Immediate& ref();              // Node: immediate.ref()
    Immediate& unref();            // Node: immediate.unref()
    bool hasRef() const noexcept;  // false once run or cleared
    bool destroyed() const noexcept { return destroyed_; }
    AsyncId asyncId() const noexcept { return asyncId_; }
    AsyncId triggerAsyncId() const noexcept { return triggerAsyncId_; }

  private:
    template <class, class>
    friend class detail::IntrusiveList;
    friend class detail::TimersState;

    Loop& loop_;
    detail::TimersState* state_;
    TimerCallback callback_;
    AsyncId asyncId_;
    AsyncId triggerAsyncId_;
    bool ref_ = false;
    bool destroyed_ = false;
    // intrusive links in the immediate queue (list_ is null once run or cleared)
    detail::ImmediateList* list_ = nullptr;
    Immediate* prev_ = nullptr;
    Immediate* next_ = nullptr;
    std::shared_ptr<Immediate> self_;  // keeps a queued immediate alive
};

using TimeoutPtr = std::shared_ptr<Timeout>;
using ImmediatePtr = std::shared_ptr<Immediate>;

// Node: setTimeout(cb, ms). `ms` outside [1, 2^31-1] (or NaN) becomes 1; above
// TIMEOUT_MAX a TimeoutOverflowWarning is emitted, as Node.
TimeoutPtr setTimeout(TimerCallback callback, double ms = 1);
TimeoutPtr setInterval(TimerCallback callback, double ms = 1);
ImmediatePtr setImmediate(TimerCallback callback);
// Node: clearTimeout/clearInterval (interchangeable); null is a no-op.
void clearTimeout(const TimeoutPtr& timeout);
void clearInterval(const TimeoutPtr& timeout);
void clearImmediate(const ImmediatePtr& immediate);

// Node internal setUnrefTimeout (used by sockets): an unref'd timer.
TimeoutPtr setUnrefTimeout(TimerCallback callback, double ms);

}  // namespace timers

// Node puts these on the global object.
using timers::clearImmediate;
using timers::clearInterval;
using timers::clearTimeout;
using timers::setImmediate;
using timers::setInterval;
using timers::setTimeout;

}  // namespace nodecc
