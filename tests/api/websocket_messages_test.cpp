// Messages on the WebSocket: one JSON-RPC message per text frame, fragments joined, error
// replies like the Unix socket's, owner-only methods out of reach, the size and rate limits
// and their close codes, events to subscribers, calls in flight per connection.
#include <map>
#include <system_error>
#include <thread>

#include "ws_fixture.hpp"

namespace taplink::api::test {
namespace {

using WebSocketMessagesTest = WebSocketFixture;

TEST_F(WebSocketMessagesTest, ARequestGetsItsResultWithItsId) {
    start();
    auto client = open();
    client.sendJson(request("text-id", "test.echo", {{"b", "two"}}));
    EXPECT_EQ(client.readJson(),
              (nlohmann::json{{"jsonrpc", "2.0"}, {"id", "text-id"}, {"result", {{"b", "two"}}}}));
}

TEST_F(WebSocketMessagesTest, AFragmentedMessageIsJoinedBeforeItIsParsed) {
    start();
    auto client = open();
    const std::string text = request(9, "test.echo", {{"pad", std::string(3000, 'x')}}).dump();
    client.sendFrame(WsOpcode::Text, text.substr(0, 10), false);
    client.sendFrame(WsOpcode::Continuation, text.substr(10, 2000), false);
    client.sendFrame(WsOpcode::Continuation, text.substr(2010), true);
    const auto reply = client.readJson();
    EXPECT_EQ(reply["id"], 9);
    EXPECT_EQ(reply["result"]["pad"].get<std::string>().size(), 3000U);
}

TEST_F(WebSocketMessagesTest, ALargeReplyArrivesWhole) {
    start();
    auto client = open();
    const std::string pad(60000, 'y');
    client.sendJson(request(1, "test.echo", {{"pad", pad}}));
    EXPECT_EQ(client.readJson()["result"]["pad"], pad);
}

TEST_F(WebSocketMessagesTest, TextThatIsNotJsonIsAParseErrorAndTheConnectionStays) {
    start();
    auto client = open();
    client.sendText("{not json");
    const auto reply = client.readJson();
    EXPECT_EQ(reply["id"], nullptr);
    EXPECT_EQ(reply["error"]["code"], -32700);
    client.sendText(R"([{"jsonrpc":"2.0","id":1,"method":"api.version"}])");
    EXPECT_EQ(client.readJson()["error"]["code"], -32600);  // no batches
    client.sendJson(request(2, "test.echo"));
    EXPECT_EQ(client.readJson()["id"], 2);
}

TEST_F(WebSocketMessagesTest, AnOwnerOnlyMethodIsMethodNotFound) {
    start();
    auto client = open();
    for (const auto* method : {"test.owner", "session.hello", "no.such.method"}) {
        client.sendJson(request(1, method));
        EXPECT_EQ(client.readJson()["error"]["code"], -32601) << method;
    }
}

TEST_F(WebSocketMessagesTest, ANotificationGetsNoReply) {
    start();
    auto client = open();
    client.sendJson({{"jsonrpc", "2.0"}, {"method", "test.echo"}, {"params", {{"n", 1}}}});
    client.sendJson(request(2, "test.echo"));
    EXPECT_EQ(client.readJson()["id"], 2);  // had the notification been answered, first
}

TEST_F(WebSocketMessagesTest, AMessageOverTheLimitClosesWith1009) {
    auto serverOptions = options();
    serverOptions.maxMessageBytes = 1024;
    start(serverOptions);
    auto fits = open();
    fits.sendJson(request(1, "test.echo", {{"pad", std::string(900, 'x')}}));
    EXPECT_EQ(fits.readJson()["id"], 1);

    auto oneFrame = open();
    oneFrame.sendJson(request(1, "test.echo", {{"pad", std::string(2000, 'x')}}));
    EXPECT_EQ(oneFrame.readClose(), 1009);

    auto fragments = open();  // each fragment fits, together they do not
    const std::string half(700, ' ');
    fragments.sendFrame(WsOpcode::Text, half, false);
    fragments.sendFrame(WsOpcode::Continuation, half, true);
    EXPECT_EQ(fragments.readClose(), 1009);
}

TEST_F(WebSocketMessagesTest, ABinaryFrameClosesWith1003) {
    start();
    auto client = open();
    client.sendFrame(WsOpcode::Binary, request(1, "api.version").dump());
    EXPECT_EQ(client.readClose(), 1003);
}

TEST_F(WebSocketMessagesTest, TextThatIsNotUtf8ClosesWith1007) {
    start();
    auto client = open();
    client.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}");
    EXPECT_EQ(client.readClose(), 1007);
}

TEST_F(WebSocketMessagesTest, AFloodIsRateLimitedThenClosedWith1008) {
    auto serverOptions = options();
    serverOptions.messagesPerSecond = 1;
    serverOptions.burst = 5;
    start(serverOptions);
    auto client = open();
    try {
        for (int id = 0; id < 100; ++id) {
            client.sendJson(request(id, "test.echo"));
        }
    } catch (const std::system_error&) {
        // closed while the flood was still being sent: what came before is still to read
    }
    std::vector<std::string> replies;
    EXPECT_EQ(client.readClose(&replies), 1008);
    int rateLimited = 0;
    for (const auto& text : replies) {
        const auto reply = nlohmann::json::parse(text);
        if (reply.contains("error")) {
            EXPECT_EQ(reply["error"]["data"]["code"], errorCodeName(ErrorCode::RateLimited));
            EXPECT_TRUE(reply["id"].is_number());
            ++rateLimited;
        }
    }
    EXPECT_GT(rateLimited, 0);
    EXPECT_NE(loggedText().find("rate limit"), std::string::npos);
}

TEST_F(WebSocketMessagesTest, ARateLimitedPeerThatSlowsDownIsServedAgain) {
    auto serverOptions = options();
    serverOptions.messagesPerSecond = 50;
    serverOptions.burst = 2;
    start(serverOptions);
    auto client = open();
    for (int id = 0; id < 4; ++id) {
        client.sendJson(request(id, "test.echo"));
    }
    bool sawRateLimited = false;
    for (int i = 0; i < 4; ++i) {
        const auto reply = client.readJson();
        sawRateLimited |= reply.contains("error") &&
                          reply["error"]["data"]["code"] == errorCodeName(ErrorCode::RateLimited);
    }
    EXPECT_TRUE(sawRateLimited);
    // Retry as a client would, pausing between tries, until a token is back: a peer that
    // slows down is never closed.
    bool served = false;
    for (int attempt = 0; attempt < 100 && !served; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        client.sendJson(request(attempt, "test.echo"));
        served = client.readJson().contains("result");
    }
    EXPECT_TRUE(served);
}

TEST_F(WebSocketMessagesTest, BroadcastReachesOnlyTheSubscribedConnections) {
    start();
    auto subscribed = open();
    auto other = open();
    subscribed.sendJson(request(1, "events.subscribe", {{"events", {"card.inserted"}}}));
    EXPECT_EQ(subscribed.readJson()["result"]["events"], (nlohmann::json{"card.inserted"}));

    server->broadcast("card.inserted", {{"reader", "R 00 00"}});
    server->broadcast("reader.added", {{"name", "R 00 00"}});
    EXPECT_EQ(subscribed.readJson(), (nlohmann::json{{"jsonrpc", "2.0"},
                                                     {"method", "card.inserted"},
                                                     {"params", {{"reader", "R 00 00"}}}}));
    // Had either connection been sent anything more, it would come before these replies.
    subscribed.sendJson(request(2, "test.echo"));
    EXPECT_EQ(subscribed.readJson()["id"], 2);
    other.sendJson(request(3, "test.echo"));
    EXPECT_EQ(other.readJson()["id"], 3);
}

TEST_F(WebSocketMessagesTest, CallsOverTheConnectionsLimitGetBusy) {
    auto serverOptions = options();
    serverOptions.maxCallsPerConnection = 2;
    start(serverOptions);
    auto client = open();
    client.sendJson(request(1, "test.block"));
    client.sendJson(request(2, "test.block"));
    ASSERT_TRUE(gate.waitStarted(2));
    client.sendJson(request(3, "test.block"));
    const auto busy = client.readJson();
    EXPECT_EQ(busy["id"], 3);
    EXPECT_EQ(busy["error"]["data"]["code"], errorCodeName(ErrorCode::Busy));
    gate.release();
    std::map<int, nlohmann::json> replies;
    for (int i = 0; i < 2; ++i) {
        const auto reply = client.readJson();
        replies[reply["id"].get<int>()] = reply["result"];
    }
    EXPECT_EQ(replies[1], "released");
    EXPECT_EQ(replies[2], "released");
}

}  // namespace
}  // namespace taplink::api::test
