// The server's HTTP/1.1 request reader, the yuan parser and the loopback check, in process.
#include <gtest/gtest.h>

#include <string>

#include "api/money.hpp"
#include "http/listeners.hpp"
#include "http/request_reader.hpp"

namespace taplink::server::http {
namespace {

// Serves the bytes in small pieces (as a network would) and records what the reader writes.
class ScriptedStream : public ByteStream {
  public:
    explicit ScriptedStream(std::string input, std::size_t piece = 7)
        : input_(std::move(input)), piece_(piece) {}

    std::size_t readSome(char* buffer, std::size_t size) override {
        const std::size_t n = std::min({size, piece_, input_.size() - offset_});
        input_.copy(buffer, n, offset_);
        offset_ += n;
        return n;
    }
    bool writeAll(std::string_view bytes) override {
        written.append(bytes);
        return true;
    }

    std::string written;

  private:
    std::string input_;
    std::size_t piece_;
    std::size_t offset_ = 0;
};

int statusOf(const std::string& input) {
    ScriptedStream stream(input);
    RequestReader reader(stream, Limits{});
    try {
        reader.next();
    } catch (const HttpError& error) {
        return error.status();
    }
    return 0;
}

TEST(RequestReader, ReadsKeepAliveRequestsOneAfterAnother) {
    ScriptedStream stream(
        "POST /v1/orders/ORD-1/authorize?x=1 HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        "GET /v1/orders/ORD-1 HTTP/1.1\r\nConnection: close\r\n\r\n");
    RequestReader reader(stream, Limits{});
    const auto first = reader.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->method, "POST");
    EXPECT_EQ(first->path, "/v1/orders/ORD-1/authorize");
    EXPECT_EQ(first->body, "{}");
    EXPECT_EQ(first->header("content-type"), "application/json");
    EXPECT_TRUE(first->keepAlive);
    const auto second = reader.next();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->path, "/v1/orders/ORD-1");
    EXPECT_FALSE(second->keepAlive);
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(stream.written.empty());
}

TEST(RequestReader, AnswersExpectContinueBeforeTheBody) {
    const std::string head =
        "POST /admin/orders HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    ScriptedStream stream(head + "abc", head.size());  // the body comes in a later read
    RequestReader reader(stream, Limits{});
    const auto request = reader.next();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->body, "abc");
    EXPECT_EQ(stream.written, "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(RequestReader, RefusesWhatItWillNotRead) {
    EXPECT_EQ(statusOf("GARBAGE\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1 extra\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("get /x HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("GET x HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("GET /x HTTP/2.0\r\n\r\n"), 505);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nNo colon\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nA: b\rc\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
    EXPECT_EQ(statusOf("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
              400);
    EXPECT_EQ(statusOf("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 411);
    EXPECT_EQ(statusOf("POST /x HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"), 413);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nExpect: something\r\n\r\n"), 417);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nX: " + std::string(17000, 'a') + "\r\n\r\n"), 431);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\nX: " + std::string(17000, 'a')), 431);
    EXPECT_EQ(statusOf("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"), 400);
    EXPECT_EQ(statusOf("GET /x HTTP/1.1\r\n"), 400);  // ends inside the head
    EXPECT_EQ(statusOf(""), 0);                       // no request at all
}

TEST(RequestReader, AcceptsTheLargestAllowedHeadAndBody) {
    const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 65536\r\nX: ";
    const std::string padding(std::size_t{16} * 1024 - head.size() - 4, 'a');
    ScriptedStream stream(head + padding + "\r\n\r\n" + std::string(65536, 'b'), 4096);
    RequestReader reader(stream, Limits{});
    const auto request = reader.next();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->body.size(), 65536U);
}

TEST(Yuan, ParsesAtMostTwoDecimals) {
    EXPECT_EQ(server::parseYuan("50.00"), 5000U);
    EXPECT_EQ(server::parseYuan("50"), 5000U);
    EXPECT_EQ(server::parseYuan("0.5"), 50U);
    EXPECT_EQ(server::parseYuan("0.05"), 5U);
    EXPECT_EQ(server::parseYuan("0"), 0U);
    for (const char* bad :
         {"", ".5", "5.", "5.001", "-5", "+5", "5e2", " 5", "5,00", "1.2.3", "999999999", "0x10"}) {
        EXPECT_FALSE(server::parseYuan(bad)) << bad;
    }
    EXPECT_EQ(server::formatYuan(5), "0.05");
    EXPECT_EQ(server::formatYuan(100000), "1000.00");
}

TEST(Listeners, OnlyLoopbackAddressesAreLoopback) {
    for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
        EXPECT_TRUE(isLoopbackHost(host)) << host;
    }
    for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "example.com", "",
                             "::ffff:127.0.0.1", "127.0.0.1 "}) {
        EXPECT_FALSE(isLoopbackHost(host)) << host;
    }
    EXPECT_THROW(listenOnLoopback("0.0.0.0", 0), ListenError);
}

}  // namespace
}  // namespace taplink::server::http
