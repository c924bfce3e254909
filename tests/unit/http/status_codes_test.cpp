// http.STATUS_CODES (Node v20.20.2: `node -p "JSON.stringify(require('http').STATUS_CODES)"`).
#include "nodecc/http/status_codes.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace nodecc::http;

TEST(StatusCodes, TableMatchesNode) {
    std::string json = "{";
    for (const auto& [code, text] : statusCodes()) {
        if (json.size() > 1) json += ",";
        json += "\"" + std::to_string(code) + "\":\"" + std::string(text) + "\"";
    }
    json += "}";
    EXPECT_EQ(
        json,
        R"({"100":"Continue","101":"Switching Protocols","102":"Processing","103":"Early Hints","200":"OK","201":"Created","202":"Accepted","203":"Non-Authoritative Information","204":"No Content","205":"Reset Content","206":"Partial Content","207":"Multi-Status","208":"Already Reported","226":"IM Used","300":"Multiple Choices","301":"Moved Permanently","302":"Found","303":"See Other","304":"Not Modified","305":"Use Proxy","307":"Temporary Redirect","308":"Permanent Redirect","400":"Bad Request","401":"Unauthorized","402":"Payment Required","403":"Forbidden","404":"Not Found","405":"Method Not Allowed","406":"Not Acceptable","407":"Proxy Authentication Required","408":"Request Timeout","409":"Conflict","410":"Gone","411":"Length Required","412":"Precondition Failed","413":"Payload Too Large","414":"URI Too Long","415":"Unsupported Media Type","416":"Range Not Satisfiable","417":"Expectation Failed","418":"I'm a Teapot","421":"Misdirected Request","422":"Unprocessable Entity","423":"Locked","424":"Failed Dependency","425":"Too Early","426":"Upgrade Required","428":"Precondition Required","429":"Too Many Requests","431":"Request Header Fields Too Large","451":"Unavailable For Legal Reasons","500":"Internal Server Error","501":"Not Implemented","502":"Bad Gateway","503":"Service Unavailable","504":"Gateway Timeout","505":"HTTP Version Not Supported","506":"Variant Also Negotiates","507":"Insufficient Storage","508":"Loop Detected","509":"Bandwidth Limit Exceeded","510":"Not Extended","511":"Network Authentication Required"})");
}

// test-http-response-status-message.js / ECHO.md §4.3: unknown codes say "unknown".
TEST(StatusCodes, StatusMessage) {
    EXPECT_EQ(statusMessage(200), "OK");
    EXPECT_EQ(statusMessage(418), "I'm a Teapot");
    EXPECT_EQ(statusMessage(511), "Network Authentication Required");
    EXPECT_EQ(statusMessage(599), "unknown");
    EXPECT_EQ(statusMessage(99), "unknown");
    EXPECT_EQ(statusMessage(1000), "unknown");
    EXPECT_EQ(statusMessage(-1), "unknown");
    EXPECT_EQ(statusCodeText(306), "");
    EXPECT_EQ(statusCodeText(404), "Not Found");
}

// The head writer's status lines: "HTTP/1.1 <code> <text>\r\n" for every code with a text,
// readable for kStatusLineRoom bytes; none for a code without one.
TEST(StatusCodes, StatusLines) {
    for (const auto& [code, text] : statusCodes()) {
        const StatusLine line = statusLine(code);
        ASSERT_NE(line.bytes, nullptr) << code;
        EXPECT_EQ(std::string(line.bytes, line.size),
                  "HTTP/1.1 " + std::to_string(code) + " " + std::string(text) + "\r\n");
        EXPECT_EQ(line.text, text);
        EXPECT_LE(line.size, kStatusLineRoom);
        // statusLine's 200 without the lookup is the table's line.
        EXPECT_EQ(std::string(line.bytes, line.size),
                  std::string(statusLineOf(code).bytes, statusLineOf(code).size));
    }
    for (int code : {-1, 0, 99, 199, 306, 599, 1000}) {
        EXPECT_EQ(statusLine(code).bytes, nullptr) << code;
        EXPECT_EQ(statusLine(code).size, 0u) << code;
    }
}
