// Runs an http::Server against one raw client on a thread of its own, for the allocation
// tests: the client measures with the process-wide counter while the loop serves it.
#pragma once

#include <functional>
#include <thread>

#include "net_test_support.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {

// Listens on 127.0.0.1:0, runs `client(port)` on a second thread and the loop until the
// client's connection closed (the server closes then). False if the loop did not finish.
inline bool serveOneClient(Loop& loop, http::Server& server,
                           const std::function<void(int port)>& client) {
    std::thread thread;
    server.listen(0, "127.0.0.1", [&] {
        thread = std::thread(client, server.address()->port);
        server.on(net::Server::kConnection, [&](net::Socket& s) {
            s.on(net::Socket::kClose, [&](bool) { server.close(); });
        });
    });
    const bool finished = runLoop(loop, 60000);
    if (thread.joinable()) thread.join();
    return finished;
}

}  // namespace nodecc::test
