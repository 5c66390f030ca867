// The handshake's Host and Origin rules on their own (the server tests show them applied).
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace taplink::api
