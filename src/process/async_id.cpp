#include "nodecc/process/async_id.hpp"

namespace nodecc {
namespace {

struct AsyncIdFields {
    AsyncId counter = kTopLevelAsyncId;
    AsyncId execution = kTopLevelAsyncId;
    AsyncId trigger = 0;
    AsyncId defaultTrigger = -1;  // Node: kDefaultTriggerAsyncId, -1 = unset
};

thread_local AsyncIdFields fields;

}  // namespace

AsyncId newAsyncId() noexcept {
    return ++fields.counter;
}
AsyncId executionAsyncId() noexcept {
    return fields.execution;
}
AsyncId triggerAsyncId() noexcept {
    return fields.trigger;
}
AsyncId defaultTriggerAsyncId() noexcept {
    return fields.defaultTrigger >= 0 ? fields.defaultTrigger : fields.execution;
}

DefaultTriggerAsyncIdScope::DefaultTriggerAsyncIdScope(AsyncId id) noexcept
    : saved_(fields.defaultTrigger) {
    fields.defaultTrigger = id;
}

DefaultTriggerAsyncIdScope::~DefaultTriggerAsyncIdScope() {
    fields.defaultTrigger = saved_;
}

namespace detail {

AsyncContextFrame enterAsyncContext(AsyncId execution, AsyncId trigger) noexcept {
    AsyncContextFrame saved{fields.execution, fields.trigger};
    fields.execution = execution;
    fields.trigger = trigger;
    return saved;
}

void restoreAsyncContext(AsyncContextFrame saved) noexcept {
    fields.execution = saved.execution;
    fields.trigger = saved.trigger;
}

}  // namespace detail
}  // namespace nodecc
