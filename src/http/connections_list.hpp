// Node's ConnectionsList (src/node_http_parser.cc): which connections exist and
// which have a request in progress, so that one periodic check per server
// enforces headersTimeout and requestTimeout (no timer per request).
//
// `all` holds every connection from accept until its parser is freed;
// `active` holds those with a message started and not completed, in order of
// start time (appended at message begin, so the oldest is first); a connection
// whose message completed may stay in it, passed over, until it is idle.
#pragma once

#include <cstdint>
#include <vector>

namespace nodecc::http::detail {

class Connection;

class ConnectionsList {
  public:
    ConnectionsList() = default;
    ConnectionsList(const ConnectionsList&) = delete;
    ConnectionsList& operator=(const ConnectionsList&) = delete;

    // Node: Initialize — accept time counts as a message start (anti-slowloris).
    void add(Connection& c, std::uint64_t now);
    void remove(Connection& c);
    void messageBegin(Connection& c, std::uint64_t now);
    void headersComplete(Connection& c);
    void messageComplete(Connection& c);
    // A connection between messages that gives its state back leaves `active`.
    void leaveActive(Connection& c) noexcept;

    // Node: ConnectionsList::Expired — removes the expired ones from `active`.
    std::vector<Connection*> expired(std::uint64_t headersTimeout, std::uint64_t requestTimeout,
                                     std::uint64_t now);
    // Node: all() / idle() (idle: a message completed and no new one started).
    std::vector<Connection*> all() const;
    std::vector<Connection*> idle() const;
    std::size_t size() const noexcept { return size_; }

  private:
    void unlinkActive(Connection& c) noexcept;
    void appendActive(Connection& c);

    Connection* allHead_ = nullptr;
    Connection* activeHead_ = nullptr;
    Connection* activeTail_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace nodecc::http::detail
