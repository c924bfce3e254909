// Per-loop net state, Node's error constructors, SIGPIPE.
#include <csignal>
#include <mutex>

#include "net_internal.hpp"

namespace nodecc::net::detail {

NetLoopState::~NetLoopState() {
    for (WriteQueue* q : pool_) delete q;
}

void NetLoopState::close() {
    for (ListenHandle* lh : std::vector<ListenHandle*>(listenHandles)) ServerAccess::abandon(*lh);
    std::vector<Socket*> sockets;
    uv_walk(
        loop_.uv(),
        [](uv_handle_t* h, void* arg) {
            Socket* s = SocketAccess::socketOfHandle(h);
            if (s != nullptr && uv_is_closing(h) == 0)
                static_cast<std::vector<Socket*>*>(arg)->push_back(s);
        },
        &sockets);
    for (Socket* s : sockets) SocketAccess::abandon(*s);
    timeouts.close();
}

Error errnoException(int uvErr, std::string_view syscall) {
    std::string code = uvErrorName(uvErr);
    std::string msg(syscall);
    msg.append(" ").append(code);
    Error e(std::move(code), std::move(msg));
    e.setSyscall(std::string(syscall)).setErrnum(uvErr);
    return e;
}

Error exceptionWithHostPort(int uvErr, std::string_view syscall, std::string_view address,
                            int port) {
    if (address.empty()) return errnoException(uvErr, syscall);
    std::string msg(syscall);
    msg.append(" ").append(uvErrorName(uvErr)).append(" ").append(address);
    if (port > 0) msg.append(":").append(std::to_string(port));
    Error e(uvErrorName(uvErr), std::move(msg));
    e.setSyscall(std::string(syscall)).setErrnum(uvErr).setAddress(std::string(address), port);
    return e;
}

Error streamDestroyedError(std::string_view method) {
    return Error("ERR_STREAM_DESTROYED",
                 "Cannot call " + std::string(method) + " after a stream was destroyed");
}

void throwBadPort(long long port, std::string_view name) {
    throw Error("ERR_SOCKET_BAD_PORT", std::string(name) +
                                           " should be >= 0 and < 65536. Received type number (" +
                                           std::to_string(port) + ").");
}

void ignoreSigpipe() noexcept {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction old {};
        if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
            (old.sa_flags & SA_SIGINFO) == 0) {
            std::signal(SIGPIPE, SIG_IGN);
        }
    });
}

}  // namespace nodecc::net::detail
