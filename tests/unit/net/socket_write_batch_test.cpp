// net::Socket write batches ended with endFollows (the HTTP server's last response on a
// connection it closes): the bytes are sent with MSG_MORE so that they leave with the
// FIN; the hint never holds bytes back from the peer, whatever follows it.
#include <string>
#include <vector>

#include "net_test_util.hpp"

namespace nodecc::test {
namespace {

TEST(NetSocketWriteBatch, EndFollowsTheBatchThePeerGetsTheBytesThenEof) {
    std::vector<std::string> events;
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.beginWriteBatch();
        s.write(std::string_view("head;"),
                [&](const Error* e) { events.push_back(e == nullptr ? "head" : e->code()); });
        s.write(std::string_view("body"),
                [&](const Error* e) { events.push_back(e == nullptr ? "body" : e->code()); });
        s.endWriteBatch(true);
        EXPECT_EQ(s.writableLength(), 0u);
        Ref<net::Socket> keep(&s);
        s.on(net::Socket::kFinish, [&] { events.push_back("finish"); });
        // As the HTTP server does: end() once the batch's callbacks have run.
        process::nextTick([keep] { keep->destroySoon(); });
    });
    EXPECT_EQ(got, "head;body");
    EXPECT_EQ(events, (std::vector<std::string>{"head", "body", "finish"}));
}

// A write after the hinted batch (instead of the end) sends the held tail with it, in order.
TEST(NetSocketWriteBatch, AWriteAfterAnEndFollowsBatchSendsBothInOrder) {
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.beginWriteBatch();
        s.write(std::string_view("first;"));
        s.endWriteBatch(true);
        s.write(std::string_view("second;"));
        Ref<net::Socket> keep(&s);
        process::nextTick([keep] {
            keep->write(std::string_view("third"));
            keep->end();
        });
    });
    EXPECT_EQ(got, "first;second;third");
}

// A batch larger than the socket buffer: what the kernel refuses is queued and follows.
TEST(NetSocketWriteBatch, ALargeEndFollowsBatchArrivesWhole) {
    std::string big(4u << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7 + 3) % 251);
    const std::string got = writeToASlowReader([&](net::Socket& s) {
        s.beginWriteBatch();
        s.write(std::string_view("<"));
        s.write(std::string_view(big));
        s.write(std::string_view(">"));
        s.endWriteBatch(true);
        s.end();
    });
    EXPECT_TRUE(got == "<" + big + ">");
}

}  // namespace
}  // namespace nodecc::test
