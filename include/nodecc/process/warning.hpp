// process::emitWarning (Node: process.emitWarning).
//
// Prints "(nodecc:<pid>) <Type>: <message>" to stderr and, as Node does,
// also delivers the warning to the process object's 'warning' listeners
// (events/process.hpp) on the next tick.
//
//   nodecc::process::emitWarning("MaxListenersExceededWarning", "Possible EventEmitter ...");
//
// Threading: any thread (stderr writes are whole lines). Cost: error path only.
#pragma once

#include <string_view>

namespace nodecc::process {

void emitWarning(std::string_view type, std::string_view message);

namespace detail {
// Installed by the events layer. Returns true if a 'warning' listener took it.
using WarningHandler = bool (*)(std::string_view type, std::string_view message);
void setWarningHandler(WarningHandler handler) noexcept;
}  // namespace detail

}  // namespace nodecc::process
