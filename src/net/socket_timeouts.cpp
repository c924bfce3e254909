#include "socket_timeouts.hpp"

#include <algorithm>
#include <exception>

#include "net_internal.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc::net::detail {

using A = SocketAccess;

SocketTimeouts::~SocketTimeouts() {
    close();
}

std::uint32_t SocketTimeouts::now() noexcept {
    // As Timeout::refresh: the time of the activity, not of the loop iteration. Kept mod
    // 2^32: every elapsed time is below TIMEOUT_MAX.
    loop_.updateTime();
    return static_cast<std::uint32_t>(loop_.now());
}

SocketTimeouts::List* SocketTimeouts::find(std::uint32_t msecs) const noexcept {
    for (const auto& list : lists_) {
        if (list->msecs == msecs) return list.get();
    }
    return nullptr;
}

void SocketTimeouts::unlink(List& list, Socket& s) noexcept {
    if (s.timerPrev_ != nullptr) {
        s.timerPrev_->timerNext_ = s.timerNext_;
    } else {
        list.head = s.timerNext_;
    }
    if (s.timerNext_ != nullptr) {
        s.timerNext_->timerPrev_ = s.timerPrev_;
    } else {
        list.tail = s.timerPrev_;
    }
    s.timerPrev_ = s.timerNext_ = nullptr;
}

// Node: insert(item, msecs, start) — appended to its duration's list. A socket already at
// the tail of that list only takes the new start.
void SocketTimeouts::enroll(Socket& s) {
    if (closed_) return;
    const std::uint32_t start = now();
    List* list = nullptr;
    if (A::has(s, kTimerArmed)) {
        const bool sameList = s.timerListMs_ == s.timeoutMs_;
        if (sameList && s.timerNext_ == nullptr) {
            s.timerStart_ = start;
            return;
        }
        List* from = find(s.timerListMs_);
        unlink(*from, s);
        if (sameList) list = from;  // moved to its tail: one lookup
    }
    if (list == nullptr) list = find(s.timeoutMs_);
    if (list == nullptr) {
        auto created = std::make_unique<List>();
        list = created.get();
        list->msecs = s.timeoutMs_;
        list->timer = timers::setUnrefTimeout([this, list] { onTimeout(*list); }, list->msecs);
        lists_.push_back(std::move(created));
    }
    s.timerPrev_ = list->tail;
    s.timerNext_ = nullptr;
    if (list->tail != nullptr) {
        list->tail->timerNext_ = &s;
    } else {
        list->head = &s;
    }
    list->tail = &s;
    s.timerStart_ = start;
    s.timerListMs_ = s.timeoutMs_;
    A::set(s, kTimerArmed);
}

// An emptied list stays until its timer fires (Node deletes a list when it expires empty):
// a connection that switches its timeout off and on per request allocates nothing.
void SocketTimeouts::unenroll(Socket& s) noexcept {
    if (!A::has(s, kTimerArmed)) return;
    A::clear(s, kTimerArmed);
    if (List* list = find(s.timerListMs_)) unlink(*list, s);
}

// Node: listOnTimeout — the due sockets in order, then the timer re-armed for the new head.
void SocketTimeouts::onTimeout(List& list) {
    list.running = true;
    bool ranOne = false;
    while (Socket* s = list.head) {
        if (s->timeoutMs_ != list.msecs) {
            unlink(list, *s);
            A::clear(*s, kTimerArmed);
            continue;
        }
        const std::uint32_t elapsed = now() - s->timerStart_;
        if (elapsed < list.msecs) {
            list.timer->restart(list.msecs - elapsed);
            list.running = false;
            return;
        }
        unlink(list, *s);
        A::clear(*s, kTimerArmed);
        if (ranOne) process::processTicksAndRejections(loop_);  // Node: runNextTicks
        ranOne = true;
        Ref<Socket> keep(s);
        try {
            A::onTimeout(*s);
        } catch (...) {
            process::triggerUncaughtException(std::current_exception());
        }
    }
    list.running = false;
    erase(list);
}

void SocketTimeouts::erase(List& list) noexcept {
    const auto it = std::find_if(lists_.begin(), lists_.end(),
                                 [&](const std::unique_ptr<List>& l) { return l.get() == &list; });
    if (it == lists_.end()) return;
    std::unique_ptr<List> owned = std::move(*it);
    lists_.erase(it);
    if (owned->timer) owned->timer->close();  // may be the running timer: it keeps itself
}

void SocketTimeouts::close() noexcept {
    closed_ = true;
    for (const auto& list : lists_) {
        while (Socket* s = list->head) {
            unlink(*list, *s);
            A::clear(*s, kTimerArmed);
        }
        if (list->timer) list->timer->close();
    }
    lists_.clear();
}

}  // namespace nodecc::net::detail
