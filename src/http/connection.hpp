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
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "nodecc/core/ref.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/parser.hpp"
#include "nodecc/http/response_head.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/net/socket.hpp"

namespace nodecc::http {
class Server;
class IncomingMessage;
}  // namespace nodecc::http

namespace nodecc::http::detail {

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
    // Removes the front; the caller receives the reference.
    Ref<T> shift() {
        T* m = head_;
        head_ = m->*Next;
        if (head_ == nullptr) tail_ = nullptr;
        m->*Next = nullptr;
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

class Connection final : public RefCounted, public net::SocketConsumer, public ParserHandler {
  public:
    Connection(Server& server, net::Socket& socket);
    ~Connection() override;

    // ---- for OutgoingMessage / IncomingMessage ----
    OutgoingMessage* owner() const noexcept { return owner_; }  // Node: socket._httpMessage
    bool hasQueuedResponses() const noexcept { return !outgoing_.empty(); }
    // A response that may write to the socket ended: the responses queued behind it, in
    // order, may now hand their bytes to the socket too (until a Connection: close one).
    void responseEnded(ServerResponse& res);
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
    HeadContext headContext() const;
    static HeadContext defaultContext();
    bool closed() const noexcept { return closed_; }

    // ---- ConnectionsList bookkeeping (Node: ConnectionsList in C++) ----
    std::uint64_t lastMessageStart = 0;  // loop ms; 0 = idle
    bool headersCompleted = false;
    Connection* allPrev = nullptr;
    Connection* allNext = nullptr;
    Connection* activePrev = nullptr;
    Connection* activeNext = nullptr;
    bool inAll = false;
    bool inActive = false;
    void onRequestTimeout();  // Node: onRequestTimeout → socketOnError(ERR_HTTP_REQUEST_TIMEOUT)

    // ---- net::SocketConsumer (Node: socketOnData, socketOnEnd, socketOnError, …) ----
    void onSocketData(net::Socket& socket, std::string_view data) override;
    bool sharesDataWithListeners() const noexcept override { return true; }
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
    void onParserExecuteCommon(ExecuteResult result, std::string_view data);
    void socketOnError(const Error& error);
    HeadersAction parserOnIncoming(IncomingMessage& req, bool keepAlive);
    void resetSocketTimeout();
    void assignSocket(ServerResponse& res);
    void detachSocket(ServerResponse& res);
    void closeResponses();
    void abortIncoming();
    void freeParser();
    // An idle keep-alive connection holds no parser: it goes back to the pool between
    // messages and a fresh one is taken when bytes arrive (Node keeps one per socket).
    void parkParser();
    void unparkParser();
    ParserOptions parserOptions() const noexcept;
    void finish();  // drops the connection's self-reference
    bool fieldAccepted() const noexcept;
    void beginField(std::string& dest);
    void endField(std::string& dest);
    void rethrowPending();
    template <class F>
    ParserAction guarded(F&& f);

    Ref<Server> server_;
    Ref<net::Socket> socket_;
    std::unique_ptr<Parser> parser_;
    Ref<IncomingMessage> current_;  // Node: parser.incoming
    MessageQueue<IncomingMessage, &IncomingMessage::nextIncoming_> incoming_;
    MessageQueue<ServerResponse, &ServerResponse::nextOutgoing_> outgoing_;
    ServerResponse* owner_ = nullptr;  // Node: socket._httpMessage (a reference is held)
    Ref<Connection> self_;             // alive while the socket is consumed
    std::exception_ptr pendingException_;
    std::int64_t outgoingData_ = 0;
    std::uint32_t requestsCount_ = 0;
    std::uint32_t maxHeaderPairs_ = 2000;  // Node: parser.maxHeaderPairs
    // the header field being assembled from pieces
    std::uint32_t sectionFields_ = 0;  // fields seen in this head / trailer section
    std::uint32_t fieldNameOffset_ = 0;
    std::uint32_t fieldNameLength_ = 0;
    std::uint32_t fieldValueOffset_ = 0;
    bool inFieldName_ = false;
    bool inFieldValue_ = false;
    bool keepAliveTimeoutSet_ = false;
    bool paused_ = false;    // Node: socket._paused
    bool hadError_ = false;  // Node: socket._hadError
    std::uint32_t corks_ = 0;
    bool errorHandled_ = false;
    bool closed_ = false;
    bool executing_ = false;    // inside parser_->execute()
    bool freePending_ = false;  // freeParser() was asked for during execute()
    bool parserFreed_ = false;  // freeParser() ran: no parser any more
};

}  // namespace nodecc::http::detail
