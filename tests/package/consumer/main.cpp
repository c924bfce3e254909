// The README's server, built against an installed nodecc: it answers one
// request from itself and exits 0 when the body is right.
#include <cstdio>
#include <string>

#include <nodecc/http.hpp>
#include <nodecc/net.hpp>

int main() {
    auto server = nodecc::http::createServer([](auto& /*req*/, auto& res) {
        res.setHeader("Content-Type", "text/plain");
        res.end("Hello, World!");
    });
    int status = 1;
    server->listen(0, "127.0.0.1", [&] {
        auto client = nodecc::net::connect(server->address()->port, "127.0.0.1");
        auto reply = std::make_shared<std::string>();
        client->on(nodecc::net::Socket::kData, [reply](std::string_view d) { reply->append(d); });
        client->on(nodecc::net::Socket::kEnd, [&, reply] {
            status = reply->find("\r\n\r\nHello, World!") != std::string::npos ? 0 : 1;
            server->close();
        });
        client->end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    });
    nodecc::run();
    std::printf("consumer: %s\n", status == 0 ? "ok" : "wrong reply");
    return status;
}
