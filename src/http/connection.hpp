// http::detail::Connection — one HTTP connection's state (seed 3-2-4-1).
//
// Node's connectionListenerInternal builds, per socket: a parser from the
// pool bound to the socket, the `state` object ({incoming, outgoing,
// outgoingData, requestsCount, keepAliveTimeoutSet}) and the socket handlers
// (data/error/end/close/drain/timeout). Here that is one object: it consumes
// the socket (Node: parser.consume(socket._handle)), is the parser's handler
// (kOnHeadersComplete, kOnBody, kOnMessageComplete) and implements
// parserOnIncoming, resOnFinish and socketOnError.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "nodecc/core/ref.hpp"
#include "nodecc/http/header_field.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/parser.hpp"
#include "nodecc/http/response_head.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/net/socket.hpp"
#include "nodecc/process/async_id.hpp"

namespace nodecc::http {
class DateCache;
class Server;
class IncomingMessage;
}  // namespace nodecc::http

namespace nodecc::http::detail {

// Whether the request has a field of that (lowercase) name: a scan of the raw fields, so
// that req.headers is only built when someone reads it. Inline: the name's length folds.
inline bool hasRawField(const IncomingMessage& req, std::string_view lowerName) noexcept {
    for (const HeaderField& f : req.rawHeaders()) {
        if (equalsIgnoreCase(f.name, lowerName)) return true;
    }
    return false;
}

// IncomingMessage::knownFields_: the head has a field of that name (one rawHeaders() shows).
inline constexpr std::uint8_t kHostField = 1;
inline constexpr std::uint8_t kExpectField = 2;
inline std::uint32_t fieldWord(const char* p, std::uint32_t caseBits = 0) noexcept {
    std::uint32_t w = 0;
    std::memcpy(&w, p, sizeof w);
    return w | caseBits;
}
inline std::uint8_t knownFieldOf(std::string_view name) noexcept {
    // Names of letters only: c | 0x20 is a given lowercase letter exactly for its two cases.
    constexpr std::uint32_t kLower = 0x20202020u;
    const char* p = name.data();
    switch (name.size()) {
        case 4:
            return fieldWord(p, kLower) == fieldWord("host") ? kHostField : 0;
        case 6:
            return fieldWord(p, kLower) == fieldWord("expe") &&
                           fieldWord(p + 2, kLower) == fieldWord("pect")
                       ? kExpectField
                       : 0;
        default:
            return 0;
    }
}

// A FIFO of messages linked through a member pointer; holds a reference to each.
template <class T, T* T::*Next>
class MessageQueue {
  public:
    MessageQueue() = default;
    MessageQueue(const MessageQueue&) = delete;
    MessageQueue& operator=(const MessageQueue&) = delete;
    ~MessageQueue() {
        while (!empty()) shift();
    }
    bool empty() const noexcept { return head_ == nullptr; }
    T* front() const noexcept { return head_; }
    T* back() const noexcept { return tail_; }
    void push(T* m) {
        m->retain();
        m->*Next = nullptr;
        if (tail_ != nullptr) {
            tail_->*Next = m;
        } else {
            head_ = m;
        }
        tail_ = m;
    }
    // Removes the front; its reference passes to the caller, who releases it in time.
    T* shiftHeld() noexcept {
        T* m = head_;
        head_ = m->*Next;
        if (head_ == nullptr) tail_ = nullptr;
        m->*Next = nullptr;
        return m;
    }
    // Removes the front; the caller receives the reference.
    Ref<T> shift() {
        T* m = shiftHeld();
        Ref<T> out(m);
        m->release();
        return out;
    }
    template <class F>
    void forEach(F&& f) const {
        for (T* m = head_; m != nullptr; m = m->*Next) f(*m);
    }

