// libFuzzer target for the whole http::Server (clang, -DNODECC_FUZZ=ON; built as fuzz_server).
//
// Each input is a script: how the handlers behave, where the byte stream is cut and
// where the client half-closes or closes, then the bytes. A real http::Server (one per
// input, never listening) gets one end of a socketpair through
// server.emit('connection', socket) — Node's idiom for serving any stream — and the
// fuzzer plays the client on the other end. The loop runs until quiescent (bounded),
// then closeAllConnections() + close() and the loop runs until everything closed.
//
// Input layout (see decode()):
//   byte 0  server flags  (bit 0 socket without allowHalfOpen, 1 httpAllowHalfOpen,
//                          2 'clientError' listener, 3 'upgrade'/'connect' listeners,
//                          4 small high-water marks and socket buffers, 5 maxHeaderSize 256,
//                          6 insecureHTTPParser, 7 server.timeout 1 ms)
//   byte 1  bits 0-1 behaviours - 1, bits 2-4 number of cut ops, bit 5 dribble the first
//           64 bytes one at a time, bit 6 maxRequestsPerSocket 2, bit 7 no Host required
//   then 3 bytes per behaviour (used by requests in turn, see Behaviour), 2 bytes per
//   op (kind, position as a fraction of the stream; see OpKind), then the byte stream.
//
// Checks beyond sanitizers and LeakSanitizer (every input ends with everything freed):
//   * what the client read is a sequence of well-formed HTTP/1.1 responses, each framed
//     by Content-Length, chunked, or the end of the connection (response_stream.hpp);
//     cut short only if a response was left unfinished or something was destroyed;
//   * no more final responses than requests the server parsed, plus one canned error;
//   * every ServerResponse emits 'close' exactly once; the socket reaches "closed",
//     the server forgets the connection, and the server's close callback runs;
//   * no deferred handler work is left behind.
// Seed corpus: tests/fuzz/make_seed_corpus.py --target fuzz_server.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nodecc/http/diagnostics.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/process/callback_scope.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/next_tick.hpp"
#include "nodecc/timers/timers.hpp"
#include "response_stream.hpp"

