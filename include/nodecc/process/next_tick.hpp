// process::nextTick and queueMicrotask (seed §4–5).
//
// nextTick pushes a TickObject {callback, asyncId, triggerAsyncId} onto the
// loop's FixedQueue. After every callback into user code (CallbackScope) the
// loop runs processTicksAndRejections: all ticks — including ticks queued
// meanwhile — then all microtasks, repeated until both queues are empty.
//
//   nodecc::process::nextTick([] { std::puts("tick"); });
//   nodecc::process::queueMicrotask([] { std::puts("micro"); });
//   std::puts("sync");            // prints sync, tick, micro
//
// Threading: loop thread only (use Loop::post from other threads).
// Cost: no allocation while fewer than 2047 ticks are pending and the
// callable fits TickCallback's 40 inline bytes.
#pragma once

#include <utility>

#include "nodecc/core/unique_function.hpp"
#include "nodecc/process/async_id.hpp"
#include "nodecc/process/fixed_queue.hpp"

namespace nodecc {
class Loop;
}

namespace nodecc::process {

using TickCallback = UniqueFunction<void(), 40>;

// Node: internal/process/task_queues TickObject.
struct TickObject {
    TickObject() = default;
    template <class F>
    TickObject(F&& fn, AsyncId id, AsyncId trigger)
        : callback(std::forward<F>(fn)), asyncId(id), triggerAsyncId(trigger) {}

    TickCallback callback;
    AsyncId asyncId = 0;
    AsyncId triggerAsyncId = 0;
};

namespace detail {
FixedQueue<TickObject>& currentTickQueue();  // the current loop's
}  // namespace detail

// Node: process.nextTick(callback). Capture arguments in the callable.
template <class F>
void nextTick(F&& callback) {
    // Built in its slot of the queue: the callable is moved once.
    detail::currentTickQueue().emplace(std::forward<F>(callback), newAsyncId(),
                                       defaultTriggerAsyncId());
}

// Node: queueMicrotask(callback). Runs after the current tick queue drains.
void queueMicrotask(TickCallback callback);

// Node: processTicksAndRejections(). Called by CallbackScope; public for
// code that embeds its own libuv handles.
void processTicksAndRejections(Loop& loop);

}  // namespace nodecc::process
