// http::OutgoingMessage and http::ServerResponse — the server's `res`
// (Node: _http_outgoing.js, _http_server.js ServerResponse).
//
// Made for each parsed request (seed 4-1-4-2) and handed to 'request'
// listeners with the IncomingMessage. The response that owns the connection
// writes straight to the socket; a pipelined response waiting for its turn
// buffers its output until the one before it finishes (seed 4-2, state.outgoing).
//
//   server->on(http::kRequest, [](http::IncomingMessage& req, http::ServerResponse& res) {
//       res.statusCode = 404;
//       res.setHeader("Content-Type", "text/plain");
//       res.end("not here\n");        // status line, headers and body leave in one write
//   });
//   static const nodecc::Buffer page = nodecc::Buffer::from(loadPage());
//   res.end(page);                    // a large body without a copy (Node: res.end(buffer))
//   // answering later: keep it alive
//   nodecc::Ref<http::ServerResponse> keep(&res);
//   nodecc::setTimeout([keep] { keep->end("late"); }, 100);
//
// Framing, Connection/Keep-Alive and header order are Node's exactly
// (NODE-BEHAVIOUR.md §1.3). API misuse throws nodecc::Error with Node's code
// (ERR_HTTP_HEADERS_SENT, ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR,
// ERR_HTTP_INVALID_STATUS_CODE…); write after end reports
// ERR_STREAM_WRITE_AFTER_END through the callback and 'error' on nextTick.
// A response finished after its client vanished is a no-op (write returns false).
// 'close' is the last event: the listeners are released after it, so a listener
// that holds a Ref to this response or its request does not keep them alive
// (Node has a GC; listenerCount() after 'close' is 0 here).
//
// Events: 'finish', 'close', 'drain', 'prefinish', 'error', 'timeout'.
// Threading: loop thread. Cost: headers and output reuse the object's capacity; a Buffer
// body is never copied (a share is kept while it waits).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/core/buffer.hpp"
#include "nodecc/core/error.hpp"
#include "nodecc/core/ref.hpp"
#include "nodecc/core/unique_function.hpp"
#include "nodecc/events/event_emitter.hpp"
#include "nodecc/http/outgoing_headers.hpp"
#include "nodecc/http/response_head.hpp"
#include "nodecc/net/socket.hpp"

namespace nodecc::http {

class IncomingMessage;
namespace detail {
class Connection;
template <class T>
class MessagePool;
}  // namespace detail

inline constexpr events::Event<> kFinish{"finish"};
inline constexpr events::Event<> kPrefinish{"prefinish"};
inline constexpr events::Event<> kDrain{"drain"};
inline constexpr events::Event<> kResponseClose{"close"};

// Node: the callback of write()/end(): null on success, the error otherwise.
using WriteCallback = net::WriteCallback;

class OutgoingMessage : public events::EventEmitter {
  public:
    ~OutgoingMessage() override;

    // ---- headers (Node: setHeader, appendHeader, getHeader, …) ----
    OutgoingMessage& setHeader(std::string_view name, std::string_view value);
    OutgoingMessage& setHeader(std::string_view name, std::int64_t value);
    OutgoingMessage& setHeader(std::string_view name, int value) {
        return setHeader(name, static_cast<std::int64_t>(value));
    }
    OutgoingMessage& setHeader(std::string_view name, std::initializer_list<std::string_view> v);
    OutgoingMessage& setHeader(std::string_view name, std::span<const std::string_view> values);
    OutgoingMessage& appendHeader(std::string_view name, std::string_view value);
    OutgoingHeaders::Header getHeader(std::string_view name) const noexcept {
        return headers_.getHeader(name);
    }
    bool hasHeader(std::string_view name) const noexcept { return headers_.hasHeader(name); }
    void removeHeader(std::string_view name);
    std::vector<std::string> getHeaderNames() const { return headers_.getHeaderNames(); }
    std::vector<std::string> getRawHeaderNames() const { return headers_.getRawHeaderNames(); }
    // Node: getHeaders() — the store itself (iterate with forEach).
    const OutgoingHeaders& getHeaders() const noexcept { return headers_; }

