// bench/net: a TCP echo server on nodecc::net, the same program as echo_server.js.
// Prints the port, then serves until killed.
#include <cstdio>
#include <cstdlib>

#include "nodecc/net.hpp"
#include "nodecc/process/loop.hpp"

int main(int argc, char** argv) {
    using namespace nodecc;
    const int port = argc > 1 ? std::atoi(argv[1]) : 0;
    auto server = net::createServer([](net::Socket& s) {
        s.on(net::Socket::kData, [&s](std::string_view chunk) { s.write(chunk); });
        s.on(net::Socket::kError, [](const Error&) {});
    });
    server->listen(port, "127.0.0.1", [&] {
        std::printf("%d\n", server->address()->port);
        std::fflush(stdout);
    });
    return nodecc::run();
}
