// nodecc/http.hpp — everything for an HTTP server (Node: require('http')).
//
//   #include <nodecc/http.hpp>
//   int main() {
//       auto server = nodecc::http::createServer([](auto& req, auto& res) {
//           res.end("Hello, World!");
//       });
//       server->listen(8080);
//       return nodecc::run();
//   }
#pragma once

#include "nodecc/events/event_emitter.hpp"
#include "nodecc/events/process.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/http/status_codes.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/process/signals.hpp"
#include "nodecc/timers/timers.hpp"
