#include "nodecc/events/process.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "nodecc/process/next_tick.hpp"

namespace nodecc::process {

namespace {

class ProcessObject final : public events::EventEmitter {
  protected:
    const char* emitterName() const noexcept override { return "process"; }
};

bool onUncaught(std::exception_ptr error) {
    auto& p = object();
    if (p.listenerCount(kUncaughtException) == 0) return false;
    try {
        p.emit(kUncaughtException, error);
    } catch (...) {
        // Node: an exception thrown by an 'uncaughtException' listener is fatal (exit code 7).
        std::fflush(stdout);
        std::fprintf(stderr, "Uncaught %s (thrown by an uncaughtException listener)\n",
                     describeException(std::current_exception()).c_str());
        std::_Exit(7);
    }
    return true;
}

bool onWarning(std::string_view type, std::string_view message) {
    // Node: process.emitWarning emits 'warning' from process.nextTick
    // (lib/internal/process/warning.js), never from inside the caller.
    if (object().listenerCount(kWarning) != 0) {
        nextTick([type = std::string(type), message = std::string(message)] {
            object().emit(kWarning, std::string_view(type), std::string_view(message));
        });
    }
    return false;  // Node still prints it
}

}  // namespace

events::EventEmitter& object() {
    static ProcessObject* instance = [] {
        auto* p = new ProcessObject;
        p->retain();  // lives for the whole process
        detail::setUncaughtExceptionHandler(&onUncaught);
        detail::setWarningHandler(&onWarning);
        return p;
    }();
    return *instance;
}

}  // namespace nodecc::process
