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

// Node: internal/async_hooks newAsyncId() = ++async_id_fields[kAsyncIdCounter].
AsyncId newAsyncId() noexcept;
// Node: async_hooks.executionAsyncId() / triggerAsyncId().
AsyncId executionAsyncId() noexcept;
AsyncId triggerAsyncId() noexcept;
// Node: getDefaultTriggerAsyncId(): the scoped default if set, else executionAsyncId().
AsyncId defaultTriggerAsyncId() noexcept;

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
AsyncContextFrame enterAsyncContext(AsyncId execution, AsyncId trigger) noexcept;
void restoreAsyncContext(AsyncContextFrame saved) noexcept;
}  // namespace detail

}  // namespace nodecc