  private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

// Its size is what every open connection costs (an idle keep-alive one holds no
// MessageState, no parser and no timer): RefCounted is the last base so that the first
// member fills the padding after its count, flags are bits, and the state of a message
// being received lives in the IncomingMessage.
class Connection final : public net::SocketConsumer, public ParserHandler, public RefCounted {
  public:
    // What a connection holds only while messages are in flight (Node: its parser,
    // parser.incoming, state.incoming / outgoing / outgoingData): taken from a per-loop pool
    // when bytes arrive, given back when the connection is idle again.
    struct MessageState {
        std::unique_ptr<Parser> parser;  // set while the state is taken
        Ref<IncomingMessage> current;    // Node: parser.incoming
        MessageQueue<IncomingMessage, &IncomingMessage::nextIncoming_> incoming;
        MessageQueue<ServerResponse, &ServerResponse::nextOutgoing_> outgoing;
        ServerResponse* owner = nullptr;  // Node: socket._httpMessage (a reference is held)
        std::int64_t outgoingData = 0;
        // ConnectionsList's `active` links: a connection in it always has its state.
        Connection* activePrev = nullptr;
        Connection* activeNext = nullptr;
        std::uint64_t lastMessageStart = 0;  // loop ms of the message in progress
        std::uint32_t acceptedFields = 0;    // of a head or trailer section (maxHeaderPairs)

        // No message in flight (the parser's own state is checked apart).
        bool idle() const noexcept {
            return !current && incoming.empty() && outgoing.empty() && owner == nullptr &&
                   outgoingData == 0;
        }
    };

    Connection(Server& server, net::Socket& socket);
    ~Connection() override;

    // ---- for OutgoingMessage / IncomingMessage ----
    // Node: socket._httpMessage
    ServerResponse* owner() const noexcept { return state_ != nullptr ? state_->owner : nullptr; }
    bool hasQueuedResponses() const noexcept {
        return state_ != nullptr && !state_->outgoing.empty();
    }
    // A response that may write to the socket ended: the responses queued behind it, in
    // order, may now hand their bytes to the socket too (until a Connection: close one).
    // Nothing queued behind it (the usual case) is asked inline.
    void responseEnded(ServerResponse& res) {
        ServerResponse* next = &res == owner() ? state_->outgoing.front() : res.nextOutgoing_;
        if (next != nullptr) flushQueuedBehind(res);
    }
    net::Socket& socket() const noexcept { return *socket_; }
    bool socketWritable() const noexcept;
    bool socketReadable() const noexcept;
    bool socketDestroyed() const noexcept;
    bool socketHadError() const noexcept;
    std::size_t socketWritableLength() const noexcept;
    bool socketCorked() const noexcept;
    // The pieces inside `keep` (if given) are queued as shares of it, not copied.
    bool write(std::span<const std::string_view> pieces, const Buffer* keep,
               WriteCallback callback);
    void writeOwned(std::string&& data, WriteCallback callback);
    void cork();
    void uncorkSocket();  // one level (Node: connectionCorkNT)
    void uncorkFully();   // Node: end() "fully uncork"
    void uncork() { uncorkSocket(); }
    void setSocketTimeout(std::uint64_t ms);
    void destroySocket(const Error* error);
    void readStart();  // Node: _http_incoming.js readStart
    void readStop();
    void updateOutgoingData(std::int64_t delta);  // Node: updateOutgoingData
    void resOnFinish(ServerResponse& res);        // Node: resOnFinish (seed 4-2)
    // The context's date is `dates`' text (the caller's lookup of its loop's cache, which
    // also gives the keep-alive lines).
    HeadContext headContext(DateCache& dates) const;
    static HeadContext defaultContext(DateCache& dates);
    bool closed() const noexcept { return closed_; }

    void onRequestTimeout();  // Node: onRequestTimeout → socketOnError(ERR_HTTP_REQUEST_TIMEOUT)

    // ---- net::SocketConsumer (Node: socketOnData, socketOnEnd, socketOnError, …) ----
    void onSocketData(net::Socket& socket, std::string_view data) override;
    bool sharesDataWithListeners() const noexcept override { return true; }
    bool refreshesTimeout() const noexcept override { return true; }
    void onSocketEnd(net::Socket& socket) override;
    void onSocketError(net::Socket& socket, const Error& error) override;
    void onSocketDrain(net::Socket& socket) override;
    void onSocketTimeout(net::Socket& socket) override;
    void onSocketClose(net::Socket& socket, bool hadError) override;

