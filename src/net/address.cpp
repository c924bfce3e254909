#include "nodecc/net/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "net_internal.hpp"

namespace nodecc::net {

int isIP(std::string_view input) noexcept {
    if (isIPv4(input)) return 4;
    if (isIPv6(input)) return 6;
    return 0;
}

bool isIPv4(std::string_view input) noexcept {
    sockaddr_storage ss;
    return detail::parseIp(input, 0, 4, ss);
}

bool isIPv6(std::string_view input) noexcept {
    sockaddr_storage ss;
    return detail::parseIp(input, 0, 6, ss);
}

namespace detail {

bool parseIp(std::string_view host, int port, int family, sockaddr_storage& out) noexcept {
    char buf[INET6_ADDRSTRLEN + 16];
    if (host.empty() || host.size() >= sizeof buf) return false;
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = '\0';
    std::memset(&out, 0, sizeof out);
    if (family != 6) {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&out);
        if (inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
            in4->sin_family = AF_INET;
            in4->sin_port = htons(static_cast<std::uint16_t>(port));
            return true;
        }
    }
    if (family != 4) {
        // uv_ip6_addr understands a scope suffix ("fe80::1%eth0").
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
        if (std::memchr(buf, ':', host.size()) != nullptr && uv_ip6_addr(buf, port, in6) == 0) {
            return true;
        }
    }
    return false;
}

std::string familyName(int af) {
    return af == AF_INET6 ? "IPv6" : af == AF_INET ? "IPv4" : "";
}

SocketAddress toSocketAddress(const sockaddr* sa) {
    SocketAddress out;
    char name[INET6_ADDRSTRLEN] = {0};
    if (sa->sa_family == AF_INET) {
        const auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
        uv_ip4_name(in4, name, sizeof name);
        out.port = ntohs(in4->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        uv_ip6_name(in6, name, sizeof name);
        out.port = ntohs(in6->sin6_port);
    } else {
        return out;
    }
    out.address = name;
    out.family = familyName(sa->sa_family);
    return out;
}

namespace {
struct LookupReq {
    uv_getaddrinfo_t req{};
    int port = 0;
    LookupCallback cb;
    Loop* loop = nullptr;
};
}  // namespace

void lookup(Loop& loop, std::string_view host, int port, int family, LookupCallback cb) {
    auto* r = new LookupReq;
    r->port = port;
    r->cb = std::move(cb);
    r->loop = &loop;
    r->req.data = r;
    addrinfo hints{};
    hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    const std::string name(host);
    const int err = uv_getaddrinfo(
        loop.uv(), &r->req,
        [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
            std::unique_ptr<LookupReq> self(static_cast<LookupReq*>(req->data));
            sockaddr_storage ss{};
            if (status == 0 && res != nullptr) {
                std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
                if (ss.ss_family == AF_INET) {
                    reinterpret_cast<sockaddr_in*>(&ss)->sin_port =
                        htons(static_cast<std::uint16_t>(self->port));
                } else if (ss.ss_family == AF_INET6) {
                    reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port =
                        htons(static_cast<std::uint16_t>(self->port));
                }
            } else if (status == 0) {
                status = UV_EAI_NONAME;
            }
            uv_freeaddrinfo(res);
            self->cb(status, ss);
        },
        name.c_str(), nullptr, &hints);
    if (err != 0) {
        // Report asynchronously, as a failed lookup would be.
        std::unique_ptr<LookupReq> self(r);
        process::nextTick([cb = std::move(self->cb), err]() mutable {
            sockaddr_storage ss{};
            cb(err, ss);
        });
    }
}

}  // namespace detail
}  // namespace nodecc::net
