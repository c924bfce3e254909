// Socket inactivity timeouts (Node: socket.setTimeout), kept without a timer per socket.
//
// Node ≤ v10 enrolled the socket itself in the timer list of its duration
// (timers.enroll / _unrefActive: the socket's _idlePrev, _idleNext, _idleStart).
// The same here: every socket with a timeout of N ms is an item of the loop's
// list for N ms, linked through the socket (two pointers and a start time, no
// allocation). A list is sorted by start, because all its items have the same
// duration: activity (Socket's reads and writes) moves a socket to the tail, and
// one unref'd Timeout per list is armed for its head's expiry. Typical servers
// have one or two durations (server.timeout, keepAliveTimeout + 1 s), so an idle
// keep-alive connection costs its links only. setTimeout(0) disarms in place (the socket
// stays in its list, timeout() 0): the list passes over it when it fires, and arming it
// again moves it, so the http server's off and on per request costs no unlinking.
//
// Behaviour is that of a per-socket unref'd timer refreshed by I/O: a fired socket
// stays enrolled (Socket::timeout() unchanged) and the next activity arms it again;
// due sockets are handled in order, with ticks and microtasks drained between them
// (Node: listOnTimeout → runNextTicks).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nodecc/timers/timers.hpp"

namespace nodecc {
class Loop;
}

namespace nodecc::net {
class Socket;
}

namespace nodecc::net::detail {

class SocketTimeouts {
  public:
    // Node: TIMEOUT_MAX — longer socket timeouts are truncated to it.
    static constexpr std::uint32_t kTimeoutMax = 2147483647;

    explicit SocketTimeouts(Loop& loop) noexcept : loop_(loop) {}
    ~SocketTimeouts();
    SocketTimeouts(const SocketTimeouts&) = delete;
    SocketTimeouts& operator=(const SocketTimeouts&) = delete;

    // Arms the socket's timeout (Socket::timeoutMs_) from now: the tail of its list.
    void enroll(Socket& s);
    // Takes it out of its list (the socket keeps its timeoutMs_).
    void unenroll(Socket& s) noexcept;
    // Loop teardown: every list is dropped and nothing is armed any more.
    void close() noexcept;

  private:
    struct List {
        std::uint32_t msecs = 0;
        bool running = false;  // its expiry is being processed
        Socket* head = nullptr;
        Socket* tail = nullptr;
        timers::TimeoutPtr timer;  // armed for the head's expiry (or earlier)
    };

    List* find(std::uint32_t msecs) const noexcept;
    static void unlink(List& list, Socket& s) noexcept;
    void onTimeout(List& list);
    void erase(List& list) noexcept;
    std::uint32_t now() noexcept;

    Loop& loop_;
    std::vector<std::unique_ptr<List>> lists_;  // one per duration in use
    bool closed_ = false;
};

}  // namespace nodecc::net::detail