    // ---- ParserHandler (Node: kOnHeaders, kOnHeadersComplete, kOnBody, kOnMessageComplete) ----
    ParserAction onMessageBegin() override;
    ParserAction onUrl(std::string_view piece, bool complete) override;
    ParserAction onHeaderField(std::string_view piece, bool complete) override;
    ParserAction onHeaderValue(std::string_view piece, bool complete) override;
    ParserAction onHeader(std::string_view name, std::string_view value) override;
    HeadersAction onHeadersComplete(const Parser& parser) override;
    ParserAction onBody(std::string_view data) override;
    ParserAction onMessageComplete() override;

  protected:
    void lastReferenceReleased() noexcept override { delete this; }

  private:
    friend class ConnectionsList;
    void onParserExecuteCommon(ExecuteResult result, std::string_view data);
    void socketOnError(const Error& error);
    HeadersAction parserOnIncoming(IncomingMessage& req, bool keepAlive);
    static void closeExchange(ServerResponse& res, AsyncId flowId, AsyncId flowTrigger);
    static void endUnobserved(IncomingMessage& req, ServerResponse& res, int ticks) noexcept;
    void resetSocketTimeout();
    void assignSocket(ServerResponse& res);
    void flushQueuedBehind(ServerResponse& res);  // responseEnded's work
    void detachSocket(ServerResponse& res);
    void closeResponses();
    void abortIncoming();
    void freeParser();
    // An idle keep-alive connection holds no parser: it goes back to the pool with the
    // MessageState between messages, and is taken again when bytes arrive (Node keeps one
    // per socket).
    Parser* parser() const noexcept {
        return state_ != nullptr && !parserFreed_ ? state_->parser.get() : nullptr;
    }
    MessageState& state();  // taken from the pool if the connection has none
    MessageState& takeState();
    // Inline: the usual answer (messages still in flight) costs no call.
    void releaseStateIfIdle() noexcept {
        if (state_ != nullptr && state_->idle()) releaseStateUnlessBusy();
    }
    void releaseStateUnlessBusy() noexcept;
    ParserOptions parserOptions() const noexcept;
    void finish();  // drops the connection's self-reference
    bool fieldAccepted() const noexcept;
    void beginField(nodecc::detail::ByteString& dest);
    void endField(nodecc::detail::ByteString& dest);
    void rethrowPending();
    // Whether the batch ends with a response after which resOnFinish ends the socket
    // (Connection: close): its 'finish' comes on the next tick, then destroySoon().
    bool closesAfterBatch() const noexcept {
        const ServerResponse* res = owner();
        return res != nullptr && res->finished_ && res->head_.last && !closed_ &&
               state_->outgoing.empty();
    }
    template <class F>
    ParserAction guarded(F&& f);

    // The small members first: they fill RefCounted's padding and one 8-byte slot.
    std::uint32_t requestsCount_ = 0;
    std::uint32_t maxHeaderPairs_ = 2000;  // Node: parser.maxHeaderPairs
    std::uint16_t corks_ = 0;
    bool alive_ : 1 = false;  // holds a reference to itself while the socket is consumed
    bool keepAliveTimeoutSet_ : 1 = false;
    bool paused_ : 1 = false;    // Node: socket._paused
    bool hadError_ : 1 = false;  // Node: socket._hadError
    bool errorHandled_ : 1 = false;
    bool closed_ : 1 = false;
    bool executing_ : 1 = false;        // inside the parser's execute()
    bool freePending_ : 1 = false;      // freeParser() was asked for during execute()
    bool parserFreed_ : 1 = false;      // freeParser() ran: no parser any more
    bool headersCompleted : 1 = false;  // ConnectionsList
    bool inAll : 1 = false;
    bool inActive : 1 = false;        // in ConnectionsList's `active` (then state_ is set)
    bool messageStarted : 1 = false;  // a message began and did not complete (Node: not idle)
    Ref<Server> server_;
    Ref<net::Socket> socket_;
    MessageState* state_ = nullptr;  // owned; null while idle

    // ---- ConnectionsList bookkeeping (Node: ConnectionsList in C++); the `active` links are
    // in the MessageState ----
    Connection* allPrev = nullptr;
    Connection* allNext = nullptr;
};

}  // namespace nodecc::http::detail
