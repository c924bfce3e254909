#include "nodecc/process/callback_scope.hpp"

#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"

namespace nodecc {

CallbackScope::CallbackScope(Loop& loop, AsyncId asyncId, AsyncId triggerAsyncId) noexcept
    : loop_(loop), saved_(detail::enterAsyncContext(asyncId, triggerAsyncId)) {
    ++loop_.callbackScopeDepth();
}

// Node: InternalCallbackScope::Close — only the outermost scope drains the queues.
CallbackScope::~CallbackScope() {
    detail::restoreAsyncContext(saved_);
    if (loop_.callbackScopeDepth() == 1) process::processTicksAndRejections(loop_);
    --loop_.callbackScopeDepth();
}

}  // namespace nodecc
