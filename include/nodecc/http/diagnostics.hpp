// http::diagnostics — observe requests without touching the application
// (seed 4-1-4-4; Node: the diagnostics_channel channels
// 'http.server.request.start' and 'http.server.response.finish', which took
// the place of the DTRACE_HTTP_SERVER_REQUEST probe at the same call sites).
//
//   auto id = nodecc::http::diagnostics::onRequestStart(
//       [](const nodecc::http::diagnostics::RequestStart& m) {
//           std::printf("%.*s %.*s\n", int(m.request.method().size()), m.request.method().data(),
//                       int(m.request.url().size()), m.request.url().data());
//       });
//   ...
//   nodecc::http::diagnostics::unsubscribe(id);
//
// A subscriber runs synchronously at the call site: request start in
// parserOnIncoming (before 'request' is emitted), response finish in
// resOnFinish (before the response's own 'finish' listeners).
//
// Threading: subscribers belong to the calling thread (its loop). Cost: when
// nobody subscribes, one thread-local load per request; nothing allocates.
#pragma once

#include <cstdint>
#include <functional>

namespace nodecc::net {
class Socket;
}

namespace nodecc::http {
class IncomingMessage;
class ServerResponse;
class Server;
}  // namespace nodecc::http

namespace nodecc::http::diagnostics {

// Node: the message of 'http.server.request.start' / 'http.server.response.finish'.
struct RequestStart {
    IncomingMessage& request;
    ServerResponse& response;
    net::Socket& socket;
    Server& server;
};
struct ResponseFinish {
    IncomingMessage& request;
    ServerResponse& response;
    net::Socket& socket;
    Server& server;
};

using SubscriptionId = std::uint64_t;

// Node: diagnostics_channel.subscribe(name, fn) / unsubscribe(name, fn).
SubscriptionId onRequestStart(std::function<void(const RequestStart&)> subscriber);
SubscriptionId onResponseFinish(std::function<void(const ResponseFinish&)> subscriber);
bool unsubscribe(SubscriptionId id);

namespace detail {
// Node: channel.hasSubscribers — checked at the call sites before building a message.
extern constinit thread_local bool hasSubscribers;  // constinit: read without a TLS wrapper call
void publish(const RequestStart& message);
void publish(const ResponseFinish& message);
}  // namespace detail

}  // namespace nodecc::http::diagnostics
