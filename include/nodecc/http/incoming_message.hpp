// http::IncomingMessage — the server's `req` (Node: _http_incoming.js).
//
// Made by the connection when the parser reports headers complete (seed 4-1:
// kOnHeadersComplete → new IncomingMessage → _addHeaderLines), then handed to
// 'request' listeners. The head (url, header names and values) is copied once
// into the message's own storage; the body is a readable stream.
//
//   server->on(http::kRequest, [](http::IncomingMessage& req, http::ServerResponse& res) {
//       std::string body;
//       req.on(http::kData, [&body](std::string_view chunk) { body += chunk; });
//       req.on(http::kEnd, [&req, &res, &body] { res.end(body); });
//       auto host = req.headers().get("host");     // first-wins, as Node
//   });
//
// Body events: 'data' (std::string_view, valid during the call), 'end',
// 'aborted', 'error' (only if someone listens, as Node), 'close'. A 'data'
// listener (or resume()) makes the body flow; pause() stops it and, once the
// buffered body reaches the high-water mark, stops reading from the socket.
// A body nobody reads is discarded after the response finishes (Node: _dump).
// 'close' is the last event: the listeners are released after it, so listeners
// holding Refs (to this request or its response) form no lasting cycle.
//
// Threading: loop thread. Cost: the head copy reuses the message's capacity
// when the message is recycled; a flowing body is delivered without copying.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/core/byte_string.hpp"
#include "nodecc/core/ref.hpp"
#include "nodecc/events/event_emitter.hpp"
#include "nodecc/http/header_field.hpp"
#include "nodecc/http/incoming_headers.hpp"

namespace nodecc::net {
class Socket;
}

namespace nodecc::http {

namespace detail {
class Connection;
template <class T>
class MessagePool;
}  // namespace detail

// Readable-stream events of a request body (and of other readables later).
inline constexpr events::Event<std::string_view> kData{"data"};
inline constexpr events::Event<> kEnd{"end"};
inline constexpr events::Event<> kAborted{"aborted"};
inline constexpr events::Event<> kClose{"close"};

class IncomingMessage : public events::EventEmitter {
  public:
    // Node: new IncomingMessage(socket).
    explicit IncomingMessage(net::Socket* socket);
    ~IncomingMessage() override;

    // ---- the head (Node: req.method, req.url, req.httpVersion…) ----
    std::string_view method() const noexcept { return method_; }
    std::string_view url() const noexcept;
    std::string_view httpVersion() const noexcept { return httpVersion_; }
    int httpVersionMajor() const noexcept { return major_; }
    int httpVersionMinor() const noexcept { return minor_; }
    // Node: req.headers (built lazily with Node's duplicate rules), headersDistinct.
    const IncomingHeaders& headers() const;
    const IncomingHeaders& trailers() const;
    // Node: req.rawHeaders / rawTrailers, as (name, value) pairs in arrival order (the
    // head's views are made when first asked for).
    std::span<const HeaderField> rawHeaders() const {
        if (headPending_) addHeaderLines();
        return rawHeaders_;
    }
    std::span<const HeaderField> rawTrailers() const noexcept { return rawTrailers_; }

    bool complete() const noexcept { return complete_; }  // Node: req.complete
    bool aborted() const noexcept { return aborted_; }    // Node: req.aborted
    bool upgrade() const noexcept { return upgrade_; }    // Node: req.upgrade
    bool readableEnded() const noexcept { return endEmitted_; }
    bool destroyed() const noexcept { return destroyed_; }
    // Node: req.socket (null once the connection is gone).
    net::Socket* socket() const noexcept { return socket_.get(); }

    // ---- the body (Node: stream.Readable) ----
    IncomingMessage& pause();
    IncomingMessage& resume();
    bool isPaused() const noexcept { return explicitlyPaused_; }
    // Node: req.setTimeout(ms[, cb]) → the socket's timeout.
    IncomingMessage& setTimeout(std::uint64_t ms);
    // Node: req.destroy([err]).
    void destroy();
    void destroy(const Error& error);

  protected:
    const char* emitterName() const noexcept override { return "IncomingMessage"; }
    void onListenerAdded(events::EventId id) override;
    void lastReferenceReleased() noexcept override;

  private:
    friend class detail::Connection;
    friend class detail::MessagePool<IncomingMessage>;
    // detail::MessagePool: back to a new request's state, buffers cleared but kept.
    void releaseForPool() noexcept;
    void reuse(net::Socket* socket) noexcept;
    struct Field {
        std::uint32_t nameOffset, nameLength, valueOffset, valueLength;
    };
    void headersComplete(std::uint32_t maxHeadersCount);
    void addHeaderLines() const;
    void trailersComplete(std::uint32_t maxHeadersCount);

    // ---- driven by the connection (Node: parserOnBody / parserOnMessageComplete) ----
    bool push(std::string_view chunk);  // false: stop reading the socket
    void pushEnd();
    // Node: req._dump(). With `deferFlow`, the flow tick of a complete request is not queued:
    // true then, and the caller runs flow() from a tick it queues at once (resOnFinish).
    bool dump(bool deferFlow = false);
    void flow();
    void scheduleFlow();
    void emitEndIfDone();
    void destroyImpl(const Error* error);
    void emitCloseOnce();

    Ref<net::Socket> socket_;
    Ref<detail::Connection> connection_;       // while the connection is alive
    IncomingMessage* nextIncoming_ = nullptr;  // state.incoming link
    // The head as received: url, then names and values back to back. Trailers have
    // their own bytes so that views into the head stay valid.
    nodecc::detail::ByteString head_;
    nodecc::detail::ByteString trailerBytes_;
    std::vector<Field> headerFields_;
    std::vector<Field> trailerFields_;
    mutable std::vector<HeaderField> rawHeaders_;
    std::vector<HeaderField> rawTrailers_;
    std::uint32_t urlLength_ = 0;
    // Head fields the server acts on, noted as they are stored (kHostField, kExpectField).
    std::uint8_t knownFields_ = 0;
    // The header field the parser delivers in pieces (the connection's parser callbacks):
    // state of the message being received, so that an idle connection does not carry it.
    struct FieldInProgress {
        std::uint32_t sectionFields = 0;  // fields seen in this head / trailer section
        std::uint32_t nameOffset = 0;
        std::uint32_t nameLength = 0;
        std::uint32_t valueOffset = 0;
        bool inName = false;
        bool inValue = false;
    };
    FieldInProgress field_;
    mutable IncomingHeaders headers_;
    std::uint32_t maxHeadersCount_ = 0;
    mutable bool headPending_ = false;  // headersComplete() ran, addHeaderLines() did not
    IncomingHeaders trailers_;
    bool joinDuplicateHeaders_ = false;

    std::string_view method_;
    char httpVersion_[4] = {'1', '.', '1', '\0'};
    std::uint8_t major_ = 1;
    std::uint8_t minor_ = 1;

    std::string buffered_;  // body bytes pushed while not flowing
    std::uint32_t highWaterMark_ = 16384;
    bool flowing_ = false;
    bool consuming_ = false;  // Node: _consuming (the body was asked for)
    bool explicitlyPaused_ = false;
    bool flowScheduled_ = false;
    bool ended_ = false;  // push(EOF) seen
    bool endEmitted_ = false;
    bool complete_ = false;
    bool aborted_ = false;
    bool upgrade_ = false;
    bool dumped_ = false;
    bool destroyed_ = false;
    bool closeEmitted_ = false;
    bool pooled_ = false;  // made by the server: recycled, not deleted
};

}  // namespace nodecc::http
