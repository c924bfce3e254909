// nodecc::Error — an error value with Node's stable code.
//
// Every asynchronous failure reaches users as an Error carried by an event
// ('error', 'clientError', ...), and API misuse is thrown as one, exactly where
// Node throws (DESIGN.md §6). `code()` is Node's name: "EADDRINUSE",
// "ECONNRESET", "HPE_INVALID_METHOD", "ERR_HTTP_HEADERS_SENT"...
//
//   server->on("error", [](const nodecc::Error& err) {
//       if (err.code() == "EADDRINUSE") std::puts(err.what());
//   });
//   // "listen EADDRINUSE: address already in use 127.0.0.1:8080"
//
// Threading: a value type. Cost: allocates (strings); never on a hot path.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace nodecc {

class Error : public std::exception {
  public:
    Error() = default;
    Error(std::string code, std::string message);

    // A libuv/system error as Node's `uvException`/`exceptionWithHostPort` builds it:
    // message "<syscall> <CODE>: <description>[ <address>[:<port>]]", errno = uv errno (< 0).
    static Error fromUv(int uvErr, std::string_view syscall, std::string_view address = {},
                        int port = -1);

    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    const char* what() const noexcept override { return message_.c_str(); }

    int errnum() const noexcept { return errno_; }  // Node's err.errno (libuv, negative)
    const std::string& syscall() const noexcept { return syscall_; }
    const std::string& address() const noexcept { return address_; }
    int port() const noexcept { return port_; }  // -1 when absent

    // Parse errors (Node: err.reason, err.bytesParsed, err.rawPacket on 'clientError').
    const std::string& reason() const noexcept { return reason_; }
    std::int64_t bytesParsed() const noexcept { return bytesParsed_; }  // -1 when absent
    const std::string& rawPacket() const noexcept { return rawPacket_; }
    Error& setParseDetails(std::string reason, std::int64_t bytesParsed, std::string rawPacket) {
        reason_ = std::move(reason);
        bytesParsed_ = bytesParsed;
        rawPacket_ = std::move(rawPacket);
        return *this;
    }

    Error& setSyscall(std::string s) {
        syscall_ = std::move(s);
        return *this;
    }
    Error& setAddress(std::string a, int port = -1) {
        address_ = std::move(a);
        port_ = port;
        return *this;
    }
    Error& setErrnum(int e) {
        errno_ = e;
        return *this;
    }

  private:
    std::string code_;
    std::string message_;
    std::string syscall_;
    std::string address_;
    std::string reason_;
    std::string rawPacket_;
    std::int64_t bytesParsed_ = -1;
    int port_ = -1;
    int errno_ = 0;
};

// Node's error name for a libuv error ("ECONNRESET"); "UNKNOWN" if unknown.
std::string uvErrorName(int uvErr);

}  // namespace nodecc