    // ---- body (Node: write, end, addTrailers, flushHeaders) ----
    // Returns false once buffered output reaches the high-water mark; 'drain' follows.
    bool write(std::string_view chunk, WriteCallback callback = {});
    OutgoingMessage& end(std::string_view chunk, WriteCallback callback = {});
    OutgoingMessage& end(WriteCallback callback = {});
    // Node: res.write(buffer) / res.end(buffer) — the body is not copied: what the kernel
    // does not take at once (or what waits behind a pipelined response) is kept as a share
    // of the Buffer until it is written; the framing around it is copied. Everything else
    // (Content-Length from end(), chunked framing, strictContentLength, callbacks, 'drain',
    // writableLength) is as for the string_view forms.
    bool write(const Buffer& chunk, WriteCallback callback = {});
    OutgoingMessage& end(const Buffer& chunk, WriteCallback callback = {});
    // Node: addTrailers([[name, value]...]) / addTrailers(headersObject).
    void addTrailers(std::span<const HeaderField> fields);
    void addTrailers(std::initializer_list<HeaderField> fields) {
        addTrailers(std::span<const HeaderField>(fields.begin(), fields.size()));
    }
    void flushHeaders();

    // ---- state (Node's properties) ----
    bool headersSent() const noexcept { return head_.headersSent; }
    bool writableEnded() const noexcept { return finished_; }
    bool finished() const noexcept { return finished_; }
    bool writableFinished() const noexcept;
    std::size_t writableLength() const noexcept;
    std::size_t writableHighWaterMark() const noexcept { return highWaterMark_; }
    bool writableNeedDrain() const noexcept { return needDrain_; }
    std::size_t writableCorked() const noexcept { return corked_; }
    bool destroyed() const noexcept { return destroyed_; }
    bool chunkedEncoding() const noexcept { return head_.chunkedEncoding; }
    bool shouldKeepAlive() const noexcept { return head_.shouldKeepAlive; }
    void cork();
    void uncork();
    // Node: res.setTimeout(ms[, cb]) → the socket's timeout.
    OutgoingMessage& setTimeout(std::uint64_t ms);
    // Node: res.destroy([err]) destroys the socket.
    void destroy();
    void destroy(const Error& error);
    // Node: res.socket / res.connection (null when not attached).
    net::Socket* socket() const noexcept;

    // Node: res.sendDate, res.strictContentLength.
    bool sendDate = true;
    bool strictContentLength = false;

  protected:
    OutgoingMessage(std::size_t highWaterMark, bool rejectNonStandardBodyWrites);
    const char* emitterName() const noexcept override { return "OutgoingMessage"; }
    // Node: _implicitHeader() — ServerResponse writes the head with statusCode.
    virtual void implicitHeader() = 0;

    // Output buffers up to this size are kept for the next response (pooled responses).
    static constexpr std::size_t kKeptOutputCapacity = 64 * 1024;

    ResponseHead head_;
    OutgoingHeaders headers_;
    nodecc::detail::ByteString headBytes_;  // the built head (Node: this._header), until sent
    // Where writeHead builds the head instead of headBytes_: end()'s socket write batch.
    nodecc::detail::ByteString* headOut_ = nullptr;

  private:
    friend class detail::Connection;
    friend class ServerResponse;

    // `keep`: the Buffer the body chunk lies in (shared, not copied, if it has to wait).
    bool writeImpl(std::string_view chunk, WriteCallback& callback, bool fromEnd,
                   const Buffer* keep);
    OutgoingMessage& endImpl(std::string_view chunk, WriteCallback&& callback, const Buffer* keep);
    bool send(std::span<const std::string_view> data, WriteCallback callback,
              const Buffer* keep = nullptr);  // Node: _send
    bool writeRaw(std::span<const std::string_view> pieces, WriteCallback callback,
                  const Buffer* keep = nullptr);
    nodecc::detail::ByteString* directBatch(std::size_t bodySize);
    // end()'s head built in the socket's write batch (headOut_), then the body behind it.
    class HeadInBatch {
      public:
        HeadInBatch(OutgoingMessage& res, nodecc::detail::ByteString* batch,
                    std::size_t start) noexcept;
        HeadInBatch(const HeadInBatch&) = delete;
        HeadInBatch& operator=(const HeadInBatch&) = delete;
        ~HeadInBatch();
        // Appends the rest and commits the write, whose completion emits 'finish'; false
        // (head moved to headBytes_): send it.
        bool finish(std::string_view chunk, bool bodyDropped);

