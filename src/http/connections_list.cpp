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
    c.lastMessageStart = now == 0 ? 1 : now;
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

void ConnectionsList::appendActive(Connection& c) {
    if (c.inActive) unlinkActive(c);
    c.inActive = true;
    c.activeNext = nullptr;
    c.activePrev = activeTail_;
    if (activeTail_ != nullptr) {
        activeTail_->activeNext = &c;
    } else {
        activeHead_ = &c;
    }
    activeTail_ = &c;
}

void ConnectionsList::unlinkActive(Connection& c) {
    if (!c.inActive) return;
    if (c.activePrev != nullptr) {
        c.activePrev->activeNext = c.activeNext;
    } else {
        activeHead_ = c.activeNext;
    }
    if (c.activeNext != nullptr) {
        c.activeNext->activePrev = c.activePrev;
    } else {
        activeTail_ = c.activePrev;
    }
    c.activePrev = c.activeNext = nullptr;
    c.inActive = false;
}

void ConnectionsList::messageBegin(Connection& c, std::uint64_t now) {
    if (!c.inAll) return;
    c.lastMessageStart = now == 0 ? 1 : now;
    c.headersCompleted = false;
    appendActive(c);
}

void ConnectionsList::headersComplete(Connection& c) {
    c.headersCompleted = true;
}

void ConnectionsList::messageComplete(Connection& c) {
    if (!c.inAll) return;
    c.lastMessageStart = 0;
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
        Connection* next = c->activeNext;
        const std::uint64_t age = now - c->lastMessageStart;
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
        if (c->lastMessageStart == 0) out.push_back(c);
    }
    return out;
}

}  // namespace nodecc::http::detail
