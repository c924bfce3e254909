// Signal listeners (Node: process.on('SIGINT' | 'SIGTERM' | ..., fn)).
//
// A listener runs on the loop thread, in a CallbackScope, each time the
// signal arrives. As in Node, a listener replaces the default action (the
// process no longer dies of SIGINT) and does not keep the loop alive.
//
//   nodecc::process::onSignal(SIGTERM, [server] {
//       server->close();                       // finish in-flight requests, then exit
//       nodecc::process::removeSignalHandlers();
//   });
//
// Threading: the loop of the calling thread. Cost: one libuv signal handle per signal.
#pragma once

#include "nodecc/core/unique_function.hpp"

namespace nodecc::process {

void onSignal(int signum, UniqueFunction<void()> listener);
// Node: process.removeAllListeners('SIGINT') etc. for every signal of this loop.
void removeSignalHandlers();

}  // namespace nodecc::process
