// The WebSocket's opening handshake on real loopback sockets: who gets upgraded (a loopback
// Host, a well-formed Origin), what a foreign origin can do once in (nothing), the
// subprotocol, plain HTTP, the connection limit, and where the server listens.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "taplink/rpc/transport_error.hpp"
#include "ws_fixture.hpp"

namespace taplink::api::test {
namespace {

using WebSocketHandshakeTest = WebSocketFixture;

TEST_F(WebSocketHandshakeTest, AnAllowedOriginIsUpgradedAndGetsTheWebApi) {
    start();
    auto client = open();
    client.sendJson(request(1, "api.version"));
    const auto reply = client.readJson();
    EXPECT_EQ(reply["id"], 1);
    EXPECT_EQ(reply["result"]["version"], kApiVersion);
    const auto methods = reply["result"]["methods"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(methods.begin(), methods.end(), "test.echo"), methods.end());
    EXPECT_EQ(std::find(methods.begin(), methods.end(), "test.owner"), methods.end());
    EXPECT_TRUE(waitUntil([&] { return server->connectionCount() == 1; }));
}

TEST_F(WebSocketHandshakeTest, EveryConnectionIsAWebCallerWithItsOrigin) {
    start();
    auto client = open();
    client.sendJson(request(1, "test.whoami"));
    EXPECT_EQ(client.readJson()["result"],
              (nlohmann::json{
                  {"transport", "websocket"}, {"caller", "web"}, {"origin", kAllowedOrigin}}));
}

TEST_F(WebSocketHandshakeTest, AForeignOriginIsConnectedButEveryCallIsDenied) {
    start();
    auto client = open("https://evil.example");
    for (const auto* method : {"api.version", "test.echo", "events.subscribe"}) {
        client.sendJson(request(method, method));
        const auto reply = client.readJson();
        EXPECT_EQ(reply["id"], method);
        EXPECT_EQ(reply["error"]["data"]["code"], errorCodeName(ErrorCode::OriginDenied)) << method;
        EXPECT_EQ(reply["error"]["data"]["details"]["origin"], "https://evil.example");
    }
}

TEST_F(WebSocketHandshakeTest, AHandshakeWithoutOriginIsRefusedWith403) {
    start();
    auto client = connect();
    EXPECT_EQ(client.handshake({}).status, 403);
    EXPECT_TRUE(client.waitForEof());
    EXPECT_NE(loggedText().find("Origin"), std::string::npos);
}

TEST_F(WebSocketHandshakeTest, AnOriginThatIsNoOriginIsRefusedWith403) {
    start();
    for (const char* origin : {"null", "file:///home/user/page.html", "https://shop.test/path"}) {
        auto client = connect();
        EXPECT_EQ(client.handshake({.origin = origin}).status, 403) << origin;
    }
}

TEST_F(WebSocketHandshakeTest, AHostThatIsNotALoopbackNameIsRefusedWith403) {
    start();
    // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
    const std::vector<std::string> hosts{"evil.example", "localhost.evil.example",
                                         "127.0.0.1.nip.io",
                                         "evil.example:" + std::to_string(server->port()), ""};
    for (const auto& host : hosts) {
        auto client = connect();
        EXPECT_EQ(client.handshake({.host = host, .origin = std::string(kAllowedOrigin)}).status,
                  403)
            << "Host: " << host;
    }
    EXPECT_EQ(server->connectionCount(), 0U);
}

TEST_F(WebSocketHandshakeTest, EveryLoopbackNameIsAcceptedAsHost) {
    start();
    const std::string port = std::to_string(server->port());
    const std::vector<std::string> hosts{"localhost", "localhost:" + port, "127.0.0.1:" + port,
                                         "[::1]:" + port};
    for (const auto& host : hosts) {
        auto client = connect();
        EXPECT_EQ(client.handshake({.host = host, .origin = std::string(kAllowedOrigin)}).status,
                  101)
            << "Host: " << host;
    }
}

TEST_F(WebSocketHandshakeTest, TheTaplinkSubprotocolIsAcceptedWhenOffered) {
    start();
    auto client = connect();
    const auto response = client.handshake(
        {.origin = std::string(kAllowedOrigin), .subprotocol = std::string(kWebSocketSubprotocol)});
    ASSERT_EQ(response.status, 101);
    EXPECT_EQ(response.headers.at("sec-websocket-protocol"), kWebSocketSubprotocol);
    client.sendJson(request(1, "test.echo", {{"a", 1}}));
    EXPECT_EQ(client.readJson()["result"]["a"], 1);
}

TEST_F(WebSocketHandshakeTest, OnlyOtherSubprotocolsOfferedIsRefused) {
    start();
    auto other = connect();
    EXPECT_THROW(
        other.handshake({.origin = std::string(kAllowedOrigin), .subprotocol = "other.v9"}),
        std::runtime_error);  // closed without an answer
    auto both = connect();
    const auto response = both.handshake(
        {.origin = std::string(kAllowedOrigin), .subprotocol = "other.v9, taplink.v1"});
    EXPECT_EQ(response.status, 101);
    EXPECT_EQ(response.headers.at("sec-websocket-protocol"), kWebSocketSubprotocol);
}

TEST_F(WebSocketHandshakeTest, APlainHttpRequestIsRefused) {
    start();
    auto client = connect();
    client.sendRaw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://shop.test\r\n\r\n");
    EXPECT_EQ(client.readHttpResponse().status, 400);
}

TEST_F(WebSocketHandshakeTest, APeerThatNeverCompletesTheHandshakeIsDropped) {
    start();
    // lws gives a handshake about 10 s; wait longer than the usual guard for it.
    WsClient silent("127.0.0.1", server->port(), std::chrono::seconds(40));
    silent.sendRaw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // and never the end of it
    EXPECT_TRUE(silent.waitForEof());
}

TEST_F(WebSocketHandshakeTest, ConnectionsOverTheLimitAreRefusedWith503) {
    auto serverOptions = options();
    serverOptions.maxConnections = 2;
    start(serverOptions);
    auto first = open();
    auto second = open();
    ASSERT_TRUE(waitUntil([&] { return server->connectionCount() == 2; }));
    auto third = connect();
    EXPECT_EQ(third.handshake({.origin = std::string(kAllowedOrigin)}).status, 503);
    first.close();
    ASSERT_TRUE(waitUntil([&] { return server->connectionCount() == 1; }));
    auto fourth = open();
    fourth.sendJson(request(1, "test.echo"));
    EXPECT_EQ(fourth.readJson()["id"], 1);
}

TEST_F(WebSocketHandshakeTest, PagesNotAllowedCannotTakeTheConnectionsOfAllowedOnes) {
    auto serverOptions = options();
    serverOptions.maxConnections = 8;
    serverOptions.shares = {2, 8, 3,
                            [](std::string_view origin) { return origin == kAllowedOrigin; }};
    start(serverOptions);
    std::vector<WsClient> foreign;
    foreign.push_back(open("https://a.evil.example"));
    foreign.push_back(open("https://a.evil.example"));
    auto third = connect();
    EXPECT_EQ(third.handshake({.origin = "https://a.evil.example"}).status, 503) << "its share";
    foreign.push_back(open("https://b.evil.example"));
    auto otherForeign = connect();
    EXPECT_EQ(otherForeign.handshake({.origin = "https://c.other.example"}).status, 503)
        << "the share of the pages not allowed, together";
    auto shop = open();
    auto secondShop = open();
    secondShop.sendJson(request(1, "test.echo"));
    EXPECT_EQ(secondShop.readJson()["id"], 1);
    EXPECT_NE(loggedText().find("too many connections from web pages that are not allowed"),
              std::string::npos)
        << loggedText();
}

bool hostHasIpv6Loopback() {
    const UniqueFd probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    return probe &&
           ::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

TEST_F(WebSocketHandshakeTest, ListensOnBoth127001AndIpv6Loopback) {
    start();
    auto ipv4 = open(kAllowedOrigin, "127.0.0.1");
    ipv4.sendJson(request(4, "test.echo"));
    EXPECT_EQ(ipv4.readJson()["id"], 4);
    if (!hostHasIpv6Loopback()) {
        GTEST_SKIP() << "this host has no IPv6 loopback";
    }
    EXPECT_TRUE(server->listensOnIpv6());
    auto ipv6 = open(kAllowedOrigin, "::1");
    ipv6.sendJson(request(6, "test.echo"));
    EXPECT_EQ(ipv6.readJson()["id"], 6);
}

// The local addresses of the listening TCP sockets on the port, from /proc/net/tcp{,6}:
// hex as the kernel prints it (IPv4: 0100007F is 127.0.0.1).
std::vector<std::string> listeningAddresses(std::uint16_t port) {
    std::vector<std::string> addresses;
    char portHex[8];
    std::snprintf(portHex, sizeof portHex, "%04X", port);
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // the header
        while (std::getline(file, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            const auto colon = local.find(':');
            if (state == "0A" && local.substr(colon + 1) == portHex) {  // 0A: LISTEN
                addresses.push_back(local.substr(0, colon));
            }
        }
    }
    return addresses;
}

TEST_F(WebSocketHandshakeTest, ListensOnTheLoopbackAddressesOnly) {
    start();
    const auto addresses = listeningAddresses(server->port());
    ASSERT_FALSE(addresses.empty());
    for (const auto& address : addresses) {
        EXPECT_TRUE(address == "0100007F" || address == "00000000000000000000000001000000")
            << "listening on " << address;
    }
}

TEST_F(WebSocketHandshakeTest, IsNotReachableOnTheHostsOtherAddresses) {
    start();
    ifaddrs* list = nullptr;
    ASSERT_EQ(::getifaddrs(&list), 0);
    int tried = 0;
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        const sockaddr* address = entry->ifa_addr;
        if (address == nullptr ||
            (address->sa_family != AF_INET && address->sa_family != AF_INET6)) {
            continue;
        }
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw =
            address->sa_family == AF_INET
                ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
                : static_cast<const void*>(
                      &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
        ::inet_ntop(address->sa_family, raw, text, sizeof text);
        const std::string name = text;
        if (name == "127.0.0.1" || name == "::1" || name.rfind("fe80:", 0) == 0) {
            continue;  // the loopback itself; link-local needs a scope id to connect to
        }
        ++tried;
        EXPECT_THROW(WsClient(name, server->port(), kGuard), std::system_error) << name;
    }
    ::freeifaddrs(list);
    if (tried == 0) {
        GTEST_SKIP() << "this host has no address but the loopback";
    }
}

TEST_F(WebSocketHandshakeTest, APortInUseIsATransportError) {
    start();
    auto second = options();
    second.port = server->port();
    EXPECT_THROW(WebSocketServer(dispatcher, second), TransportError);
}

TEST_F(WebSocketHandshakeTest, OptionsThatMakeNoSenseAreATransportError) {
    auto noBurst = options();
    noBurst.burst = 0;
    EXPECT_THROW(WebSocketServer(dispatcher, noBurst), TransportError);
    auto idleBeforePing = options();
    idleBeforePing.idleTimeout = idleBeforePing.pingInterval;
    EXPECT_THROW(WebSocketServer(dispatcher, idleBeforePing), TransportError);
}

}  // namespace
}  // namespace taplink::api::test
