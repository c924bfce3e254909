#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "net_test_support.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"

namespace nodecc::test {

long long monotonicMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// ---- RawClient -------------------------------------------------------------------------------

RawClient::RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
        return;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
    close();
}

bool RawClient::send(std::string_view data) {
    while (!data.empty() && fd_ >= 0) {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return data.empty();
}

void RawClient::shutdownWrite() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawClient::reset() {
    if (fd_ < 0) return;
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
}

void RawClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool RawClient::fill(long long deadlineMs) {
    if (fd_ < 0 || eof_) return false;
    for (;;) {
        const long long left = deadlineMs - monotonicMs();
        if (left <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            eof_ = true;  // EOF or RST
            return false;
        }
        buffered_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
}

bool RawClient::readUntil(std::size_t n, long long deadlineMs) {
    while (buffered_.size() < n) {
        if (!fill(deadlineMs)) return false;
    }
    return true;
}

std::string RawClient::take(std::size_t n) {
    n = std::min(n, buffered_.size());
    std::string out = buffered_.substr(0, n);
    buffered_.erase(0, n);
    return out;
}

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The value of a header in a response head, or npos-like empty with found=false.
bool headerValue(std::string_view head, std::string_view name, std::string& value) {
    const std::string want = lower(name);
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view line =
            head.substr(start, end == std::string_view::npos ? head.npos : end - start);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && lower(line.substr(0, colon)) == want) {
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            value.assign(v);
            return true;
        }
        pos = end;
    }
    return false;
}
}  // namespace

std::string RawClient::readResponse(bool noBody, int timeoutMs) {
    const long long deadline = monotonicMs() + timeoutMs;
    std::size_t headEnd;
    while ((headEnd = buffered_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill(deadline)) return std::string();
    }
    const std::size_t headLen = headEnd + 4;
    const std::string head = buffered_.substr(0, headLen);
    const int status = statusOf(head);
    if ((status >= 100 && status < 200) || status == 204 || status == 304 || noBody) {
        return take(headLen);
    }
    std::string value;
    if (headerValue(head, "content-length", value)) {
        const std::size_t len = std::strtoull(value.c_str(), nullptr, 10);
        readUntil(headLen + len, deadline);
        return take(headLen + len);
    }
    if (headerValue(head, "transfer-encoding", value) &&
        lower(value).find("chunked") != std::string::npos) {
        std::size_t pos = headLen;
        for (;;) {
            std::size_t lineEnd;
            while ((lineEnd = buffered_.find("\r\n", pos)) == std::string::npos) {
                if (!fill(deadline)) return take(buffered_.size());
            }
            const std::size_t size = std::strtoull(buffered_.c_str() + pos, nullptr, 16);
            if (size == 0) {
                // Trailers, then the empty line: the first CRLFCRLF from the size line's end.
                std::size_t end;
                while ((end = buffered_.find("\r\n\r\n", lineEnd)) == std::string::npos) {
                    if (!fill(deadline)) return take(buffered_.size());
                }
                return take(end + 4);
            }
            pos = lineEnd + 2 + size + 2;
            if (!readUntil(pos, deadline)) return take(buffered_.size());
        }
    }
    while (fill(deadline)) {
    }
    return take(buffered_.size());
}

std::string RawClient::readAll(int timeoutMs) {
    const long long deadline = monotonicMs() + timeoutMs;
    while (fill(deadline)) {
    }
    return take(buffered_.size());
}

std::string RawClient::readExactly(std::size_t n, int timeoutMs) {
    readUntil(n, monotonicMs() + timeoutMs);
    return take(n);
}

std::string RawClient::readFor(int waitMs) {
    const long long deadline = monotonicMs() + waitMs;
    while (fill(deadline)) {
    }
    return take(buffered_.size());
}

bool RawClient::waitClosed(int timeoutMs) {
    const long long deadline = monotonicMs() + timeoutMs;
    while (fill(deadline)) {
    }
    return eof_;
}

// ---- helpers ---------------------------------------------------------------------------------

std::string normalizeDate(std::string bytes) {
    std::size_t pos = 0;
    while ((pos = bytes.find("\r\nDate: ", pos)) != std::string::npos) {
        const std::size_t start = pos + 8;
        const std::size_t end = bytes.find("\r\n", start);
        if (end == std::string::npos) break;
        bytes.replace(start, end - start, "<DATE>");
        pos = start;
    }
    return bytes;
}

int statusOf(std::string_view response) {
    if (response.size() < 12 || response.substr(0, 5) != "HTTP/") return 0;
    const std::size_t sp = response.find(' ');
    if (sp == std::string_view::npos) return 0;
    return std::atoi(std::string(response.substr(sp + 1, 3)).c_str());
}

bool hasHeader(std::string_view response, std::string_view name, std::string_view value) {
    const std::size_t end = response.find("\r\n\r\n");
    const std::string_view head =
        response.substr(0, end == std::string_view::npos ? response.size() : end + 2);
    std::string v;
    return headerValue(head, name, v) && v == value;
}

// ---- running a server with a client thread ----------------------------------------------------

void Latch::signal() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        set_ = true;
    }
    cv_.notify_all();
}

bool Latch::wait(int timeoutMs) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return set_; });
}

bool Latch::signalled() {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_;
}

void onLoop(Loop& loop, std::function<void()> fn) {
    auto done = std::make_shared<Latch>();
    loop.post([fn = std::move(fn), done] {
        fn();
        done->signal();
    });
    done->wait(5000);
}

bool runClient(Loop& loop, http::Server& server, std::function<void(int port)> client,
               int timeoutMs) {
    std::thread thread;
    // Held on the loop thread until the posted close has run. The client thread must not
    // copy a Ref: the count is not atomic (loop-thread objects), and a copy made or
    // dropped there races with the loop's own retains and releases of the server.
    Ref<http::Server> keep(&server);
    http::Server* target = &server;
    auto closed = std::make_shared<std::atomic<bool>>(false);
    server.listen(0, "127.0.0.1", [&] {
        const int port = server.address()->port;
        thread = std::thread([&loop, target, closed, port, client = std::move(client)] {
            client(port);
            loop.post([target, closed] {
                target->closeAllConnections();
                if (target->listening()) target->close();
                closed->store(true);
            });
        });
    });
    const bool ok = runLoop(loop, timeoutMs);
    if (thread.joinable()) thread.join();
    // Let the posted close run (while `keep` holds the server) so the loop can wind down.
    for (int i = 0; i < 100 && (!closed->load() || (!ok && loop.alive())); ++i) {
        loop.runOnce(false);
    }
    return ok;
}

}  // namespace nodecc::test
