// Uncaught exceptions (Node: process 'uncaughtException').
//
// An exception escaping a callback from the loop (a tick, timer, socket
// event, request handler…) is passed to triggerUncaughtException. If the
// process object has 'uncaughtException' listeners (events/process.hpp) they
// get it and the loop goes on; otherwise it is printed to stderr as
// "Uncaught <what>" and the process exits with code 1, as Node does.
//
//   nodecc::process::on("uncaughtException", [](std::exception_ptr e) { log(e); });
//
// Threading: called on the loop thread. Cost: only on the error path.
#pragma once

#include <exception>
#include <string>

namespace nodecc::process {

[[gnu::cold]] void triggerUncaughtException(std::exception_ptr error);

// Human-readable text of an exception: "Error [CODE]: message" for nodecc::Error.
std::string describeException(std::exception_ptr error);

namespace detail {
// Installed by the events layer (the process object). Returns true if a listener took it.
using UncaughtExceptionHandler = bool (*)(std::exception_ptr);
void setUncaughtExceptionHandler(UncaughtExceptionHandler handler) noexcept;
}  // namespace detail

}  // namespace nodecc::process