namespace {

using namespace nodecc;
using http::HeaderField;
using http::IncomingMessage;
using http::ServerResponse;

// ---- the script ----------------------------------------------------------------------

enum ServerFlag : std::uint8_t {
    kNoHalfOpen = 1,
    kHttpHalfOpen = 2,
    kClientErrorListener = 4,
    kUpgradeListeners = 8,
    kSmallWaterMarks = 16,
    kSmallHeaders = 32,
    kInsecure = 64,
    kSocketTimeout = 128,
};

// When the handler answers (byte a, bits 0-2).
enum class Timing : std::uint8_t {
    Sync,
    Tick,         // process.nextTick
    Immediate,    // setImmediate
    Timeout,      // setTimeout(0)
    OnReqEnd,     // on the request's 'end'
    Never,        // until closeAllConnections
    StreamLater,  // write now, end on setImmediate
    StreamBody,   // write per body chunk, end on the request's 'end'
};
// How the body is read (bits 3-4).
enum class Read : std::uint8_t { None, Data, PauseResume, Resume };
// What the answer looks like (bits 5-7).
enum class Shape : std::uint8_t {
    EndBody,
    EndEmpty,
    Chunked,
    WriteHeadLength,
    NoContent,
    NotModified,
    FlushHeaders,
    Continue,
};
// What gets destroyed (byte b, bits 0-2) and when (bits 3-4).
enum class Destroy : std::uint8_t {
    None,
    Req,
    Res,
    Socket,
    SocketError,
    ResError,
    SocketEnd,
    ReqError
};
enum class When : std::uint8_t { InHandler, AfterAnswer, InData, OnFinish };
// Byte b, bit 5: Connection: close; bit 6: trailers; bit 7: a body over the high-water mark.
// Something more (byte c, bits 0-2), often API misuse that Node answers with an error.
enum class Extra : std::uint8_t {
    None,
    WriteAfterEnd,     // write() after end(): ERR_STREAM_WRITE_AFTER_END
    HeadTwice,         // writeHead() after the head left: ERR_HTTP_HEADERS_SENT
    Cork,              // cork() before answering, uncork() on the next tick
    Informational,     // writeProcessing() and writeEarlyHints() first
    EndTwice,          // end() again
    HeaderAfterSent,   // setHeader()/removeHeader() after the head left
    StatusAndHeaders,  // status 404 and a few headers before answering
};

// What the handler does to the whole server at the time of its destroy (byte c, bits 3-4).
enum class ServerOp : std::uint8_t { None, CloseIdle, CloseAll, Close };

struct Behaviour {
    Timing timing;
    Read read;
    Shape shape;
    Destroy destroy;
    When when;
    bool connectionClose;
    bool trailers;
    bool big;
    Extra extra;
    ServerOp serverOp;
};

// What happens at a point of the stream (the bytes before it are sent first).
enum class OpKind : std::uint8_t {
    Cut,            // one loop turn
    Settle,         // run until quiescent
    HalfClose,      // the client shuts down its writing side; nothing more is sent
    Close,          // the client closes (unread responses make it a reset)
    StopReading,    // the client stops reading: the server's writes back up
    ResumeReading,  // and reads again
    CloseIdle,      // server.closeIdleConnections()
    CloseServer,    // server.close() (Node 19+: closes idle connections too)
    Wait,           // 2 ms pass (timeouts fire), then run until quiescent
    CloseAll,       // server.closeAllConnections()
};
struct Cut {
    std::size_t at;
    OpKind kind;
};

struct Script {
    std::uint8_t flags = 0;
    bool dribble = false;
    bool maxRequests = false;
    bool noHost = false;
    std::vector<Behaviour> behaviours;
    std::vector<Cut> cuts;
    std::string_view stream;
};

bool decode(const std::uint8_t* data, std::size_t size, Script& s) {
    if (size < 2) return false;
    s.flags = data[0];
    const std::uint8_t b = data[1];
    const std::size_t nb = 1 + (b & 3);
    const std::size_t nc = (b >> 2) & 7;
    s.dribble = (b & 0x20) != 0;
    s.maxRequests = (b & 0x40) != 0;
    s.noHost = (b & 0x80) != 0;
    std::size_t pos = 2;
    if (size < pos + 3 * nb + 2 * nc) return false;
    for (std::size_t i = 0; i < nb; ++i, pos += 3) {
        const std::uint8_t x = data[pos];
        const std::uint8_t y = data[pos + 1];
        const std::uint8_t z = data[pos + 2];
        s.behaviours.push_back(Behaviour{
            static_cast<Timing>(x & 7), static_cast<Read>((x >> 3) & 3), static_cast<Shape>(x >> 5),
            static_cast<Destroy>(y & 7), static_cast<When>((y >> 3) & 3), (y & 0x20) != 0,
            (y & 0x40) != 0, (y & 0x80) != 0, static_cast<Extra>(z & 7),
            static_cast<ServerOp>((z >> 3) & 3)});
    }
    const std::size_t streamSize = size - pos - 2 * nc;
    for (std::size_t i = 0; i < nc; ++i, pos += 2) {
        s.cuts.push_back(
            Cut{data[pos + 1] * streamSize / 255, static_cast<OpKind>(data[pos] % 10)});
    }
    std::stable_sort(s.cuts.begin(), s.cuts.end(),
                     [](const Cut& l, const Cut& r) { return l.at < r.at; });
    s.stream = std::string_view(reinterpret_cast<const char*>(data + pos), streamSize);
    return true;
}

[[noreturn]] void failure(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "fuzz_server: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
    std::abort();
}

// ---- one run -------------------------------------------------------------------------

struct Run {
    const Script* script = nullptr;
    Ref<http::Server> server;
    Ref<net::Socket> socket;  // the server's end
    int client = -1;          // the fuzzer's end
    std::string output;       // what the client read
    bool clientEof = false;
    bool reading = true;  // the client reads what the server sends
    bool clientClosed = false;
    std::uint64_t progress = 0;        // bumps on every event: the loop is quiescent when it stops
    int deferred = 0;                  // handler work scheduled and not run yet
    int timeouts = 0;                  // of which setTimeout(0)
    std::size_t requests = 0;          // 'request' events
    std::vector<std::string> methods;  // of every response the server made (request start)
    std::size_t responses = 0;
    std::size_t responseCloses = 0;
    std::size_t finishes = 0;
    bool unfinished = false;   // a response had not finished at closeAllConnections
    bool destroyed = false;    // the script destroyed or ended something
    bool halfClosed = false;   // the client half-closed
    bool tookOver = false;     // an 'upgrade'/'connect' listener took the socket
    bool socketError = false;  // the socket was destroyed with an error
    bool timedOut = false;     // the socket timed out (and was destroyed)
    bool closedAll = false;    // closeAllConnections() before the end
    bool socketClosed = false;
    bool serverClosed = false;
};

Run* run = nullptr;  // the run in progress (handlers reach it through this)

// FUZZ_SERVER_VERBOSE=1: what happened, for reading a failing input.
const bool verbose = std::getenv("FUZZ_SERVER_VERBOSE") != nullptr;
template <class... A>
void trace(const char* format, A... args) {
    if (!verbose) return;
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
}

std::string body(bool big) {
    return big ? std::string(40000, 'x') : std::string("hello");
}

// Handler work later: counted so that the run does not end before it ran.
template <class F>
void defer(Timing how, F&& f) {
    ++run->deferred;
    auto job = [f = std::forward<F>(f)]() mutable {
        --run->deferred;
        ++run->progress;
        try {
            f();
        } catch (const Error&) {  // API misuse the script provoked (Node throws too)
        }
    };
    switch (how) {
        case Timing::Tick:
            process::nextTick(std::move(job));
            break;
        case Timing::Timeout:
            ++run->timeouts;
            setTimeout(
                [job = std::move(job)]() mutable {
                    --run->timeouts;
                    job();
                },
                0);
            break;
        default:
            setImmediate(std::move(job));
            break;
    }
}

void destroyNow(IncomingMessage& req, ServerResponse& res, Destroy what) {
    run->destroyed = run->destroyed || what != Destroy::None;
    net::Socket* socket = req.socket();
    switch (what) {
        case Destroy::None:
            break;
        case Destroy::Req:
            req.destroy();
            break;
        case Destroy::ReqError:
            req.destroy(Error("ECONNRESET", "fuzz"));
            break;
        case Destroy::Res:
            res.destroy();
            break;
        case Destroy::ResError:
            res.destroy(Error("EFUZZ", "fuzz"));
            break;
        case Destroy::Socket:
            if (socket != nullptr) socket->destroy();
            break;
        case Destroy::SocketError:
            if (socket != nullptr) socket->destroy(Error("EFUZZ", "fuzz"));
            break;
        case Destroy::SocketEnd:
            if (socket != nullptr) socket->end();
            break;
    }
}

// The script's destroy, then its server-wide call, from inside an event.
void actNow(IncomingMessage& req, ServerResponse& res, const Behaviour& b) {
    destroyNow(req, res, b.destroy);
    switch (b.serverOp) {
        case ServerOp::None:
            break;
        case ServerOp::CloseIdle:
            run->server->closeIdleConnections();
            break;
        case ServerOp::CloseAll:
            run->closedAll = true;
            run->server->closeAllConnections();
            break;
        case ServerOp::Close:
            run->server->close([](const Error*) { run->serverClosed = true; });
            break;
    }
}

void writeBody(ServerResponse& res, const Behaviour& b) {
    res.write("a");
    res.write(body(b.big));
}

// The extras that come after end(): each one throws, or reports through 'error'.
void afterEnd(ServerResponse& res, const Behaviour& b) {
    const auto attempt = [](auto&& f) {
        try {
            f();
        } catch (const Error&) {
        }
    };
    switch (b.extra) {
        case Extra::WriteAfterEnd:
            attempt([&] { res.write("late", [](const Error*) { ++run->progress; }); });
            break;
        case Extra::EndTwice:
            attempt([&] { res.end(); });
            break;
        case Extra::HeadTwice:
            attempt([&] { res.writeHead(500); });
            break;
        case Extra::HeaderAfterSent:
            attempt([&] { res.setHeader("X-Late", "1"); });
            attempt([&] { res.removeHeader("Date"); });
            break;
        default:
            break;
    }
}

void finish(ServerResponse& res, const Behaviour& b) {
    if (b.trailers) res.addTrailers({{"X-Trailer", "1"}});
    res.end();
    afterEnd(res, b);
}

// The answer, all at once, or its first part when streaming.
void answer(ServerResponse& res, const Behaviour& b, bool streamStart) {
    if (b.connectionClose && !res.headersSent()) res.setHeader("Connection", "close");
    if (b.extra == Extra::StatusAndHeaders && !res.headersSent()) {
        res.statusCode = 404;
        res.setHeader("X-Fuzz", "1");
        res.appendHeader("Set-Cookie", "a=1");
        res.appendHeader("Set-Cookie", "b=2");
    }
    if (streamStart) {
        if (b.shape == Shape::WriteHeadLength) {
            res.writeHead(200, {{"Content-Length", std::to_string(1 + body(b.big).size())}});
        }
        writeBody(res, b);
        return;
    }
    switch (b.shape) {
        case Shape::EndBody:
            res.end(body(b.big));
            break;
        case Shape::EndEmpty:
            res.end();
            break;
        case Shape::Chunked:
            writeBody(res, b);
            finish(res, b);
            break;
        case Shape::WriteHeadLength: {
            const std::string text = body(b.big);
            res.writeHead(200, {{"Content-Length", std::to_string(text.size())}});
            res.write(text.substr(0, text.size() / 2));
            res.end(text.substr(text.size() / 2));
            break;
        }
        case Shape::NoContent:
            res.writeHead(204);
            res.end("ignored");
            break;
        case Shape::NotModified:
            res.statusCode = 304;
            res.end();
            break;
        case Shape::FlushHeaders:
            res.flushHeaders();
            res.end(body(b.big));
            break;
        case Shape::Continue:
            res.writeContinue();
            res.end(body(b.big));
            break;
    }
    afterEnd(res, b);
}

void onRequest(IncomingMessage& req, ServerResponse& res) {
    ++run->progress;
    const std::size_t index = run->requests++;
    trace("request %zu %s %s", index, std::string(req.method()).c_str(),
          std::string(req.url()).c_str());
    const Behaviour b = run->script->behaviours[index % run->script->behaviours.size()];
    Ref<IncomingMessage> rq(&req);
    Ref<ServerResponse> rs(&res);
    req.on(events::kError, [](const Error&) { ++run->progress; });
    if (b.when == When::OnFinish) {
        res.on(http::kFinish, [rq, rs, b] { actNow(*rq, *rs, b); });
    }
    const bool streamBody = b.timing == Timing::StreamBody;
    if (b.when == When::InData || streamBody || b.read == Read::Data) {
        req.on(http::kData, [rq, rs, b, streamBody, n = 0](std::string_view) mutable {
            ++run->progress;
            if (b.when == When::InData && n == 0) actNow(*rq, *rs, b);
            if (streamBody && n++ < 4) {
                try {
                    rs->write("d");
                } catch (const Error&) {
                }
            }
        });
    }
    if (b.read == Read::Resume) req.resume();
    if (b.read == Read::PauseResume) {
        req.pause();
        defer(Timing::Immediate, [rq] { rq->resume(); });
    }
    if (b.when == When::InHandler) actNow(req, res, b);
    if (b.extra == Extra::Cork) {
        res.cork();
        defer(Timing::Tick, [rs] { rs->uncork(); });
    }
    if (b.extra == Extra::Informational) {
        res.writeProcessing();
        const HeaderField hints[] = {{"Link", "</style.css>; rel=preload; as=style"}};
        res.writeEarlyHints(hints);
    }
    switch (b.timing) {
        case Timing::Sync:
            answer(res, b, false);
            break;
        case Timing::Tick:
        case Timing::Immediate:
        case Timing::Timeout:
            defer(b.timing, [rs, b] { answer(*rs, b, false); });
            break;
        case Timing::OnReqEnd:
        case Timing::StreamBody:
            if (streamBody) answer(res, b, true);
            req.on(http::kEnd, [rs, b, streamBody] {
                ++run->progress;
                try {
                    if (streamBody) {
                        finish(*rs, b);
                    } else {
                        answer(*rs, b, false);
                    }
                } catch (const Error&) {
                }
            });
            break;
        case Timing::Never:
            break;
        case Timing::StreamLater:
            answer(res, b, true);
            defer(Timing::Immediate, [rs, b] { finish(*rs, b); });
            break;
    }
    if (b.when == When::AfterAnswer) {
        defer(Timing::Immediate, [rq, rs, b] { actNow(*rq, *rs, b); });
    }
}

// ---- driving the loop ----------------------------------------------------------------

void drainClient() {
    if (run->client < 0 || run->clientEof || !run->reading) return;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(run->client, buf, sizeof buf);
        if (n > 0) {
            run->output.append(buf, static_cast<std::size_t>(n));
            ++run->progress;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            run->clientEof = true;  // FIN, or ECONNRESET when unread bytes were dropped
            ++run->progress;
        }
        if (n < 0 && errno == EINTR) continue;
        return;
    }
}

