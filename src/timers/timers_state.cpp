#include "timers/timers_state.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc::timers::detail {

namespace {
template <class H>
uv_handle_t* asHandle(H* h) noexcept {
    return reinterpret_cast<uv_handle_t*>(h);
}
}  // namespace

TimersState::TimersState(Loop& loop) : loop_(loop) {
    uv_timer_init(loop.uv(), &timer_);
    timer_.data = this;
    uv_unref(asHandle(&timer_));  // ref'd while refCount_ > 0 (syncTimerRef)
    // Node: Environment::InitializeLibuv — the check handle, unref'd, and the idle handle,
    // which runs only while ref'd immediates exist (ToggleImmediateRef). Node's check handle
    // always runs; this one only while immediates are queued (enqueue starts it, onCheck
    // stops it once none is left), so that a loop iteration without any does not pay for
    // the check phase. Started from a callback of the poll phase or a timer, it still runs
    // in the same iteration's check phase, as Node's.
    uv_check_init(loop.uv(), &check_);
    check_.data = this;
    uv_unref(asHandle(&check_));
    uv_idle_init(loop.uv(), &idle_);
    idle_.data = this;
}

TimersState::~TimersState() {
    releaseAll();
    while (freeLists_ != nullptr) delete std::exchange(freeLists_, freeLists_->nextFree);
}

void TimersState::close() {
    closing_ = true;
    uv_close(asHandle(&timer_), nullptr);
    uv_close(asHandle(&check_), nullptr);
    uv_close(asHandle(&idle_), nullptr);
    releaseAll();
}

// Drops every armed timer and queued immediate: the loop is going away. Each is
// unlinked and marked destroyed before its last reference goes, so destructors
// (and whatever the callbacks captured) find consistent state.
void TimersState::releaseAll() noexcept {
    while (TimerList* list = queue_.peek()) {
        while (Timeout* t = list->peek()) {
            list->remove(*t);
            t->destroyed_ = true;
            auto self = std::move(t->self_);
        }
        destroyList(*list);
    }
    refCount_ = 0;
    for (ImmediateList* q : {&outstanding_, &immediates_}) {
        while (Immediate* im = q->shift()) {
            im->destroyed_ = true;
            im->ref_ = false;
            auto self = std::move(im->self_);
        }
    }
    immediateCount_ = immediateRefCount_ = 0;
}

std::uint64_t TimersState::now() noexcept {
    loop_.updateTime();
    return loop_.now();
}

// ---- timeouts --------------------------------------------------------------

TimerList* TimersState::findList(std::int64_t msecs) const noexcept {
    auto it = std::lower_bound(byMsecs_.begin(), byMsecs_.end(), msecs,
                               [](const TimerList* l, std::int64_t m) { return l->msecs < m; });
    return it != byMsecs_.end() && (*it)->msecs == msecs ? *it : nullptr;
}

TimerList* TimersState::createList(std::int64_t msecs, std::uint64_t expiry) {
    TimerList* list =
        freeLists_ != nullptr ? std::exchange(freeLists_, freeLists_->nextFree) : new TimerList();
    list->nextFree = nullptr;
    list->msecs = msecs;
    list->expiry = expiry;
    list->id = nextListId_++;
    auto it = std::lower_bound(byMsecs_.begin(), byMsecs_.end(), msecs,
                               [](const TimerList* l, std::int64_t m) { return l->msecs < m; });
    byMsecs_.insert(it, list);
    queue_.insert(list);
    return list;
}

// Node: `delete timerListMap[msecs]; timerListQueue.removeAt(...)`. The list object
// is pooled: re-arming a timer of the same duration allocates nothing.
void TimersState::destroyList(TimerList& list) noexcept {
    queue_.removeAt(list.heapIndex);
    auto it = std::lower_bound(byMsecs_.begin(), byMsecs_.end(), list.msecs,
                               [](const TimerList* l, std::int64_t m) { return l->msecs < m; });
    byMsecs_.erase(it);
    list.nextFree = freeLists_;
    freeLists_ = &list;
}

void TimersState::scheduleTimer(std::uint64_t duration) noexcept {
    uv_timer_start(&timer_, onTimer, duration, 0);
}

