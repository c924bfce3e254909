// Shared by the http::Server unit tests (tests/unit/http/server_*_test.cpp): a real
// server on 127.0.0.1:0 in the test's own loop, raw client sockets on a thread.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"

namespace nodecc::test {

using http::IncomingMessage;
using http::ServerResponse;
using Handler = std::function<void(IncomingMessage&, ServerResponse&)>;

inline constexpr const char* kGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// One request on a fresh connection; returns the first response (Date normalised).
inline std::string roundTrip(Loop& loop, http::Server& server, const std::string& request,
                             bool noBody = false) {
    std::string got;
    EXPECT_TRUE(runClient(loop, server, [&](int port) {
        RawClient c(port);
        c.send(request);
        got = c.readResponse(noBody);
    }));
    return normalizeDate(got);
}

// One request (then a FIN if `fin`); returns every byte until the server closes (Date
// normalised).
inline std::string untilClose(Loop& loop, http::Server& server, const std::string& request,
                              int timeoutMs = 3000, bool fin = false) {
    std::string got;
    bool closed = false;
    EXPECT_TRUE(runClient(loop, server, [&](int port) {
        RawClient c(port);
        c.send(request);
        if (fin) c.shutdownWrite();
        got = c.readAll(timeoutMs);
        closed = c.peerClosed();
    }));
    EXPECT_TRUE(closed) << "the server did not close the connection";
    return normalizeDate(got);
}

inline http::ServerOptions fastChecks(std::uint64_t headersTimeout, std::uint64_t requestTimeout,
                                      std::uint64_t interval = 50) {
    http::ServerOptions o;
    o.headersTimeout = headersTimeout;
    o.requestTimeout = requestTimeout;
    o.connectionsCheckingInterval = interval;
    return o;
}

// Counts live requests and responses: custom types through the server options (which
// the server makes fresh, not from its pool), for leak checks.
struct Census {
    static inline int requests = 0;
    static inline int responses = 0;
};
class CountedRequest : public IncomingMessage {
  public:
    explicit CountedRequest(net::Socket* s) : IncomingMessage(s) { ++Census::requests; }
    ~CountedRequest() override { --Census::requests; }
};
class CountedResponse : public ServerResponse {
  public:
    explicit CountedResponse(IncomingMessage& req) : ServerResponse(req) { ++Census::responses; }
    ~CountedResponse() override { --Census::responses; }
};

inline http::ServerOptions counted(http::ServerOptions options = {}) {
    options.incomingMessage = [](net::Socket* s) -> Ref<IncomingMessage> {
        return makeRef<CountedRequest>(s);
    };
    options.serverResponse = [](IncomingMessage& req) -> Ref<ServerResponse> {
        return makeRef<CountedResponse>(req);
    };
    return options;
}

}  // namespace nodecc::test
