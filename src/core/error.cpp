#include "nodecc/core/error.hpp"

#include <uv.h>

namespace nodecc {

Error::Error(std::string code, std::string message)
    : code_(std::move(code)), message_(std::move(message)) {}

Error Error::fromUv(int uvErr, std::string_view syscall, std::string_view address, int port) {
    // Node: lib/internal/errors.js uvException / exceptionWithHostPort.
    std::string code(uvErrorName(uvErr));
    std::string msg;
    msg.append(syscall).append(" ").append(code).append(": ").append(uv_strerror(uvErr));
    if (!address.empty()) {
        msg.append(" ").append(address);
        if (port > 0) msg.append(":").append(std::to_string(port));
    }
    Error e(std::move(code), std::move(msg));
    e.setSyscall(std::string(syscall)).setErrnum(uvErr);
    if (!address.empty()) e.setAddress(std::string(address), port);
    return e;
}

std::string uvErrorName(int uvErr) {
    // uv_err_name() leaks a string for unknown codes; the _r form does not.
    char buf[64];
    uv_err_name_r(uvErr, buf, sizeof buf);
    if (buf[0] != 'E') return "UNKNOWN";
    return buf;
}

}  // namespace nodecc
