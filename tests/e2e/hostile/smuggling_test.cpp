// Request smuggling behind a pipelined second request: each ambiguous first request is
// followed on the same connection by "GET /smuggled". The server must read the bytes one
// way only: Node's 400 and close, with the smuggled request never reaching the handler
// (which sees exactly what Node v20's handler saw for the same bytes, recorded below, but
// for one case where nodecc is stricter),
// or, where the framing is unambiguous, both requests answered. The parser-level cases are
// tests/unit/http/parser_smuggling_test.cpp; this drives the whole server.
#include <string>
#include <vector>

#include "hostile_util.hpp"

namespace nodecc::test::hostile {
namespace {

constexpr const char* k400 = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
constexpr const char* kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

struct SmuggleCase {
    const char* name;
    const char* request;            // the ambiguous first request
    std::vector<std::string> seen;  // what Node v20's handler saw ("METHOD url")
    bool rejected = true;           // 400 + close; else both answered 200
};

// Observed with Node v20 (http.createServer; the handler reads the body, then answers).
const std::vector<SmuggleCase>& cases() {
    static const std::vector<SmuggleCase> all = {
        {"CL.TE",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\nG",
         {}},
        {"TE.CL",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
         "5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n",
         {}},
        {"duplicate CL",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n",
         {}},
        {"duplicate equal CL",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
         {}},
        {"CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello", {}},
        {"CL +5", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", {}},
        {"CL -1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", {}},
        {"TE chunked, gzip",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
         {}},
        {"TE gzip",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
         {"POST /"}},
        {"TE chunkedx",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n",
         {"POST /"}},
        {"TE chunked + TE gzip",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"
         "\r\n0\r\n\r\n",
         {}},
        // Node's handler sees "POST /" (the 400 is for the bytes after a non-keep-alive
        // request); nodecc rejects the head itself (docs/CONFORMANCE.md row 9, RFC 9112 §6.1).
        {"TE in HTTP/1.0",
         "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         {}},
        {"TE obs-fold",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
         {}},
        {"CL obs-fold", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n 5\r\n\r\nhello", {}},
        {"TE space before colon",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
         {}},
        {"TE vertical tab",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0b"
         "chunked\r\n\r\n0\r\n\r\n",
         {}},
        {"bare CR in head", "POST / HTTP/1.1\r\nHost: x\rContent-Length: 5\r\n\r\nhello", {}},
        {"bare LF in head", "POST / HTTP/1.1\r\nHost: x\nContent-Length: 5\r\n\r\nhello", {}},
        {"bare LF after request line",
         "POST / HTTP/1.1\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
         {}},
        {"bare CR after chunk size",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n",
         {"POST /"}},
        {"bare LF after chunk size",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
         {"POST /"}},
        {"chunk size overflow",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n",
         {"POST /"}},
        // Unambiguous: gzip then chunked, chunked last. Both requests are real.
        {"TE gzip, chunked (valid)",
         "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
         {"POST /", "GET /smuggled"},
         false},
    };
    return all;
}

TEST(HostileSmuggling, AmbiguousFramingNeverLetsTheSecondRequestThrough) {
    Loop loop;
    std::vector<std::string> seen;
    auto server = http::createServer([&](IncomingMessage& req, ServerResponse& res) {
        if (serveGood(req, res)) return;
        seen.push_back(std::string(req.method()) + " " + std::string(req.url()));
        Ref<ServerResponse> r(&res);
        req.on(http::kData, [](std::string_view) {});
        req.on(http::kEnd, [r] { r->end("ok"); });
    });
    HeapPeak heap;
    int asNode = 0, smuggledThrough = 0;
    const Aftermath after = attackBeside(
        loop, *server,
        [&](int port) {
            for (const SmuggleCase& c : cases()) {
                SCOPED_TRACE(c.name);
                onLoop(loop, [&] { seen.clear(); });
                RawClient client(port);
                client.send(std::string(c.request) + kSmuggled);
                std::string got;
                bool closed = false;
                if (c.rejected) {
                    got = normalizeDate(client.readAll(2000));
                    closed = client.peerClosed();
                    EXPECT_EQ(got, k400);
                    EXPECT_TRUE(closed);
                } else {
                    const std::string first = client.readResponse();
                    const std::string second = client.readResponse();
                    closed = statusOf(first) == 200 && statusOf(second) == 200;
                    got = k400;  // for the tally below
                    EXPECT_TRUE(closed) << first << second;
                }
                std::vector<std::string> handled;
                onLoop(loop, [&] { handled = seen; });
                EXPECT_EQ(handled, c.seen);
                for (const auto& s : handled) {
                    smuggledThrough += c.rejected && s == "GET /smuggled" ? 1 : 0;
                }
                asNode += got == k400 && closed && handled == c.seen ? 1 : 0;
            }
        },
        1, 20000);
    const int total = static_cast<int>(cases().size());
    EXPECT_EQ(asNode, total);
    EXPECT_EQ(smuggledThrough, 0);
    report("smuggling",
           std::to_string(total) +
               " ambiguous framings (CL.TE, TE.CL, duplicate CL, TE codings, obs-fold, bare CR/LF) "
               "each followed by a pipelined GET",
           std::to_string(asNode) + "/" + std::to_string(total) +
               " as Node: 400 + close (valid TE gzip, chunked: both served); smuggled request "
               "reached the handler " +
               std::to_string(smuggledThrough) + " times",
           "0 connections left; heap peak +" + heap.kibText(), after.good);
}

}  // namespace
}  // namespace nodecc::test::hostile
