// Helpers for the net tests: a bounded loop run, raw (non-nodecc) peer sockets,
// descriptor-limit control. Loopback only.
#pragma once

#include <cstddef>
#include <string>

namespace nodecc {
class Loop;
}

namespace nodecc::test {

// Runs `loop` until nothing is left; false if `timeoutMs` passed first (the loop is stopped).
// The bound is multiplied by slowdownFactor() (only ever lengthened: it is a hang guard).
bool runLoop(Loop& loop, int timeoutMs = 10000);

// NODECC_TEST_SLOWDOWN from the environment (e.g. 20 under valgrind), at least 1; 1 if unset
// or not a number. Scales runLoop's bound; the assertions themselves are unchanged.
double slowdownFactor();

// A blocking TCP/unix connect (completes through the listen backlog without accept()).
// Returns the descriptor, or -errno.
int rawConnect(const std::string& ip, int port);
int rawConnectPath(const std::string& path);
void setNonBlocking(int fd);
// SO_LINGER {1, 0}: close() sends an RST.
void setLingerReset(int fd);
// Writes until the kernel refuses (EAGAIN) on a non-blocking fd; returns the bytes written.
std::size_t writeUntilBlocked(int fd, std::size_t max = 64u << 20);
// Reads until EOF/error (blocking); returns the bytes.
std::string readAll(int fd);
// Reads exactly n bytes (blocking) or until EOF.
std::string readExactly(int fd, std::size_t n);
void writeAll(int fd, const std::string& data);

bool ipv6LoopbackAvailable();
// A fresh path for a unix domain socket in the temp dir.
std::string tempSocketPath(const std::string& name);
std::size_t openDescriptorCount();

// Sets RLIMIT_NOFILE's soft limit; the destructor restores the old one.
class FdLimit {
  public:
    explicit FdLimit(unsigned long softLimit);
    ~FdLimit();
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;

  private:
    unsigned long saved_;
};

}  // namespace nodecc::test
