// The handshake's Host and Origin rules on their own (the server tests show them applied).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "api/websocket_checks.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api {
namespace {

TEST(WebSocketHostCheck, AcceptsTheLoopbackNamesWithOrWithoutAPort) {
    for (const char* host : {"localhost", "LocalHost", "localhost:47631", "127.0.0.1",
                             "127.0.0.1:1", "[::1]", "[::1]:65535"}) {
        EXPECT_TRUE(isLoopbackHost(host)) << host;
    }
}

TEST(WebSocketHostCheck, RefusesNamesADnsAnswerCouldPointAtTheLoopback) {
    for (const char* host : {"evil.example",
                             "localhost.evil.example",
                             "127.0.0.1.nip.io",
                             "evil.example:47631",
                             "localhost.",
                             "sub.localhost",
                             "127.0.0.2",
                             "0.0.0.0",
                             "[::2]",
                             "[::1",
                             "::1",
                             "[0:0:0:0:0:0:0:1]",
                             "localhost:",
                             "localhost:port",
                             "localhost:65536",
                             "localhost:123456",
                             "localhost:1:2",
                             "",
                             " localhost",
                             "localhost ",
                             "127.0.0.1@evil.example"}) {
        EXPECT_FALSE(isLoopbackHost(host)) << host;
    }
}

TEST(WebSocketOriginCheck, AcceptsSerialisedOrigins) {
    for (const char* origin : {"https://shop.example", "https://shop.example:8443",
                               "http://localhost:8080", "http://127.0.0.1", "http://[::1]:3000",
                               "chrome-extension://abcdef", "https://xn--bcher-kva.example"}) {
        EXPECT_TRUE(isWellFormedOrigin(origin)) << origin;
    }
}

TEST(WebSocketOriginCheck, RefusesWhatIsNotAnOrigin) {
    for (const char* origin : {"", "null", "shop.example", "https://", "https://shop.example/",
                               "https://shop.example/path", "https://user@shop.example",
                               "https://shop.example:", "https://shop.example:99999",
                               "https://shop example", "1https://shop.example", "https://[zz::1]",
                               "https://shop.example\r\nX: y", "file:///etc/passwd"}) {
        EXPECT_FALSE(isWellFormedOrigin(origin)) << origin;
    }
}

TEST(WebSocketOriginCheck, RefusesAnOriginLongerThanTheLimit) {
    const std::string longest = "https://" + std::string(kMaxOriginBytes - 8, 'a');
    EXPECT_TRUE(isWellFormedOrigin(longest));
    EXPECT_FALSE(isWellFormedOrigin(longest + "a"));
}

// One more connection of `origin` beside those open, under small shares: per origin 2, per
// domain 3, unlisted origins 4 together; only https://shop.example is on the allow-list.
std::optional<std::string> oneMore(const std::vector<std::string>& open,
                                   const std::string& origin) {
    ConnectionShares shares{2, 3, 4,
                            [](std::string_view o) { return o == "https://shop.example"; }};
    return exceededShare(shares, open, origin);
}

TEST(WebSocketConnectionShares, EachOriginAndDomainHoldsItsShare) {
    const std::vector<std::string> two{"https://a.evil.example", "https://a.evil.example"};
    EXPECT_EQ(oneMore(two, "https://a.evil.example"),
              "too many connections from https://a.evil.example");
    EXPECT_EQ(oneMore(two, "https://b.evil.example"), std::nullopt);
    auto three = two;
    three.emplace_back("https://b.evil.example");
    EXPECT_EQ(oneMore(three, "https://c.evil.example"), "too many connections from evil.example")
        << "subdomains share their domain's";
}

TEST(WebSocketConnectionShares, PagesNotAllowedHoldTheirShareTogetherAndAllowedOnesStillGetIn) {
    const std::vector<std::string> foreign{"https://a.one.example", "https://a.two.example",
                                           "https://a.three.example", "https://a.four.example"};
    EXPECT_EQ(oneMore(foreign, "https://a.five.example"),
              "too many connections from web pages that are not allowed");
    EXPECT_EQ(oneMore(foreign, "https://shop.example"), std::nullopt);
}

TEST(WebSocketConnectionShares, WithoutAnAllowListEveryOriginCountsAsListed) {
    const std::vector<std::string> foreign{"https://a.one.example", "https://a.two.example",
                                           "https://a.three.example", "https://a.four.example"};
    EXPECT_EQ(exceededShare(ConnectionShares{2, 3, 4, {}}, foreign, "https://a.five.example"),
              std::nullopt);
}

}  // namespace
}  // namespace taplink::api
