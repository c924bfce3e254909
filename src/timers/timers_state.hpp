// Private: the per-loop timers state (Node: the module state of
// lib/internal/timers.js plus Environment's timer handle and immediate
// check/idle handles in src/env.cc).
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "nodecc/process/loop.hpp"
#include "nodecc/timers/timers.hpp"
#include "timers/immediate_list.hpp"
#include "timers/timer_list.hpp"

namespace nodecc::timers::detail {

class TimersState final : public ::nodecc::detail::LoopExtension {
  public:
    static constexpr std::size_t kLoopSlot = ::nodecc::detail::kTimersSlot;
    explicit TimersState(Loop& loop);
    ~TimersState() override;
    TimersState(const TimersState&) = delete;
    TimersState& operator=(const TimersState&) = delete;

    void close() override;

    static TimersState& of(const Timeout& t) noexcept { return *t.state_; }
    static TimersState& of(const Immediate& im) noexcept { return *im.state_; }

    // Loop time in ms, refreshed (Node: getLibuvNow()).
    std::uint64_t now() noexcept;

    // Node: insert(item, msecs, start) — arms `t` at the end of its duration's list.
    void insert(Timeout& t, std::uint64_t start);
    // Node: insertGuarded (active / unrefActive) — refresh(), re-arming a fired timer.
    void insertGuarded(Timeout& t);
    // Node: unenroll — clearTimeout.
    void unenroll(Timeout& t) noexcept;
    // unenroll, keeping the callback (Timeout::stop).
    void stop(Timeout& t) noexcept;
    // A Timeout destroyed while armed (one not owned by a shared_ptr).
    void forget(Timeout& t) noexcept;

    void incRefCount() noexcept;
    void decRefCount() noexcept;

    // Node: new Immediate / clearImmediate / Immediate#ref / #unref.
    void enqueue(Immediate& im) noexcept;
    // setImmediate: the queue keeps the immediate alive until it runs or is cleared.
    static void retain(const std::shared_ptr<Immediate>& im) noexcept;
    void clearImmediate(Immediate& im) noexcept;
    void immediateRef(Immediate& im) noexcept;
    void immediateUnref(Immediate& im) noexcept;

    // For tests and diagnostics.
    std::size_t listCount() const noexcept { return byMsecs_.size(); }
    std::uint32_t refCount() const noexcept { return refCount_; }
    std::uint32_t immediateCount() const noexcept { return immediateCount_; }
    bool handleHasRef() const noexcept;

  private:
    static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

    static void onTimer(uv_timer_t* handle);
    static void onCheck(uv_check_t* handle);

    std::uint64_t processTimers(std::uint64_t now);
    void listOnTimeout(TimerList& list, std::uint64_t now);
    void runTimeout(Timeout& t);
    void processImmediate();
    void runImmediate(Immediate& im);

    void scheduleTimer(std::uint64_t duration) noexcept;
    void syncTimerRef() noexcept;
    void toggleImmediateRef(bool ref) noexcept;

    TimerList* findList(std::int64_t msecs) const noexcept;
    TimerList* createList(std::int64_t msecs, std::uint64_t expiry);
    void destroyList(TimerList& list) noexcept;
    void releaseAll() noexcept;

    Loop& loop_;
    uv_timer_t timer_{};
    uv_check_t check_{};
    uv_idle_t idle_{};
    bool closing_ = false;

    // Timeouts (Node: timerListMap, timerListQueue, nextExpiry, timerListId, timeoutInfo[0]).
    std::vector<TimerList*> byMsecs_;  // sorted by msecs
    TimerListQueue queue_;
    TimerList* freeLists_ = nullptr;
    TimerList* running_ = nullptr;  // the list listOnTimeout is walking
    std::uint64_t nextExpiry_ = kNever;
    std::uint64_t nextListId_ = 1;
    std::uint32_t refCount_ = 0;

    // Immediates (Node: immediateQueue, outstandingQueue, immediateInfo).
    ImmediateList immediates_;
    ImmediateList outstanding_;
    std::uint32_t immediateCount_ = 0;
    std::uint32_t immediateRefCount_ = 0;
};

}  // namespace nodecc::timers::detail