// Node: toggleTimerRef — the one uv timer keeps the loop alive iff a ref'd timer is live.
void TimersState::syncTimerRef() noexcept {
    if (refCount_ > 0) {
        uv_ref(asHandle(&timer_));
    } else {
        uv_unref(asHandle(&timer_));
    }
}

bool TimersState::handleHasRef() const noexcept {
    return uv_has_ref(reinterpret_cast<const uv_handle_t*>(&timer_)) != 0;
}

void TimersState::incRefCount() noexcept {
    if (refCount_++ == 0) syncTimerRef();
}

void TimersState::decRefCount() noexcept {
    if (--refCount_ == 0) syncTimerRef();
}

void TimersState::insert(Timeout& t, std::uint64_t start) {
    if (closing_) {
        if (!t.destroyed_ && t.ref_) decRefCount();
        t.destroyed_ = true;
        return;
    }
    t.idleStart_ = start;
    TimerList* list = findList(t.msecs_);
    if (list == nullptr) {
        const std::uint64_t expiry = start + static_cast<std::uint64_t>(t.msecs_);
        list = createList(t.msecs_, expiry);
        if (nextExpiry_ > expiry) {
            scheduleTimer(static_cast<std::uint64_t>(t.msecs_));
            nextExpiry_ = expiry;
        }
    }
    list->append(t);
    if (!t.self_) t.self_ = t.weak_from_this().lock();
}

void TimersState::insertGuarded(Timeout& t) {
    if (t.cleared_) return;
    const bool wasDestroyed = t.destroyed_;
    insert(t, now());
    if (wasDestroyed && !closing_) {
        // Node: initAsyncResource again — a re-armed fired timer is a new resource.
        t.destroyed_ = false;
        t.asyncId_ = newAsyncId();
        t.triggerAsyncId_ = defaultTriggerAsyncId();
        if (t.ref_) incRefCount();
    }
}

void TimersState::unenroll(Timeout& t) noexcept {
    // The callback is released now, unless it is running (then runTimeout drops it).
    TimerCallback callback = std::move(t.callback_);
    stop(t);
    // `callback` may hold the last references: released on return.
}

void TimersState::stop(Timeout& t) noexcept {
    t.cleared_ = true;
    if (t.destroyed_) return;
    t.destroyed_ = true;
    if (t.ref_) decRefCount();
    std::shared_ptr<Timeout> self;
    if (TimerList* list = t.list_) {
        list->remove(t);
        self = std::move(t.self_);
        // Node: an emptied list leaves the map and the queue, unless processTimers is
        // walking it (it removes it when done).
        if (list->isEmpty() && list != running_) destroyList(*list);
    }
    // `self` may hold the last reference: released on return.
}

void TimersState::forget(Timeout& t) noexcept {
    TimerList* list = t.list_;
    list->remove(t);
    if (list->isEmpty() && list != running_) destroyList(*list);
}

// Node: Environment::RunTimers — run what is due, then re-arm the one uv timer
// for the earliest list left, ref'd iff a ref'd timer is live.
void TimersState::onTimer(uv_timer_t* handle) {
    auto& self = *static_cast<TimersState*>(handle->data);
    const std::uint64_t next = self.processTimers(self.now());
    if (next != 0 && !self.closing_) {
        const std::uint64_t now = self.now();
        self.scheduleTimer(next > now ? next - now : 1);
    }
    self.syncTimerRef();
}

// Node: processTimers(now). Returns the next expiry, 0 when no list is left.
std::uint64_t TimersState::processTimers(std::uint64_t now) {
    nextExpiry_ = kNever;
    while (TimerList* list = queue_.peek()) {
        if (list->expiry > now) {
            nextExpiry_ = list->expiry;
            return nextExpiry_;
        }
        listOnTimeout(*list, now);
    }
    return 0;
}

// Node: listOnTimeout(list, now).
void TimersState::listOnTimeout(TimerList& list, std::uint64_t now) {
    running_ = &list;
    while (Timeout* t = list.peek()) {
        const auto elapsed = static_cast<std::int64_t>(now - t->idleStart_);
        if (elapsed < list.msecs) {
            // Too early for this one: the list is due again when its head is.
            list.expiry = std::max(t->idleStart_ + static_cast<std::uint64_t>(list.msecs), now + 1);
            list.id = nextListId_++;
            queue_.update(list.heapIndex);
            running_ = nullptr;
            return;
        }
        runTimeout(*t);
    }
    running_ = nullptr;
    destroyList(list);
}

