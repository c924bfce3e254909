// nodecc-hello [PORT] — the demo server and the benchmark contract (bench/README.md):
//   GET /        -> "Hello, World!"
//   GET /big     -> 1 MiB
//   POST /upload -> the decimal byte count of the body
// Prints "LISTENING 127.0.0.1:<port>" once it accepts; exits cleanly on SIGINT/SIGTERM.
//
// Placeholder until the http layer lands: it runs the event loop and says so.
#include <cstdio>
#include <cstdlib>

#include "nodecc/process/loop.hpp"

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
    std::printf("nodecc-hello: the http layer is not built yet; nothing listens on port %d\n",
                port);
    return nodecc::run();
}
