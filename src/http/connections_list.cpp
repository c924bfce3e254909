#include "connections_list.hpp"

#include "connection.hpp"

namespace nodecc::http::detail {

void ConnectionsList::add(Connection& c, std::uint64_t now) {
    if (c.inAll) return;
    c.inAll = true;
    c.allPrev = nullptr;
    c.allNext = allHead_;
    if (allHead_ != nullptr) allHead_->allPrev = &c;
    allHead_ = &c;
    ++size_;
    c.state().lastMessageStart = now == 0 ? 1 : now;
    c.messageStarted = true;
    c.headersCompleted = false;
    appendActive(c);
}

void ConnectionsList::remove(Connection& c) {
    if (!c.inAll) return;
    unlinkActive(c);
    if (c.allPrev != nullptr) c.allPrev->allNext = c.allNext;
    if (c.allNext != nullptr) c.allNext->allPrev = c.allPrev;
    if (allHead_ == &c) allHead_ = c.allNext;
    c.allPrev = c.allNext = nullptr;
    c.inAll = false;
    --size_;
}

// The `active` links live in the connection's MessageState, which it keeps while active.
void ConnectionsList::appendActive(Connection& c) {
    if (c.inActive) unlinkActive(c);
    Connection::MessageState& ms = c.state();
    c.inActive = true;
    ms.activeNext = nullptr;
    ms.activePrev = activeTail_;
    if (activeTail_ != nullptr) {
        activeTail_->state_->activeNext = &c;
    } else {
        activeHead_ = &c;
    }
    activeTail_ = &c;
}

void ConnectionsList::unlinkActive(Connection& c) noexcept {
    if (!c.inActive) return;
    Connection::MessageState& ms = *c.state_;
    if (ms.activePrev != nullptr) {
        ms.activePrev->state_->activeNext = ms.activeNext;
    } else {
        activeHead_ = ms.activeNext;
    }
    if (ms.activeNext != nullptr) {
        ms.activeNext->state_->activePrev = ms.activePrev;
    } else {
        activeTail_ = ms.activePrev;
    }
    ms.activePrev = ms.activeNext = nullptr;
    c.inActive = false;
}

void ConnectionsList::messageBegin(Connection& c, std::uint64_t now) {
    if (!c.inAll) return;
    c.state().lastMessageStart = now == 0 ? 1 : now;
    c.messageStarted = true;
    c.headersCompleted = false;
    // The tail already (the next of a pipelined burst): the youngest start, it stays there.
    if (!c.inActive || activeTail_ != &c) appendActive(c);
}

void ConnectionsList::headersComplete(Connection& c) {
    c.headersCompleted = true;
}

// The connection leaves `active` lazily: it stays linked (expired() passes over it) until
// its next message begins, or until it is idle and gives its state back (leaveActive).
void ConnectionsList::messageComplete(Connection& c) {
    if (!c.inAll) return;
    c.messageStarted = false;
}

void ConnectionsList::leaveActive(Connection& c) noexcept {
    unlinkActive(c);
}

std::vector<Connection*> ConnectionsList::expired(std::uint64_t headersTimeout,
                                                  std::uint64_t requestTimeout, std::uint64_t now) {
    // Node: the two limits are swapped when headersTimeout > requestTimeout.
    if (headersTimeout > 0 && requestTimeout > 0 && headersTimeout > requestTimeout) {
        std::swap(headersTimeout, requestTimeout);
    }
    std::vector<Connection*> out;
    Connection* c = activeHead_;
    while (c != nullptr) {
        Connection* next = c->state_->activeNext;
        if (!c->messageStarted) {  // between messages (see messageComplete)
            c = next;
            continue;
        }
        const std::uint64_t age = now - c->state_->lastMessageStart;
        const bool headersExpired =
            headersTimeout > 0 && !c->headersCompleted && age > headersTimeout;
        const bool requestExpired = requestTimeout > 0 && age > requestTimeout;
        if (headersExpired || requestExpired) {
            unlinkActive(*c);  // reported once
            out.push_back(c);
        } else {
            // Sorted by start: a younger connection cannot be expired by the smaller limit.
            const std::uint64_t smallest = headersTimeout > 0 ? headersTimeout : requestTimeout;
            if (age <= smallest) break;
        }
        c = next;
    }
    return out;
}

std::vector<Connection*> ConnectionsList::all() const {
    std::vector<Connection*> out;
    for (Connection* c = allHead_; c != nullptr; c = c->allNext) out.push_back(c);
    return out;
}

std::vector<Connection*> ConnectionsList::idle() const {
    std::vector<Connection*> out;
    for (Connection* c = allHead_; c != nullptr; c = c->allNext) {
        if (!c->messageStarted) out.push_back(c);
    }
    return out;
}

}  // namespace nodecc::http::detail
