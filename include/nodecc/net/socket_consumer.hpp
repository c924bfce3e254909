// net::SocketConsumer — a protocol that reads a socket directly (Node's
// `parser.consume(socket._handle)`).
//
// The http layer parses bytes where they land: while a consumer is attached,
// every read goes to onSocketData() straight from the shared per-loop read
// buffer, without an EventEmitter dispatch per read, and without 'data'
// events. Errors go to onSocketError() instead of being thrown as an
// unhandled 'error'. The other events ('end', 'drain', 'timeout', 'close',
// and 'error' when someone listens) are still emitted to listeners after the
// consumer has seen them.
//
//   struct Echo final : net::SocketConsumer {
//       void onSocketData(net::Socket& s, std::string_view bytes) override { s.write(bytes); }
//       void onSocketEnd(net::Socket& s) override { s.end(); }
//       void onSocketError(net::Socket&, const Error&) override {}
//       void onSocketDrain(net::Socket&) override {}
//       void onSocketTimeout(net::Socket& s) override { s.destroy(); }
//       void onSocketClose(net::Socket&, bool) override { delete this; }
//   };
//   server->on(net::Server::kConnection, [](net::Socket& s) { s.consume(new Echo); });
//
// Contract:
// - The `bytes` of onSocketData live in a buffer shared by every socket of the
//   loop and are valid only during the call: copy what must be kept.
// - Callbacks run on the loop thread inside the socket's callback scope
//   (ticks and microtasks drain afterwards); an exception escaping one is an
//   uncaught exception, as from any listener.
// - onSocketClose() is the last call: the socket forgets the consumer after
//   it, so the consumer may delete itself there. A consumer that goes away
//   earlier calls unconsume() first.
// - pause()/resume() on the socket stop/start reading from the kernel while
//   consumed (Node: the parser's readStop/readStart through 'pause'/'resume').
//
// Threading: loop thread only. Cost: one virtual call per event.
#pragma once

#include <string_view>

#include "nodecc/core/error.hpp"

namespace nodecc::net {

class Socket;

class SocketConsumer {
  public:
    // Bytes read from the kernel (Node: kOnExecute / parser.execute on the consumed stream).
    virtual void onSocketData(Socket& socket, std::string_view bytes) = 0;
    // The peer sent FIN (Node: 'end'). allowHalfOpen decides whether our side ends too.
    virtual void onSocketEnd(Socket& socket) = 0;
    // An error that destroys the socket (ECONNRESET, EPIPE, …); onSocketClose(…, true) follows.
    virtual void onSocketError(Socket& socket, const Error& error) = 0;
    // The write buffer emptied after write() returned false (Node: 'drain').
    virtual void onSocketDrain(Socket& socket) = 0;
    // The setTimeout() inactivity timer fired (Node: 'timeout'); nothing is closed for you.
    virtual void onSocketTimeout(Socket& socket) = 0;
    // The handle is closed (Node: 'close'(hadError)); the last call.
    virtual void onSocketClose(Socket& socket, bool hadError) = 0;
    // Whether 'data' listeners of the socket hear the bytes too, after the consumer (Node:
    // the HTTP server unconsumes a socket that gets a 'data' listener and keeps parsing
    // from its own listener). By default a consumed socket emits no 'data'.
    virtual bool sharesDataWithListeners() const noexcept { return false; }
    // Whether the consumer restarts the socket's inactivity timeout itself once it has
    // handled the bytes (Socket::refreshTimeout(); Node: the HTTP server's onParserExecute
    // calls socket._unrefTimer() after its parser ran). Otherwise the read restarts it
    // before onSocketData, as it does when 'data' listeners share the bytes (Node:
    // onStreamRead).
    virtual bool refreshesTimeout() const noexcept { return false; }

  protected:
    ~SocketConsumer() = default;
};

}  // namespace nodecc::net
