// Raw HTTP test clients for the http server tests: blocking POSIX sockets on a
// thread of their own, talking to a server whose loop runs on the test's thread.
//
//   nodecc::Loop loop;
//   auto server = http::createServer([](auto& req, auto& res) { res.end("hi"); });
//   std::string got;
//   ASSERT_TRUE(test::runClient(loop, *server, [&](int port) {
//       test::RawClient c(port);
//       c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
//       got = c.readResponse();
//   }));
//   EXPECT_EQ(test::normalizeDate(got), "HTTP/1.1 200 OK\r\n...");
//
// The client side never touches loop objects; it hands work to the loop with
// Loop::post (see onLoop()). Every read has a deadline, so a test that expects
// bytes that never come fails instead of hanging. Loopback only.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace nodecc {
class Loop;
namespace http {
class Server;
}
}  // namespace nodecc

namespace nodecc::test {

class RawClient {
  public:
    // Connects (blocking) to 127.0.0.1:port.
    explicit RawClient(int port);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    int fd() const noexcept { return fd_; }
    bool connected() const noexcept { return fd_ >= 0; }
    // Writes every byte (blocking); false if the peer is gone.
    bool send(std::string_view data);
    void shutdownWrite();  // FIN
    void reset();          // close with an RST (SO_LINGER 0)
    void close();

    // One response: the head, then a body framed by Content-Length or chunked
    // coding, else read to EOF. A 1xx head, a HEAD answer (noBody) and
    // 204/304 come back without a body. Empty on timeout or EOF first.
    std::string readResponse(bool noBody = false, int timeoutMs = 4000);
    // Everything until the peer closes (EOF or RST) or the deadline.
    std::string readAll(int timeoutMs = 4000);
    // Exactly n bytes, or fewer at EOF/deadline.
    std::string readExactly(std::size_t n, int timeoutMs = 4000);
    // Whatever arrives within waitMs.
    std::string readFor(int waitMs);
    // True once the peer closed within timeoutMs; bytes read meanwhile are kept for later reads.
    bool waitClosed(int timeoutMs = 4000);
    bool peerClosed() const noexcept { return eof_; }
    // Bytes read by the waits and not yet returned.
    const std::string& pending() const noexcept { return buffered_; }

  private:
    // Reads once with a deadline; false at EOF, error or timeout.
    bool fill(long long deadlineMs);
    bool readUntil(std::size_t n, long long deadlineMs);
    std::string take(std::size_t n);

    int fd_ = -1;
    bool eof_ = false;
    std::string buffered_;
};

// Replaces every `Date: <value>` header value with `<DATE>`.
std::string normalizeDate(std::string bytes);
// The status code of a response head ("HTTP/1.1 200 OK…" → 200), 0 if none.
int statusOf(std::string_view response);
// Whether the response head carries `name: value` (case-insensitive name).
bool hasHeader(std::string_view response, std::string_view name, std::string_view value);

// Listens on 127.0.0.1:0, runs client(port) on a thread once listening, then
// (back on the loop) closeAllConnections() + close(), and runs the loop until
// it is empty. False if it took longer than timeoutMs (the loop is stopped).
bool runClient(Loop& loop, http::Server& server, std::function<void(int port)> client,
               int timeoutMs = 5000);
// From a client thread: runs fn on the loop thread and waits for it to finish.
void onLoop(Loop& loop, std::function<void()> fn);

// A one-shot event between threads.
class Latch {
  public:
    void signal();
    bool wait(int timeoutMs = 4000);
    bool signalled();

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool set_ = false;
};

// Milliseconds on a monotonic clock.
long long monotonicMs();

}  // namespace nodecc::test
