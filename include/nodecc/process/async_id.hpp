// Async ids: Node's async_hooks bookkeeping (seed 2-3-2, 2-3-6).
//
// Every resource (tick, timer, immediate, server, socket, request) gets an
// id from newAsyncId(); while its callback runs, executionAsyncId() is that id
// and triggerAsyncId() the id of the resource that caused it.
//
//   nodecc::process::nextTick([] {
//       auto self = nodecc::executionAsyncId();   // the TickObject's id
//       auto from = nodecc::triggerAsyncId();     // who scheduled it
//   });
//   nodecc::DefaultTriggerAsyncIdScope scope(server->asyncId());
//   nodecc::process::nextTick(emitListening);     // trigger = the server
//
// Threading: per thread (as Node's per-isolate counters). Cost: a few integer
// stores; nothing allocates.
#pragma once

#include <cstdint>

namespace nodecc {

using AsyncId = std::int64_t;

// Node: executionAsyncId() is 1 at the top level and triggerAsyncId() 0.
inline constexpr AsyncId kTopLevelAsyncId = 1;

namespace detail {
// The calling thread's async-id state (inline: ids are taken on every tick and callback).
struct AsyncIdFields {
    AsyncId counter = kTopLevelAsyncId;
    AsyncId execution = kTopLevelAsyncId;
    AsyncId trigger = 0;
    AsyncId defaultTrigger = -1;  // Node: kDefaultTriggerAsyncId, -1 = unset
};
extern constinit thread_local AsyncIdFields asyncIdFields;
}  // namespace detail

// Node: internal/async_hooks newAsyncId() = ++async_id_fields[kAsyncIdCounter].
inline AsyncId newAsyncId() noexcept {
    return ++detail::asyncIdFields.counter;
}
// Node: async_hooks.executionAsyncId() / triggerAsyncId().
inline AsyncId executionAsyncId() noexcept {
    return detail::asyncIdFields.execution;
}
inline AsyncId triggerAsyncId() noexcept {
    return detail::asyncIdFields.trigger;
}
// Node: getDefaultTriggerAsyncId(): the scoped default if set, else executionAsyncId().
inline AsyncId defaultTriggerAsyncId() noexcept {
    const detail::AsyncIdFields& f = detail::asyncIdFields;
    return f.defaultTrigger >= 0 ? f.defaultTrigger : f.execution;
}

// Node: defaultTriggerAsyncIdScope(triggerAsyncId, fn). RAII instead of a callback:
// resources created while the scope lives get `id` as their trigger.
class DefaultTriggerAsyncIdScope {
  public:
    explicit DefaultTriggerAsyncIdScope(AsyncId id) noexcept;
    ~DefaultTriggerAsyncIdScope();
    DefaultTriggerAsyncIdScope(const DefaultTriggerAsyncIdScope&) = delete;
    DefaultTriggerAsyncIdScope& operator=(const DefaultTriggerAsyncIdScope&) = delete;

  private:
    AsyncId saved_;
};

namespace detail {
// The execution context stack (Node: emitBefore/emitAfter). Used by CallbackScope.
struct AsyncContextFrame {
    AsyncId execution;
    AsyncId trigger;
};
inline AsyncContextFrame enterAsyncContext(AsyncId execution, AsyncId trigger) noexcept {
    AsyncIdFields& f = asyncIdFields;
    const AsyncContextFrame saved{f.execution, f.trigger};
    f.execution = execution;
    f.trigger = trigger;
    return saved;
}
inline void restoreAsyncContext(AsyncContextFrame saved) noexcept {
    asyncIdFields.execution = saved.execution;
    asyncIdFields.trigger = saved.trigger;
}
}  // namespace detail

}  // namespace nodecc
