// nodecc-hello [PORT] — the demo server and the benchmark contract (bench/README.md):
//   GET /        -> "Hello, World!"
//   GET /big     -> 1 MiB
//   POST /upload -> the decimal byte count of the body
// Prints "LISTENING 127.0.0.1:<port>" once it accepts; on SIGINT/SIGTERM it stops accepting,
// finishes the requests in flight and exits (a second signal exits at once).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "nodecc/core/buffer.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/signals.hpp"
#include "nodecc/timers/timers.hpp"

using nodecc::http::IncomingMessage;
using nodecc::http::ServerResponse;

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
    // Served as Node's peer serves it (res.end(preallocatedBuffer)): a share of the Buffer
    // waits in the socket's queue for what the kernel does not take at once, no copy.
    static const nodecc::Buffer big = nodecc::Buffer::sealed(std::string(1 << 20, 'x'));

    auto server = nodecc::http::createServer([](IncomingMessage& req, ServerResponse& res) {
        if (req.method() == "POST" && req.url() == "/upload") {
            auto bytes = std::make_shared<std::size_t>(0);
            req.on(nodecc::http::kData,
                   [bytes](std::string_view chunk) { *bytes += chunk.size(); });
            nodecc::Ref<ServerResponse> keep(&res);
            req.on(nodecc::http::kEnd, [keep, bytes] {
                keep->setHeader("Content-Type", "text/plain");
                keep->end(std::to_string(*bytes));
            });
            return;
        }
        res.setHeader("Content-Type", "text/plain");
        if (req.url() == "/big") {
            res.end(big);
        } else {
            res.end("Hello, World!");
        }
    });
    server->listen(port, "127.0.0.1", [server] {
        std::printf("LISTENING 127.0.0.1:%d\n", server->address()->port);
        std::printf("nodecc-hello: http://127.0.0.1:%d/\n", server->address()->port);
        std::fflush(stdout);
    });
    // Graceful shutdown (DESIGN.md §8), as a Node server does it on SIGTERM: stop accepting
    // (close() also drops idle keep-alive connections), let in-flight requests finish and
    // drop each connection as soon as it is idle, force the rest after a grace period. A
    // second signal closes everything at once.
    auto stopping = std::make_shared<bool>(false);
    auto stop = [server, stopping] {
        if (*stopping) {
            server->closeAllConnections();
            nodecc::process::removeSignalHandlers();
            return;
        }
        *stopping = true;
        // The signal handlers keep the loop alive until the last connection is gone.
        server->close([](const nodecc::Error*) { nodecc::process::removeSignalHandlers(); });
        nodecc::setInterval([server] { server->closeIdleConnections(); }, 100)->unref();
        nodecc::setTimeout([server] { server->closeAllConnections(); }, 10000)->unref();
    };
    nodecc::process::onSignal(SIGINT, stop);
    nodecc::process::onSignal(SIGTERM, stop);
    return nodecc::run();
}
