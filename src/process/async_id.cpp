#include "nodecc/process/async_id.hpp"

namespace nodecc {

namespace detail {
constinit thread_local AsyncIdFields asyncIdFields;
}  // namespace detail

DefaultTriggerAsyncIdScope::DefaultTriggerAsyncIdScope(AsyncId id) noexcept
    : saved_(detail::asyncIdFields.defaultTrigger) {
    detail::asyncIdFields.defaultTrigger = id;
}

DefaultTriggerAsyncIdScope::~DefaultTriggerAsyncIdScope() {
    detail::asyncIdFields.defaultTrigger = saved_;
}

}  // namespace nodecc
