#include "nodecc/http/diagnostics.hpp"

#include <utility>
#include <vector>

namespace nodecc::http::diagnostics {

namespace detail {
constinit thread_local bool hasSubscribers = false;
}

namespace {

template <class M>
struct Channel {
    std::vector<std::pair<SubscriptionId, std::function<void(const M&)>>> subscribers;
};

thread_local Channel<RequestStart> requestStart;
thread_local Channel<ResponseFinish> responseFinish;
thread_local SubscriptionId nextId = 1;

void refresh() {
    detail::hasSubscribers =
        !requestStart.subscribers.empty() || !responseFinish.subscribers.empty();
}

template <class M>
void publishTo(Channel<M>& channel, const M& message) {
    // A copy: a subscriber may unsubscribe (itself or another) while we iterate.
    const auto subscribers = channel.subscribers;
    for (const auto& [id, fn] : subscribers) fn(message);
}

}  // namespace

SubscriptionId onRequestStart(std::function<void(const RequestStart&)> subscriber) {
    const SubscriptionId id = nextId++;
    requestStart.subscribers.emplace_back(id, std::move(subscriber));
    refresh();
    return id;
}

SubscriptionId onResponseFinish(std::function<void(const ResponseFinish&)> subscriber) {
    const SubscriptionId id = nextId++;
    responseFinish.subscribers.emplace_back(id, std::move(subscriber));
    refresh();
    return id;
}

bool unsubscribe(SubscriptionId id) {
    bool found = false;
    const auto drop = [&](auto& channel) {
        for (auto it = channel.subscribers.begin(); it != channel.subscribers.end(); ++it) {
            if (it->first == id) {
                channel.subscribers.erase(it);
                found = true;
                return;
            }
        }
    };
    drop(requestStart);
    drop(responseFinish);
    refresh();
    return found;
}

namespace detail {
void publish(const RequestStart& message) {
    publishTo(requestStart, message);
}
void publish(const ResponseFinish& message) {
    publishTo(responseFinish, message);
}
}  // namespace detail

}  // namespace nodecc::http::diagnostics
