// http::Server against real clients (STYLE.md "Tests"): curl (keep-alive reuse, chunked
// upload, Expect: 100-continue), Python's http.client, node's http client with a keep-alive
// Agent, raw pipelined requests answered out of order, and a short wrk run with zero errors.
// A missing tool skips its test (scripts/install-deps.sh installs them).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "http_client.hpp"
#include "nodecc/http/incoming_message.hpp"
#include "nodecc/http/server.hpp"
#include "nodecc/http/server_response.hpp"
#include "nodecc/process/loop.hpp"
#include "nodecc/timers/timers.hpp"

namespace nodecc::test {
namespace {

using http::IncomingMessage;
using http::ServerResponse;

// Runs a shell command on the client thread; returns its stdout.
std::string capture(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return {};
    std::string out;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
    return out;
}

bool have(const std::string& tool) {
    return !capture("command -v " + tool + " 2>/dev/null").empty();
}

std::string url(int port, const std::string& path = "/") {
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

// Echoes the method, url and body; counts connections and requests.
struct EchoServer {
    Ref<http::Server> server;
    int connections = 0;
    int requests = 0;
    std::string transferEncoding;  // of the last request

    explicit EchoServer(http::ServerOptions options = {}) {
        server = http::createServer(options, [this](IncomingMessage& req, ServerResponse& res) {
            ++requests;
            const auto* te = req.headers().get("transfer-encoding");
            transferEncoding = te != nullptr ? std::string(te->value()) : "";
            auto body = std::make_shared<std::string>();
            Ref<ServerResponse> r(&res);
            const std::string head = std::string(req.method()) + " " + std::string(req.url());
            req.on(http::kData, [body](std::string_view d) { body->append(d); });
            req.on(http::kEnd, [r, body, head] {
                r->setHeader("Content-Type", "text/plain");
                r->end(head + " " + std::to_string(body->size()) + "\n" + *body);
            });
        });
        server->on(net::Server::kConnection, [this](net::Socket&) { ++connections; });
    }
};

// curl reuses one keep-alive connection for several URLs.
TEST(E2eCurl, KeepAliveReuse) {
    if (!have("curl")) GTEST_SKIP() << "curl not installed";
    Loop loop;
    EchoServer echo;
    std::string out;
    ASSERT_TRUE(runClient(loop, *echo.server, [&](int port) {
        out = capture("curl -s --http1.1 " + url(port, "/a") + " " + url(port, "/b") + " " +
                      url(port, "/c"));
    }));
    EXPECT_EQ(out, "GET /a 0\nGET /b 0\nGET /c 0\n");
    EXPECT_EQ(echo.requests, 3);
    EXPECT_EQ(echo.connections, 1);
}

// curl uploads a body with Transfer-Encoding: chunked (from stdin).
TEST(E2eCurl, ChunkedUpload) {
    if (!have("curl")) GTEST_SKIP() << "curl not installed";
    Loop loop;
    EchoServer echo;
    std::string out;
    ASSERT_TRUE(runClient(loop, *echo.server, [&](int port) {
        out = capture("head -c 300000 /dev/zero | tr '\\0' 'q' | curl -s --http1.1 -T - " +
                      url(port, "/up") + " | head -c 20");
    }));
    EXPECT_EQ(out, "PUT /up 300000\nqqqqq");
    EXPECT_EQ(echo.transferEncoding, "chunked");
}

// curl sends Expect: 100-continue and waits for the 100 before the body.
TEST(E2eCurl, ExpectContinue) {
    if (!have("curl")) GTEST_SKIP() << "curl not installed";
    Loop loop;
    EchoServer echo;
    int checks = 0;
    echo.server->on(http::kCheckContinue, [&](IncomingMessage& req, ServerResponse& res) {
        ++checks;
        res.writeContinue();
        echo.server->emit(http::kRequest, req, res);
    });
    std::string out;
    ASSERT_TRUE(runClient(loop, *echo.server, [&](int port) {
        out = capture(
            "head -c 5000 /dev/zero | tr '\\0' 'e' | curl -sv --http1.1 "
            "-H 'Expect: 100-continue' --expect100-timeout 10 --data-binary @- " +
            url(port, "/ex") + " 2>&1");
    }));
    EXPECT_EQ(checks, 1);
    EXPECT_NE(out.find("< HTTP/1.1 100 Continue"), std::string::npos) << out;
    EXPECT_NE(out.find("POST /ex 5000"), std::string::npos) << out;
}

// Python's http.client: keep-alive requests, a POST, HEAD and a chunked response.
TEST(E2ePython, HttpClient) {
    if (!have("python3")) GTEST_SKIP() << "python3 not installed";
    Loop loop;
    EchoServer echo;
    echo.server->removeAllListeners(http::kRequest);
    echo.server->on(http::kRequest, [&](IncomingMessage& req, ServerResponse& res) {
        ++echo.requests;
        if (req.url() == "/chunked") {
            res.write("part1,");
            res.write("part2");
            res.end();
        } else {
            res.setHeader("X-Method", req.method());
            res.end("hello");
        }
    });
    const std::string script =
        "import http.client,sys\n"
        "c=http.client.HTTPConnection('127.0.0.1',int(sys.argv[1]))\n"
        "out=[]\n"
        "for m,p in [('GET','/'),('POST','/'),('HEAD','/'),('GET','/chunked')]:\n"
        "  c.request(m,p,body='x' if m=='POST' else None)\n"
        "  r=c.getresponse()\n"
        "  out.append('%s %d %s %s' % (m,r.status,r.getheader('X-Method'),r.read().decode()))\n"
        "print('|'.join(out))\n";
    std::string out;
    ASSERT_TRUE(runClient(loop, *echo.server, [&](int port) {
        const std::string path = ::testing::TempDir() + "nodecc_http_client.py";
        std::ofstream(path) << script;
        out = capture("python3 " + path + " " + std::to_string(port));
    }));
    EXPECT_EQ(out,
              "GET 200 GET hello|POST 200 POST hello|HEAD 200 HEAD |GET 200 None part1,part2\n");
    EXPECT_EQ(echo.connections, 1);
}

// node's http client with a keep-alive Agent: many requests over few sockets.
TEST(E2eNode, KeepAliveAgentManyRequestsFewSockets) {
    if (!have("node")) GTEST_SKIP() << "node not installed";
    Loop loop;
    EchoServer echo;
    const std::string script =
        "const http=require('http');"
        "const agent=new http.Agent({keepAlive:true,maxSockets:4});"
        "let done=0,bad=0;const N=200;"
        "for(let i=0;i<N;i++){"
        " const req=http.request({port:+process.argv[2],host:'127.0.0.1',path:'/r'+i,"
        "  method:i%2?'POST':'GET',agent},res=>{let b='';res.setEncoding('utf8');"
        "  res.on('data',d=>b+=d);res.on('end',()=>{"
        "   const want=(i%2?'POST':'GET')+' /r'+i+' '+(i%2?String(i).length:0);"
        "   if(!b.startsWith(want))bad++;"
        "   if(++done===N){console.log('done',done,'bad',bad);agent.destroy();}});});"
        " req.on('error',e=>{console.log('error',e.code);process.exit(1)});"
        " if(i%2)req.write(String(i));req.end();}";
    std::string out;
    ASSERT_TRUE(runClient(
        loop, *echo.server,
        [&](int port) {
            const std::string path = ::testing::TempDir() + "nodecc_agent.js";
            std::ofstream(path) << script;
            out = capture("node " + path + " " + std::to_string(port));
        },
        20000));
    EXPECT_EQ(out, "done 200 bad 0\n");
    EXPECT_EQ(echo.requests, 200);
    EXPECT_GE(echo.connections, 1);
    EXPECT_LE(echo.connections, 4);
}

// Raw pipelined requests whose asynchronous handlers finish in reverse order: the answers
// come back in request order on one connection (Python raw socket client).
TEST(E2ePython, RawPipelinedOutOfOrder) {
    if (!have("python3")) GTEST_SKIP() << "python3 not installed";
    Loop loop;
    auto server = http::createServer([](IncomingMessage& req, ServerResponse& res) {
        Ref<ServerResponse> r(&res);
        const std::string u(req.url());
        const int n = std::stoi(u.substr(1));
        setTimeout([r, u] { r->end(u); }, 5.0 * (10 - n));  // later requests answer first
    });
    const std::string script =
        "import socket,sys\n"
        "s=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n"
        "s.sendall(b''.join(b'GET /%d HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' % i for i in "
        "range(10)))\n"
        "data=b''\n"
        "while data.count(b'HTTP/1.1 200')<10 or not data.endswith(b'/9'):\n"
        "  chunk=s.recv(65536)\n"
        "  if not chunk: break\n"
        "  data+=chunk\n"
        "print(','.join(p.split(b'\\r\\n\\r\\n')[1].decode() for p in "
        "data.split(b'HTTP/1.1 ')[1:]))\n";
    std::string out;
    ASSERT_TRUE(runClient(loop, *server, [&](int port) {
        const std::string path = ::testing::TempDir() + "nodecc_pipeline.py";
        std::ofstream(path) << script;
        out = capture("timeout 5 python3 " + path + " " + std::to_string(port));
    }));
    EXPECT_EQ(out, "/0,/1,/2,/3,/4,/5,/6,/7,/8,/9\n");
}

// A short wrk run: keep-alive load from several connections with zero errors.
TEST(E2eWrk, ShortRunWithoutErrors) {
    if (!have("wrk")) GTEST_SKIP() << "wrk not installed";
    Loop loop;
    auto server = http::createServer([](IncomingMessage&, ServerResponse& res) {
        res.setHeader("Content-Type", "text/plain");
        res.end("Hello, World!");
    });
    std::string out;
    ASSERT_TRUE(runClient(
        loop, *server, [&](int port) { out = capture("wrk -t2 -c32 -d1s " + url(port) + " 2>&1"); },
        15000));
    EXPECT_NE(out.find("requests in"), std::string::npos) << out;
    EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
    EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
}

}  // namespace
}  // namespace nodecc::test
