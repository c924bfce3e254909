// CallbackScope and makeCallback — every entry from the loop into user code.
//
// Node's InternalCallbackScope: while the scope lives, executionAsyncId() is
// the resource's id; when the outermost scope closes, ticks and microtasks are
// drained (processTicksAndRejections). An exception escaping the callback goes
// to process 'uncaughtException' listeners, else it is printed and the
// process exits with code 1 (process/uncaught.hpp).
//
//   // inside a libuv callback of your own handle:
//   nodecc::makeCallback(myAsyncId, myTriggerId, [&] { userCallback(); });
//
// Threading: loop thread. Cost: a few stores; draining runs queued callbacks.
#pragma once

#include <exception>
#include <utility>

#include "nodecc/process/async_id.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc {

class Loop;

class CallbackScope {
  public:
    CallbackScope(Loop& loop, AsyncId asyncId, AsyncId triggerAsyncId) noexcept;
    ~CallbackScope();
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;

  private:
    Loop& loop_;
    detail::AsyncContextFrame saved_;
};

// Node: MakeCallback — runs fn in a CallbackScope; exceptions become uncaught exceptions.
template <class F>
void makeCallback(Loop& loop, AsyncId asyncId, AsyncId triggerAsyncId, F&& fn) {
    CallbackScope scope(loop, asyncId, triggerAsyncId);
    try {
        std::forward<F>(fn)();
    } catch (...) {
        process::triggerUncaughtException(std::current_exception());
    }
}

}  // namespace nodecc
