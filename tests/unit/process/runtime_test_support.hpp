// Helpers shared by the process and timers unit tests.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "nodecc/process/loop.hpp"
#include "nodecc/process/uncaught.hpp"

namespace nodecc::test {

// "a > b > c": the order log format of NODE-BEHAVIOUR §5.2.
inline std::string joined(const std::vector<std::string>& log) {
    std::string out;
    for (const auto& s : log) out += (out.empty() ? "" : " > ") + s;
    return out;
}

// Busy-waits until `ms` of loop time have passed, so that timers armed before
// are certainly due at the next timers phase (no sleeps, no guessing).
inline void spinLoopTime(Loop& loop, std::uint64_t ms) {
    loop.updateTime();
    const auto start = loop.now();
    do {
        loop.updateTime();
    } while (loop.now() - start < ms);
}

// Installs an 'uncaughtException' handler that records describeException()
// of every error while alive, and removes it on destruction.
class UncaughtRecorder {
  public:
    UncaughtRecorder() {
        current() = this;
        process::detail::setUncaughtExceptionHandler([](std::exception_ptr e) {
            current()->errors.push_back(process::describeException(e));
            return true;
        });
    }
    ~UncaughtRecorder() {
        process::detail::setUncaughtExceptionHandler(nullptr);
        current() = nullptr;
    }
    UncaughtRecorder(const UncaughtRecorder&) = delete;
    UncaughtRecorder& operator=(const UncaughtRecorder&) = delete;

    std::vector<std::string> errors;

  private:
    static UncaughtRecorder*& current() {
        static UncaughtRecorder* instance = nullptr;
        return instance;
    }
};

}  // namespace nodecc::test