// One due timer: unlinked, its callback run in its async context, then (Node's
// `finally`) a repeat re-armed with the start taken before the callback, or the
// timer destroyed; ticks and microtasks drain before the next timer (runNextTicks).
void TimersState::runTimeout(Timeout& t) {
    t.list_->remove(t);
    const std::shared_ptr<Timeout> keep = std::move(t.self_);
    const std::uint64_t start = t.repeat_ ? now() : 0;
    CallbackScope scope(loop_, t.asyncId_, t.triggerAsyncId_);
    {
        TimerCallback callback = std::move(t.callback_);
        if (callback) {
            try {
                callback();
            } catch (...) {
                process::triggerUncaughtException(std::current_exception());
            }
            if (!t.cleared_ && !t.callback_) t.callback_ = std::move(callback);
        }
    }
    if (t.repeat_ && !t.cleared_) {
        insert(t, start);
    } else if (t.list_ == nullptr && !t.destroyed_) {
        t.destroyed_ = true;
        if (t.ref_) decRefCount();
    }
}

// ---- immediates ------------------------------------------------------------

// Node: toggleImmediateRef — the idle handle keeps the loop alive and makes poll
// return at once while ref'd immediates wait.
void TimersState::toggleImmediateRef(bool ref) noexcept {
    if (closing_) return;
    if (ref) {
        uv_idle_start(&idle_, [](uv_idle_t*) {});
    } else {
        uv_idle_stop(&idle_);
    }
}

void TimersState::enqueue(Immediate& im) noexcept {
    if (closing_) {
        im.destroyed_ = true;
        return;
    }
    if (immediateCount_++ == 0) uv_check_start(&check_, onCheck);
    im.ref_ = true;
    if (immediateRefCount_++ == 0) toggleImmediateRef(true);
    immediates_.append(im);
}

void TimersState::retain(const std::shared_ptr<Immediate>& im) noexcept {
    if (im->list_ != nullptr) im->self_ = im;
}

void TimersState::immediateRef(Immediate& im) noexcept {
    if (im.destroyed_ || im.ref_) return;
    im.ref_ = true;
    if (immediateRefCount_++ == 0) toggleImmediateRef(true);
}

void TimersState::immediateUnref(Immediate& im) noexcept {
    if (im.destroyed_ || !im.ref_) return;
    im.ref_ = false;
    if (--immediateRefCount_ == 0) toggleImmediateRef(false);
}

void TimersState::clearImmediate(Immediate& im) noexcept {
    if (im.destroyed_) return;
    --immediateCount_;
    im.destroyed_ = true;
    if (im.ref_ && --immediateRefCount_ == 0) toggleImmediateRef(false);
    im.ref_ = false;
    if (im.list_ != nullptr) im.list_->remove(im);
    TimerCallback callback = std::move(im.callback_);
    std::shared_ptr<Immediate> self = std::move(im.self_);
    // `callback` and `self` may hold the last references: released on return.
}

// Node: Environment::CheckImmediate → processImmediate.
void TimersState::onCheck(uv_check_t* handle) {
    auto& self = *static_cast<TimersState*>(handle->data);
    if (self.immediateCount_ != 0) self.processImmediate();
    if (self.immediateCount_ == 0 && !self.closing_) uv_check_stop(handle);
}

// Node: processImmediate — the queue is detached first, so immediates queued by
// these callbacks run in the next iteration.
void TimersState::processImmediate() {
    outstanding_.takeAll(immediates_);
    while (Immediate* im = outstanding_.shift()) {
        runImmediate(*im);
    }
}

void TimersState::runImmediate(Immediate& im) {
    --immediateCount_;
    im.destroyed_ = true;
    if (im.ref_ && --immediateRefCount_ == 0) toggleImmediateRef(false);
    im.ref_ = false;
    const std::shared_ptr<Immediate> keep = std::move(im.self_);
    TimerCallback callback = std::move(im.callback_);
    CallbackScope scope(loop_, im.asyncId_, im.triggerAsyncId_);
    if (!callback) return;
    try {
        callback();
    } catch (...) {
        process::triggerUncaughtException(std::current_exception());
    }
}

}  // namespace nodecc::timers::detail
