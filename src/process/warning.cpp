#include "nodecc/process/warning.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace nodecc::process {

namespace {
std::atomic<detail::WarningHandler> gWarningHandler{nullptr};
}

namespace detail {
void setWarningHandler(WarningHandler handler) noexcept {
    gWarningHandler.store(handler);
}
}  // namespace detail

void emitWarning(std::string_view type, std::string_view message) {
    if (auto handler = gWarningHandler.load(); handler != nullptr && handler(type, message)) return;
    // Node: "(node:PID) Type: message".
    std::string line = "(nodecc:" + std::to_string(::getpid()) + ") ";
    line.append(type).append(": ").append(message).append("\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace nodecc::process
