#include "nodecc/process/next_tick.hpp"

#include "nodecc/process/loop.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc::process {

namespace detail {
void pushTick(Loop& loop, TickObject&& tick) {
    loop.tickQueue().push(std::move(tick));
}
Loop& currentLoop() {
    return Loop::current();
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
    TickObject tock;
    do {
        while (ticks.shift(tock)) {
            runQueued(tock);
            tock.callback = nullptr;
        }
        while (micro.shift(tock)) {
            runQueued(tock);
            tock.callback = nullptr;
        }
    } while (!ticks.isEmpty());
}

}  // namespace nodecc::process