// Runs the loop until nothing happens for two turns and no handler work is pending.
void settle(Loop& loop, int budget = 400) {
    int idle = 0;
    for (int i = 0; i < budget && idle < 2; ++i) {
        const std::uint64_t before = run->progress;
        // When a setTimeout(0) is all that is left, let its millisecond pass. (Never
        // runOnce(true): once the timer ran, its poll would wait for I/O that never comes.)
        if (run->timeouts > 0 && run->deferred == run->timeouts) ::poll(nullptr, 0, 1);
        loop.runOnce(false);
        drainClient();
        idle = run->progress == before && run->deferred == 0 ? idle + 1 : 0;
    }
}

// Writes `bytes` to the client end; the server reads between attempts if the pair is full.
bool send(Loop& loop, std::string_view bytes) {
    int stalls = 0;
    while (!bytes.empty()) {
        const ssize_t n = ::send(run->client, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            ++run->progress;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN && ++stalls < 8) {
            settle(loop, 20);
            continue;
        }
        return false;  // the server closed its end, or stopped reading
    }
    return true;
}

void closeClient() {
    if (run->client >= 0) ::close(run->client);
    run->client = -1;
    run->clientClosed = true;
}

http::ServerOptions serverOptions(const Script& s) {
    http::ServerOptions o;
    if ((s.flags & kSmallWaterMarks) != 0) o.highWaterMark = 1024;
    if ((s.flags & kSmallHeaders) != 0) o.maxHeaderSize = 256;
    o.insecureHTTPParser = (s.flags & kInsecure) != 0;
    o.requireHostHeader = !s.noHost;
    return o;
}