      private:
        void unbatchHead() noexcept;
        OutgoingMessage& res_;
        nodecc::detail::ByteString* batch_;
        std::size_t start_;
    };
    // The write callback of consecutive responses' end() writes in one write batch
    // (net::Socket::commitBatchWriteAgain): each call emits the next one's 'finish'. It holds
    // a reference to each, linked through nextFinish_.
    class FinishChain {
      public:
        explicit FinishChain(OutgoingMessage& first) noexcept;
        FinishChain(FinishChain&& other) noexcept;
        FinishChain(const FinishChain&) = delete;
        FinishChain& operator=(const FinishChain&) = delete;
        FinishChain& operator=(FinishChain&&) = delete;
        ~FinishChain();
        void operator()(const Error* error);

      private:
        OutgoingMessage* head_;
    };
    void commitFinishToBatch(std::size_t length);
    std::size_t outputSize() const noexcept { return output_.size() + outputSharedBytes_; }
    void flushOutput();  // Node: _flushOutput
    void flush();        // Node: _flush (on assignSocket)
    void onWriteFinished();
    void emitFinish();
    void emitClose();  // Node: emitCloseNT; then the listeners are released
    void reportError(const Error& err, WriteCallback callback);

    Ref<detail::Connection> connection_;  // until resOnFinish or the connection closes
    std::string output_;                  // Node: outputData, while not owning the socket
    // Buffers waiting in outputData without a copy: each goes in front of output_[offset].
    struct OutputShare {
        std::size_t offset;
        Buffer bytes;
    };
    std::vector<OutputShare> outputShares_;
    std::size_t outputSharedBytes_ = 0;
    std::vector<WriteCallback> outputCallbacks_;
    OutgoingMessage* nextFinish_ = nullptr;  // the FinishChain link
    std::string trailer_;
    std::size_t highWaterMark_;
    std::uint64_t bytesWritten_ = 0;  // for strictContentLength
    std::uint32_t corked_ = 0;
    bool rejectNonStandardBodyWrites_;
    bool headerSent_ = false;  // Node: _headerSent (the head left for the socket)
    bool finished_ = false;
    bool finishEmitted_ = false;
    bool needDrain_ = false;
    bool destroyed_ = false;
    bool closed_ = false;
    // Every response ahead of this one has handed all its bytes to the socket: this one
    // writes to the socket directly although it does not own it yet.
    bool direct_ = false;
};

class ServerResponse : public OutgoingMessage {
  public:
    // Node: new ServerResponse(req, {highWaterMark, rejectNonStandardBodyWrites}).
    explicit ServerResponse(IncomingMessage& req, std::size_t highWaterMark = 16384,
                            bool rejectNonStandardBodyWrites = false);
    ~ServerResponse() override;

    // Node: res.statusCode / res.statusMessage (empty = the table's text).
    int statusCode = 200;
    std::string statusMessage;

    // Node: res.writeHead(statusCode[, statusMessage][, headers]).
    ServerResponse& writeHead(int statusCode);
    ServerResponse& writeHead(int statusCode, std::string_view statusMessage);
    ServerResponse& writeHead(int statusCode, std::initializer_list<HeaderField> headers);
    ServerResponse& writeHead(int statusCode, std::string_view statusMessage,
                              std::span<const HeaderField> headers);
    // Node: writeContinue / writeProcessing / writeEarlyHints.
    void writeContinue(WriteCallback callback = {});
    void writeProcessing(WriteCallback callback = {});
    void writeEarlyHints(std::span<const HeaderField> hints, WriteCallback callback = {});

    IncomingMessage& req() const noexcept { return *req_; }

  protected:
    const char* emitterName() const noexcept override { return "ServerResponse"; }
    void implicitHeader() override;
    void lastReferenceReleased() noexcept override;

  private:
    friend class detail::Connection;
    friend class detail::MessagePool<ServerResponse>;
    // detail::MessagePool: back to a new response's state, buffers cleared but kept.
    void releaseForPool() noexcept;
    void reuse(IncomingMessage& req, std::size_t highWaterMark, bool rejectNonStandardBodyWrites);
    void initHead();  // the constructor's work on the request's facts
    ServerResponse& writeHeadImpl(int code, std::optional<std::string_view> message,
                                  std::span<const HeaderField> fields);

    Ref<IncomingMessage> req_;
    ServerResponse* nextOutgoing_ = nullptr;  // state.outgoing link
    bool pooled_ = false;                     // made by the server: recycled, not deleted
};

}  // namespace nodecc::http
