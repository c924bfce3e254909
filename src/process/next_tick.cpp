#include "nodecc/process/next_tick.hpp"

#include "nodecc/process/loop.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc::process {

namespace detail {
FixedQueue<TickObject>& currentTickQueue() {
    return Loop::current().tickQueue();
}

}  // namespace detail

void queueMicrotask(TickCallback callback) {
    Loop::current().microtaskQueue().emplace(std::move(callback), newAsyncId(),
                                             defaultTriggerAsyncId());
}

namespace {
// Runs one queued callback in its own async context; an exception goes to
// 'uncaughtException' and the queue goes on (Node: the next drain continues).
void runQueued(TickObject& tick) {
    const auto saved = nodecc::detail::enterAsyncContext(tick.asyncId, tick.triggerAsyncId);
    try {
        tick.callback();
    } catch (...) {
        nodecc::detail::restoreAsyncContext(saved);
        triggerUncaughtException(std::current_exception());
        return;
    }
    nodecc::detail::restoreAsyncContext(saved);
}
}  // namespace

// Node: lib/internal/process/task_queues.js processTicksAndRejections — every tick,
// including ticks queued meanwhile, then every microtask; repeat until both are empty.
void processTicksAndRejections(Loop& loop) {
    auto& ticks = loop.tickQueue();
    auto& micro = loop.microtaskQueue();
    // Each tick runs in its slot and is destroyed after it returned; ticks it queues go
    // behind it (the slot does not move while the queue grows). A drain started from inside
    // a tick leaves the queue to the drain already running, which goes on in order.
    bool& draining = loop.drainingTicks();
    if (draining) return;
    draining = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{draining};
    do {
        while (TickObject* tock = ticks.front()) {
            runQueued(*tock);
            ticks.pop();
        }
        while (TickObject* tock = micro.front()) {
            runQueued(*tock);
            micro.pop();
        }
    } while (!ticks.isEmpty());
}

}  // namespace nodecc::process