void execute(const Script& script) {
    Loop& loop = Loop::current();
    Run r;
    r.script = &script;
    run = &r;

    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0) {
        failure("socketpair");
    }
    r.client = fds[1];
    if ((script.flags & kSmallWaterMarks) != 0) {
        // Small kernel buffers too, so that the server's writes back up after a few KiB.
        const int size = 4096;
        for (int fd : fds) {
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        }
    }
    r.server =
        http::createServer(serverOptions(script), [](IncomingMessage& req, ServerResponse& res) {
            try {
                onRequest(req, res);
            } catch (const Error&) {
            }
        });
    http::Server& server = *r.server;
    server.httpAllowHalfOpen = (script.flags & kHttpHalfOpen) != 0;
    if (script.maxRequests) server.maxRequestsPerSocket = 2;
    // Node: an idle socket times out; without 'timeout' listeners it is destroyed.
    if ((script.flags & kSocketTimeout) != 0) server.timeout = 1;
    if ((script.flags & kClientErrorListener) != 0) {
        // Node's documented pattern: answer 400 and close, once.
        server.on(http::kClientError, [](const Error&, net::Socket& socket) {
            ++run->progress;
            if (socket.destroyed() || socket.writableEnded()) return;
            if (socket.bytesWritten() > 0) {
                run->destroyed = true;
                socket.destroy();
                return;
            }
            socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        });
    }
    if ((script.flags & kUpgradeListeners) != 0) {
        const auto takeOver = [](IncomingMessage& req, net::Socket& socket, std::string_view) {
            ++run->progress;
            run->destroyed = true;
            run->tookOver = true;
            if (req.url().size() % 2 == 0) {
                socket.end();
            } else {
                socket.destroy();
            }
        };
        server.on(http::kUpgrade, takeOver);
        server.on(http::kConnect, takeOver);
    }
    const auto subscription =
        http::diagnostics::onRequestStart([](const http::diagnostics::RequestStart& m) {
            ++run->progress;
            ++run->responses;
            run->methods.emplace_back(m.request.method());
            const std::size_t i = run->responses;
            m.response.on(http::kFinish, [i] {
                ++run->progress;
                ++run->finishes;
                trace("response %zu finish", i);
            });
            m.response.on(events::kError, [i](const Error& e) {
                ++run->progress;
                trace("response %zu error %s", i, e.code().c_str());
            });
            m.response.on(http::kResponseClose, [i] {
                ++run->progress;
                ++run->responseCloses;
                trace("response %zu close", i);
            });
        });

    net::SocketOptions so;
    so.fd = fds[0];
    so.allowHalfOpen = (script.flags & kNoHalfOpen) == 0;  // as the http server's own sockets
    if ((script.flags & kSmallWaterMarks) != 0) so.writableHighWaterMark = 1024;
    {
        CallbackScope scope(loop, kTopLevelAsyncId, kTopLevelAsyncId);
        r.socket = net::Socket::create(so);
        r.socket->on(net::Socket::kClose, [](bool) {
            ++run->progress;
            run->socketClosed = true;
        });
        // Node's http server listens for 'error' on its sockets (socketOnError); this one
        // catches errors of the script's own destroy(err) once the connection let go.
        // Node's default 'clientError' handling destroys the socket with the parse error, cutting
        // an answer in flight short: that shows here.
        r.socket->on(net::Socket::kError, [](const Error&) {
            ++run->progress;
            run->socketError = true;
        });
        r.socket->on(net::Socket::kTimeout, [] {
            ++run->progress;
            run->timedOut = true;
        });
        server.emit(net::Server::kConnection, *r.socket);
    }  // drains the setup's ticks, as after Node's main module

    // The client: the stream in pieces, with the script's half-close or close.
    std::string_view rest = script.stream;
    std::size_t offset = 0;
    bool open = true;
    if (script.dribble) {
        const std::size_t n = std::min<std::size_t>(64, rest.size());
        for (std::size_t i = 0; i < n && open; ++i) {
            open = send(loop, rest.substr(i, 1));
            settle(loop, 8);
        }
        offset = n;
    }
    const auto serverCall = [&loop, &server](bool all) {
        makeCallback(loop, kTopLevelAsyncId, kTopLevelAsyncId, [&server, all] {
            if (all) {
                server.close([](const Error*) { run->serverClosed = true; });
            } else {
                server.closeIdleConnections();
            }
        });
    };
    for (const Cut& cut : script.cuts) {
        if (open && cut.at > offset) {
            open = send(loop, script.stream.substr(offset, cut.at - offset));
            offset = cut.at;
        }
        switch (cut.kind) {
            case OpKind::Cut:
                loop.runOnce(false);
                drainClient();
                break;
            case OpKind::Settle:
                settle(loop);
                break;
            case OpKind::HalfClose:
                if (r.client >= 0) ::shutdown(r.client, SHUT_WR);
                r.halfClosed = true;
                open = false;
                break;
            case OpKind::Close:
                settle(loop);
                closeClient();
                open = false;
                break;
            case OpKind::StopReading:
                r.reading = false;
                break;
            case OpKind::ResumeReading:
                r.reading = true;
                drainClient();
                break;
            case OpKind::CloseIdle:
                serverCall(false);
                break;
            case OpKind::CloseServer:
                serverCall(true);
                break;
            case OpKind::Wait:
                ::poll(nullptr, 0, 2);
                settle(loop);
                break;
            case OpKind::CloseAll:
                makeCallback(loop, kTopLevelAsyncId, kTopLevelAsyncId,
                             [&server] { server.closeAllConnections(); });
                r.closedAll = true;
                break;
        }
    }
    if (open && offset < script.stream.size()) send(loop, script.stream.substr(offset));
    r.reading = true;  // the client reads the rest: backed-up responses can finish
    settle(loop);

    // The end: every response still open is cut short by closeAllConnections().
    r.unfinished = r.finishes != r.responses;
    makeCallback(loop, kTopLevelAsyncId, kTopLevelAsyncId, [&server, &r] {
        if (r.tookOver) r.socket->destroy();  // the listener's now: the server lets go of it
        server.closeAllConnections();
        server.close([](const Error*) { run->serverClosed = true; });
    });
    settle(loop);
    for (int i = 0; i < 1000 && (r.deferred > 0 || !r.socketClosed || !r.serverClosed); ++i) {
        if (r.timeouts > 0) ::poll(nullptr, 0, 1);
        loop.runOnce(false);
        drainClient();
    }
    http::diagnostics::unsubscribe(subscription);

    if (verbose) {
        std::fprintf(
            stderr,
            "requests %zu responses %zu finished %zu closed %zu destroyed %d halfClosed %d "
            "clientClosed %d tookOver %d\n%s\n----\n",
            r.requests, r.responses, r.finishes, r.responseCloses, r.destroyed, r.halfClosed,
            r.clientClosed, r.tookOver, r.output.substr(0, 2000).c_str());
    }
    // ---- checks
    if (r.deferred != 0) failure("handler work still pending after close");
    if (!r.socketClosed || r.socket->readyState() != "closed") failure("socket not closed");
    if (server.trackedConnections() != 0) failure("connection still tracked after close");
    if (!r.serverClosed) failure("server close callback did not run");
    if (r.responseCloses != r.responses) {
        failure("responses and their 'close' events differ",
                std::to_string(r.responses) + " vs " + std::to_string(r.responseCloses));
    }
    if (!r.clientClosed) {
        // The server's end is closed: the client reads the rest, then EOF.
        for (int i = 0; i < 4 && !r.clientEof; ++i) drainClient();
        if (!r.clientEof) failure("client did not see the end of the connection");
    }
    const fuzz::ResponseStream rs = fuzz::readResponses(r.output, r.methods);
    if (!rs.ok) failure("malformed response stream", rs.problem);
    if (rs.finals - rs.canned > r.responses || rs.canned > 1) {
        failure("more responses than requests", std::to_string(rs.finals) + " (" +
                                                    std::to_string(rs.canned) + " canned) for " +
                                                    std::to_string(r.responses) + " requests");
    }
    // A socket without allowHalfOpen ends its side on the client's FIN, cutting answers short.
    const bool cutByFin = r.halfClosed && (script.flags & kNoHalfOpen) != 0;
    if (rs.partial && !r.unfinished && !r.destroyed && !r.clientClosed && !cutByFin &&
        !r.socketError && !r.timedOut && !r.closedAll) {
        failure("a finished response was cut short");
    }

    closeClient();
    r.socket.reset();
    r.server.reset();
    run = nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Loop* loop = new Loop;  // one loop for every input: intentionally never freed
    (void)loop;
    Script script;
    if (!decode(data, size, script)) return 0;
    execute(script);
    return 0;
}
