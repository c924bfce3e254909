// nodecc-echo [PORT] — the conformance application of tests/conformance/ECHO.md,
// the C++ twin of node_echo.js. Prints "LISTENING 127.0.0.1:<port>" once it
// accepts; exits cleanly on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "echo_json.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/process/signals.hpp"

using nodecc::http::IncomingMessage;
using nodecc::http::ServerResponse;

namespace {

constexpr int kMaxStreamChunks = 100;

std::vector<echo::HeaderField> headerFields(const nodecc::http::IncomingHeaders& headers) {
    std::vector<echo::HeaderField> out;
    headers.forEach([&](const nodecc::http::IncomingHeaders::Entry& e) {
        echo::HeaderField f;
        f.name = e.key();
        f.isArray = e.isArray();
        if (f.isArray) {
            f.values.assign(e.values().begin(), e.values().end());
        } else {
            f.values.push_back(e.value());
        }
        out.push_back(std::move(f));
    });
    return out;
}

std::vector<std::string_view> flat(std::span<const nodecc::http::HeaderField> raw) {
    std::vector<std::string_view> out;
    for (const auto& f : raw) {
        out.push_back(f.name);
        out.push_back(f.value);
    }
    return out;
}

void appendHead(std::string& doc, IncomingMessage& req) {
    doc += "\"method\":";
    echo::appendLatin1Json(doc, req.method());
    doc += ",\"url\":";
    echo::appendLatin1Json(doc, req.url());
    doc += ",\"httpVersion\":";
    echo::appendLatin1Json(doc, req.httpVersion());
    doc += ",\"headers\":";
    echo::appendHeadersObject(doc, headerFields(req.headers()));
    doc += ",\"rawHeaders\":";
    echo::appendRawArray(doc, flat(req.rawHeaders()));
}

std::string echoDocument(IncomingMessage& req, std::string_view body) {
    std::string doc = "{";
    appendHead(doc, req);
    doc += ",\"trailers\":";
    echo::appendHeadersObject(doc, headerFields(req.trailers()));
    doc += ",\"rawTrailers\":";
    echo::appendRawArray(doc, flat(req.rawTrailers()));
    const bool utf8 = echo::isUtf8(body);
    doc += ",\"body\":";
    if (utf8) {
        echo::appendUtf8Json(doc, body);
    } else {
        doc += '"';
        echo::appendBase64(doc, body);
        doc += '"';
    }
    doc += utf8 ? ",\"bodyEncoding\":\"utf8\"" : ",\"bodyEncoding\":\"base64\"";
    doc += ",\"bodyLength\":" + std::to_string(body.size()) + "}";
    return doc;
}

std::string tunnelDocument(std::string_view kind, IncomingMessage& req, std::string_view head) {
    std::string doc = "{\"event\":\"";
    doc.append(kind).append("\",");
    appendHead(doc, req);
    doc += ",\"head\":\"";
    echo::appendBase64(doc, head);
    doc += "\",\"headLength\":" + std::to_string(head.size()) + "}";
    return doc;
}

// The value of `name` in a query string, or nullopt.
std::optional<std::string_view> queryParam(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        std::string_view part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (part.substr(0, eq) == name) {
            return eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

bool allDigits(std::string_view s) {
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

void respond(IncomingMessage& req, ServerResponse& res, const std::string& body) {
    const std::string doc = echoDocument(req, body);
    std::string_view url = req.url();
    std::string_view path, query;
    bool routed = !url.empty() && url[0] == '/';
    if (routed) {
        const auto q = url.find('?');
        path = url.substr(0, q);
        if (q != std::string_view::npos) query = url.substr(q + 1);
    }
    if (routed && path == "/stream") {
        int n = 3;
        if (auto c = queryParam(query, "chunks"); c && c->size() <= 3 && allDigits(*c)) {
            const int v = std::atoi(std::string(*c).c_str());
            if (v <= kMaxStreamChunks) n = v;
        }
        const bool withTrailer =
            queryParam(query, "trailer") == std::string_view("1") && req.httpVersion() == "1.1";
        res.statusCode = 200;
        res.setHeader("Content-Type", "text/plain");
        if (withTrailer) res.setHeader("Trailer", "X-Echo-Chunks");
        for (int i = 0; i < n; ++i) res.write("chunk " + std::to_string(i) + "\n");
        if (withTrailer) {
            const std::string count = std::to_string(n);
            res.addTrailers({{"X-Echo-Chunks", count}});
        }
        res.end();
        return;
    }
    if (routed && path.starts_with("/status/")) {
        const std::string_view s = path.substr(8);
        if (s.size() == 3 && s[0] >= '2' && s[0] <= '5' && allDigits(s)) {
            res.statusCode = std::atoi(std::string(s).c_str());
            res.setHeader("Content-Type", "application/json");
            res.end(doc);
            return;
        }
    }
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", static_cast<std::int64_t>(doc.size()));
    if (routed && path == "/close") res.setHeader("Connection", "close");
    res.end(doc);
}

}  // namespace

int main(int argc, char** argv) {
    const char* arg = argc > 1 ? argv[1] : std::getenv("PORT");
    const int port = arg != nullptr ? std::atoi(arg) : 0;
    if (port < 0 || port > 65535) {
        std::fprintf(stderr, "nodecc-echo: bad port\n");
        return 2;
    }
    auto server = nodecc::http::createServer([](IncomingMessage& req, ServerResponse& res) {
        auto body = std::make_shared<std::string>();
        req.on(nodecc::http::kData, [body](std::string_view chunk) { body->append(chunk); });
        nodecc::Ref<IncomingMessage> keepReq(&req);
        nodecc::Ref<ServerResponse> keepRes(&res);
        req.on(nodecc::http::kEnd,
               [keepReq, keepRes, body] { respond(*keepReq, *keepRes, *body); });
    });
    server->on(nodecc::http::kUpgrade, [](IncomingMessage& req, nodecc::net::Socket& socket,
                                          std::string_view head) {
        socket.on(nodecc::net::Socket::kError, [](const nodecc::Error&) {});
        socket.end(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n" +
            tunnelDocument("upgrade", req, head) + "\n");
    });
    server->on(nodecc::http::kConnect,
               [](IncomingMessage& req, nodecc::net::Socket& socket, std::string_view head) {
                   socket.on(nodecc::net::Socket::kError, [](const nodecc::Error&) {});
                   socket.end("HTTP/1.1 200 Connection Established\r\n\r\n" +
                              tunnelDocument("connect", req, head) + "\n");
               });
    server->listen(port, "127.0.0.1", [server] {
        std::printf("LISTENING 127.0.0.1:%d\n", server->address()->port);
        std::fflush(stdout);
    });
    auto stop = [server] {
        server->close();
        server->closeAllConnections();
        nodecc::process::removeSignalHandlers();
    };
    nodecc::process::onSignal(SIGINT, stop);
    nodecc::process::onSignal(SIGTERM, stop);
    return nodecc::run();
}
