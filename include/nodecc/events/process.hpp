// The process object (Node: `process` as an EventEmitter).
//
// Lives in the events layer because it is an EventEmitter; the process layer
// below calls into it through hooks. Events: 'uncaughtException'
// (std::exception_ptr) — with a listener, an exception escaping a callback no
// longer ends the process (one thrown by such a listener exits with code 7,
// as Node); 'warning' (type, message) — listeners see every
// process::emitWarning from a process.nextTick of the current loop, as Node;
// the warning is still printed to stderr at once (Node prints it from that
// tick too).
//
//   nodecc::process::on(nodecc::process::kUncaughtException, [](std::exception_ptr e) {
//       std::fprintf(stderr, "%s\n", nodecc::process::describeException(e).c_str());
//   });
//
// Threading: the process object is shared by the whole process; add listeners
// from the main thread before starting other loops. Cost: error paths only.
#pragma once

#include <exception>
#include <string_view>
#include <utility>

#include "nodecc/events/event_emitter.hpp"
#include "nodecc/process/uncaught.hpp"
#include "nodecc/process/warning.hpp"

namespace nodecc::process {

inline constexpr events::Event<std::exception_ptr> kUncaughtException{"uncaughtException"};
inline constexpr events::Event<std::string_view, std::string_view> kWarning{"warning"};

// Node: the `process` object.
events::EventEmitter& object();

template <class N, class F>
events::Listener on(const N& name, F&& fn) {
    return object().on(name, std::forward<F>(fn));
}
template <class N, class F>
events::Listener once(const N& name, F&& fn) {
    return object().once(name, std::forward<F>(fn));
}

}  // namespace nodecc::process
