#include "nodecc/process/uncaught.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nodecc/core/error.hpp"

namespace nodecc::process {

namespace {
std::atomic<detail::UncaughtExceptionHandler> gHandler{nullptr};
}

namespace detail {
void setUncaughtExceptionHandler(UncaughtExceptionHandler handler) noexcept {
    gHandler.store(handler);
}
}  // namespace detail

std::string describeException(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return "Error [" + e.code() + "]: " + e.message();
    } catch (const std::exception& e) {
        return std::string("Error: ") + e.what();
    } catch (...) {
        return "non-exception value thrown";
    }
}

void triggerUncaughtException(std::exception_ptr error) {
    if (auto handler = gHandler.load(); handler != nullptr && handler(error)) return;
    // Node: print the error and exit with code 1 (kGenericUserError).
    std::fflush(stdout);
    std::fprintf(stderr, "Uncaught %s\n", describeException(error).c_str());
    std::fflush(stderr);
    std::_Exit(1);
}

}  // namespace nodecc::process
