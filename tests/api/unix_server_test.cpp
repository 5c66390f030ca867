// The Unix-socket transport on real sockets: request/response, notifications and events to
// the right connections, error replies, framing limits, bad peers, concurrency, cancellation
// and shutdown.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <map>
#include <random>
#include <set>

#include "server_fixture.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api::test {
namespace {

using UnixServerTest = ServerFixture;

TEST_F(UnixServerTest, ARequestGetsItsResultWithItsId) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "test.echo", {{"a", 1}}));
    connection.sendJson(request("text-id", "test.echo", {{"b", "two"}}));
    // Calls on one connection run side by side: replies come in any order.
    std::map<std::string, nlohmann::json> replies;
    for (int i = 0; i < 2; ++i) {
        const auto reply = connection.readJson();
        replies[reply["id"].dump()] = reply;
    }
    EXPECT_EQ(replies["1"],
              (nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", {{"a", 1}}}}));
    EXPECT_EQ(replies["\"text-id\""]["result"], (nlohmann::json{{"b", "two"}}));
}

TEST_F(UnixServerTest, ApiVersionListsEveryRegisteredMethod) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "api.version"));
    const auto result = connection.readJson().at("result");
    EXPECT_EQ(result["version"], std::string(taplink::api::kApiVersion));
    const auto methods = result["methods"].get<std::vector<std::string>>();
    for (const auto* name :
         {"api.version", "events.subscribe", "events.unsubscribe", "test.echo"}) {
        EXPECT_NE(std::find(methods.begin(), methods.end(), name), methods.end()) << name;
    }
    EXPECT_TRUE(std::is_sorted(methods.begin(), methods.end()));
}

TEST_F(UnixServerTest, NotificationsOfACallGoToItsConnectionOnlyAndBeforeItsResult) {
    start();
    auto caller = connect();
    auto other = connect();
    caller.sendJson(request(7, "test.progress", {{"count", 3}}));
    for (int step = 0; step < 3; ++step) {
        const auto message = caller.readJson();
        EXPECT_FALSE(message.contains("id"));
        EXPECT_EQ(message["method"], "test.progress");
        EXPECT_EQ(message["params"]["step"], step);
    }
    EXPECT_EQ(caller.readJson()["result"]["done"], true);
    // Had the other connection been sent a notification, it would come before this reply.
    other.sendJson(request(1, "test.echo"));
    EXPECT_EQ(other.readJson()["id"], 1);
}

TEST_F(UnixServerTest, BroadcastReachesOnlyTheConnectionsSubscribedToTheEvent) {
    start();
    auto cards = connect();
    auto readers = connect();
    auto nothing = connect();
    cards.sendJson(request(1, "events.subscribe", {{"events", {"card.inserted", "card.removed"}}}));
    EXPECT_EQ(cards.readJson()["result"]["events"],
              (nlohmann::json{"card.inserted", "card.removed"}));
    readers.sendJson(request(1, "events.subscribe", {{"events", {"reader.added"}}}));
    EXPECT_EQ(readers.readJson()["result"]["events"], (nlohmann::json{"reader.added"}));

    server->broadcast("card.inserted", {{"reader", "R 00 00"}, {"scheme", "city-epurse"}});
    server->broadcast("reader.added", {{"name", "R 00 00"}});

    const auto event = cards.readJson();
    EXPECT_EQ(event,
              (nlohmann::json{{"jsonrpc", "2.0"},
                              {"method", "card.inserted"},
                              {"params", {{"reader", "R 00 00"}, {"scheme", "city-epurse"}}}}));
    EXPECT_EQ(readers.readJson()["method"], "reader.added");
    // broadcast() queues before it returns: an event sent would precede these replies.
    for (auto* connection : {&cards, &readers, &nothing}) {
        connection->sendJson(request(2, "test.echo"));
        EXPECT_EQ(connection->readJson()["id"], 2);
    }
}

TEST_F(UnixServerTest, UnsubscribedConnectionsGetNoMoreEvents) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "events.subscribe", {{"events", {"card.inserted"}}}));
    connection.readJson();
    connection.sendJson(request(2, "events.unsubscribe", {{"events", {"card.inserted"}}}));
    EXPECT_EQ(connection.readJson()["result"]["events"], nlohmann::json::array());
    server->broadcast("card.inserted", {{"reader", "R"}});
    connection.sendJson(request(3, "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], 3);
}

TEST_F(UnixServerTest, SubscribingToAnUnknownEventIsInvalidParams) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "events.subscribe", {{"events", {"card.exploded"}}}));
    const auto error = connection.readJson().at("error");
    EXPECT_EQ(error["code"], -32602);
    EXPECT_EQ(error["data"]["code"], "invalid_params");
    connection.sendJson(request(2, "events.subscribe", {{"events", "card.inserted"}}));
    EXPECT_EQ(connection.readJson()["error"]["code"], -32602);
}

struct BadMessage {
    std::string text;
    int code;
    nlohmann::json id;
};

TEST_F(UnixServerTest, BadMessagesGetTheStandardErrorsAndTheConnectionKeepsServing) {
    start();
    auto connection = connect();
    const std::vector<BadMessage> cases{
        {"this is not json", -32700, nullptr},
        {R"({"jsonrpc":"2.0","id":1,"method":"test.echo")", -32700, nullptr},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}", -32700, nullptr},
        {"[]", -32600, nullptr},
        {R"([{"jsonrpc":"2.0","id":1,"method":"test.echo"}])", -32600, nullptr},
        {"42", -32600, nullptr},
        {R"({"jsonrpc":"1.0","id":2,"method":"test.echo"})", -32600, 2},
        {R"({"id":3,"method":"test.echo"})", -32600, 3},
        {R"({"jsonrpc":"2.0","id":4})", -32600, 4},
        {R"({"jsonrpc":"2.0","id":5,"method":7})", -32600, 5},
        {R"({"jsonrpc":"2.0","id":{"a":1},"method":"test.echo"})", -32600, nullptr},
        {R"({"jsonrpc":"2.0","id":6,"method":"test.echo","extra":1})", -32600, 6},
        {R"({"jsonrpc":"2.0","id":7,"method":"test.echo","params":"x"})", -32602, 7},
        {R"({"jsonrpc":"2.0","id":8,"method":"test.echo","params":[1,2]})", -32602, 8},
        {R"({"jsonrpc":"2.0","id":9,"method":"no.such.method"})", -32601, 9},
        {R"({"jsonrpc":"2.0","id":10,"method":"test.order","params":{}})", -32602, 10},
        {R"({"jsonrpc":"2.0","id":11,"method":"test.order","params":{"orderId":5}})", -32602, 11},
        {R"({"jsonrpc":"2.0","id":12,"method":"test.order","params":{"orderId":"o","x":1}})",
         -32602, 12},
    };
    for (const auto& bad : cases) {
        connection.send(bad.text + "\n");
        const auto reply = connection.readJson();
        EXPECT_EQ(reply["jsonrpc"], "2.0") << bad.text;
        EXPECT_EQ(reply["id"], bad.id) << bad.text;
        EXPECT_EQ(reply["error"]["code"], bad.code) << bad.text;
        EXPECT_TRUE(reply["error"]["message"].is_string()) << bad.text;
        if (bad.code == -32602) {
            EXPECT_EQ(reply["error"]["data"]["code"], "invalid_params") << bad.text;
        }
    }
    connection.sendJson(request(99, "test.order", {{"orderId", "o-1"}}));
    EXPECT_EQ(connection.readJson()["result"]["orderId"], "o-1");
}

TEST_F(UnixServerTest, ANotificationRunsWithoutAReplyEvenWhenItFails) {
    start();
    auto connection = connect();
    connection.send(R"({"jsonrpc":"2.0","method":"no.such.method"})"
                    "\n"
                    R"({"jsonrpc":"2.0","method":"test.crash"})"
                    "\n"
                    "\r\n\n");  // blank lines are skipped
    connection.sendJson(request(1, "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], 1);
}

TEST_F(UnixServerTest, AnApiErrorIsSentAsMinus32000WithItsCodeAndDetails) {
    start();
    auto connection = connect();
    connection.sendJson(
        request(1, "test.fail",
                {{"code", "no_card"}, {"message", "tap a card"}, {"details", {{"reader", "R"}}}}));
    EXPECT_EQ(
        connection.readJson(),
        (nlohmann::json{{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"error",
                         {{"code", -32000},
                          {"message", "tap a card"},
                          {"data", {{"code", "no_card"}, {"details", {{"reader", "R"}}}}}}}}));
    connection.sendJson(request(2, "test.fail", {{"code", "declined"}, {"message", "no"}}));
    EXPECT_EQ(
        connection.readJson()["error"],
        (nlohmann::json{{"code", -32000}, {"message", "no"}, {"data", {{"code", "declined"}}}}));
}

TEST_F(UnixServerTest, AnUnexpectedExceptionIsAnInternalErrorThatKeepsItsDetailInTheLog) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "test.crash"));
    const auto reply = connection.readJson();
    EXPECT_EQ(reply["error"]["code"], -32603);
    EXPECT_EQ(reply["error"]["data"]["code"], "internal");
    EXPECT_EQ(reply.dump().find("secret"), std::string::npos);
    EXPECT_NE(loggedText().find("secret internal detail"), std::string::npos);
}

TEST_F(UnixServerTest, AMessageOfExactlyTheLimitIsServed) {
    start();
    auto connection = connect();
    const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"test.size","params":{"pad":")";
    const std::string tail = R"("}})";
    const std::size_t limit = std::size_t{1} << 20;
    const std::string pad(limit - head.size() - tail.size(), 'x');
    connection.send(head + pad + tail + "\n");
    EXPECT_EQ(connection.readJson()["result"]["bytes"], pad.size());
}

TEST_F(UnixServerTest, AnOversizedLineIsAnsweredAndTheConnectionClosed) {
    start();
    auto connection = connect();
    const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"test.size","params":{"pad":")";
    const std::string tail = R"("}})";
    const std::string pad((std::size_t{1} << 20) + 1 - head.size() - tail.size(), 'x');
    connection.send(head + pad + tail + "\n");
    const auto reply = connection.readJson();
    EXPECT_EQ(reply["id"], nullptr);
    EXPECT_EQ(reply["error"]["code"], -32600);
    EXPECT_TRUE(connection.readsEof());
}

TEST_F(UnixServerTest, AnEndlessLineIsAnsweredAndTheConnectionClosedBeforeItEnds) {
    start();
    auto connection = connect();
    connection.send(std::string((std::size_t{1} << 20) + 2, '['));  // no newline at all
    EXPECT_EQ(connection.readJson()["error"]["code"], -32600);
    EXPECT_TRUE(connection.readsEof());
    auto next = connect();
    next.sendJson(request(1, "test.echo"));
    EXPECT_EQ(next.readJson()["id"], 1);
}

TEST_F(UnixServerTest, GarbageHalfLinesAndAbruptDisconnectsNeverStopTheServer) {
    start();
    std::mt19937 random(1234);  // fixed seed: the same bytes every run
    for (int round = 0; round < 20; ++round) {
        auto connection = connect();
        std::string garbage(4096, '\0');
        for (auto& byte : garbage) {
            byte = static_cast<char>(random() & 0xFF);
        }
        connection.send(garbage);
        connection.send(R"({"jsonrpc":"2.0","id":1,"method":"test.ech)");  // half a line
    }  // each closed abruptly, mid-line, with replies unread
    {
        auto connection = connect();
        connection.sendJson(request(1, "test.block"));
        ASSERT_TRUE(gate.waitStarted(1));
    }  // closed with a call in flight
    for (int i = 0; i < 10; ++i) {
        const RawConnection connectedAndGone = connect();
    }
    auto survivor = connect();
    survivor.sendJson(request(1, "test.echo", {{"still", "serving"}}));
    EXPECT_EQ(survivor.readJson()["result"]["still"], "serving");
    EXPECT_TRUE(waitUntil([this] { return server->connectionCount() == 1; }));
}

TEST_F(UnixServerTest, ALongCallBlocksNeitherShortCallsOnItsConnectionNorOtherConnections) {
    start();
    auto connection = connect();
    auto other = connect();
    connection.sendJson(request("long", "test.block"));
    ASSERT_TRUE(gate.waitStarted(1));
    connection.sendJson(request("short", "test.echo"));
    EXPECT_EQ(connection.readJson()["id"], "short");
    other.sendJson(request("other", "test.echo"));
    EXPECT_EQ(other.readJson()["id"], "other");
    gate.release();
    const auto reply = connection.readJson();
    EXPECT_EQ(reply["id"], "long");
    EXPECT_EQ(reply["result"], "released");
}

TEST_F(UnixServerTest, ADisconnectCancelsThatConnectionsCallsOnly) {
    start();
    auto leaving = connect();
    auto staying = connect();
    leaving.sendJson(request(1, "test.block"));
    leaving.sendJson(request(2, "test.block"));
    staying.sendJson(request(3, "test.block"));
    ASSERT_TRUE(gate.waitStarted(3));
    leaving.close();
    EXPECT_TRUE(gate.waitCancelled(2));
    gate.release();
    const auto reply = staying.readJson();
    EXPECT_EQ(reply["id"], 3);
    EXPECT_EQ(reply["result"], "released");  // not cancelled with the others
}

TEST_F(UnixServerTest, APeerThatOnlyStopsSendingStillGetsItsReplies) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "test.progress", {{"count", 2}}));
    connection.sendJson(request(2, "test.echo"));
    connection.shutdownWrite();  // like `socat` after its input ended
    std::set<nlohmann::json> ids;
    for (int message = 0; message < 4; ++message) {
        const auto reply = connection.readJson();
        if (reply.contains("id")) {
            ids.insert(reply["id"]);
        }
    }
    EXPECT_EQ(ids, (std::set<nlohmann::json>{1, 2}));
    EXPECT_TRUE(connection.readsEof());
}

TEST_F(UnixServerTest, TooManyCallsOnOneConnectionAreRefusedAsBusy) {
    auto limited = options();
    limited.maxCallsPerConnection = 2;
    start(limited);
    auto connection = connect();
    connection.sendJson(request(1, "test.block"));
    connection.sendJson(request(2, "test.block"));
    ASSERT_TRUE(gate.waitStarted(2));
    connection.sendJson(request(3, "test.echo"));
    const auto reply = connection.readJson();
    EXPECT_EQ(reply["id"], 3);
    EXPECT_EQ(reply["error"]["data"]["code"], "busy");
    gate.release();
    EXPECT_EQ(connection.readJson()["result"], "released");
    EXPECT_EQ(connection.readJson()["result"], "released");
}

TEST_F(UnixServerTest, TooManyCallsOverallAreRefusedAsBusy) {
    auto limited = options();
    limited.maxWorkers = 2;
    start(limited);
    auto first = connect();
    auto second = connect();
    first.sendJson(request(1, "test.block"));
    second.sendJson(request(2, "test.block"));
    ASSERT_TRUE(gate.waitStarted(2));
    auto third = connect();
    third.sendJson(request(3, "test.echo"));
    EXPECT_EQ(third.readJson()["error"]["data"]["code"], "busy");
    gate.release();
    EXPECT_EQ(first.readJson()["result"], "released");
    third.sendJson(request(4, "test.echo"));  // a thread is free again
    EXPECT_EQ(third.readJson()["id"], 4);
}

TEST_F(UnixServerTest, ConnectionsBeyondTheLimitAreToldBusyAndClosed) {
    auto limited = options();
    limited.maxConnections = 2;
    start(limited);
    auto first = connect();
    auto second = connect();
    first.sendJson(request(1, "test.echo"));
    second.sendJson(request(1, "test.echo"));
    first.readJson();
    second.readJson();  // both admitted before the third arrives
    auto third = connect();
    EXPECT_EQ(third.readJson()["error"]["data"]["code"], "busy");
    EXPECT_TRUE(third.readsEof());
    second.close();
    ASSERT_TRUE(waitUntil([this] { return server->connectionCount() == 1; }));
    auto fourth = connect();
    fourth.sendJson(request(1, "test.echo"));
    EXPECT_EQ(fourth.readJson()["id"], 1);
}

// taplink-nm's first message, for a page of the origin given.
nlohmann::json helloFrom(const std::string& origin) {
    return request(1, "session.hello",
                   {{"transport", "native-messaging"}, {"origin", origin}, {"extensionId", "x"}});
}

TEST_F(UnixServerTest, WebPagesNeverTakeTheConnectionsKeptForTheOwner) {
    auto limited = options();
    limited.maxConnections = 5;
    limited.ownerReserved = 2;
    limited.maxWebConnectionsPerOrigin = 2;
    start(limited);
    std::vector<RawConnection> pages;
    for (const char* origin : {"https://a.example", "https://a.example", "https://b.example"}) {
        pages.push_back(connect());
        pages.back().sendJson(helloFrom(origin));
        EXPECT_EQ(pages.back().readJson()["result"]["caller"], "web") << origin;
    }
    auto sameOrigin = connect();
    sameOrigin.sendJson(helloFrom("https://a.example"));
    EXPECT_EQ(sameOrigin.readJson()["error"]["message"],
              "taplinkd is busy: too many connections from https://a.example");
    EXPECT_TRUE(sameOrigin.readsEof());
    auto fourthPage = connect();
    fourthPage.sendJson(helloFrom("https://c.example"));
    EXPECT_EQ(fourthPage.readJson()["error"]["data"]["code"], "busy");
    EXPECT_TRUE(fourthPage.readsEof());
    auto owner = connect();
    auto secondOwner = connect();
    for (auto* connection : {&owner, &secondOwner}) {
        connection->sendJson(request(2, "test.echo", {{"x", 1}}));
        EXPECT_EQ(connection->readJson()["result"]["x"], 1);
    }
}

TEST_F(UnixServerTest, StopCancelsCallsInFlightAndRemovesTheSocket) {
    start();
    auto first = connect();
    auto second = connect();
    first.sendJson(request(1, "test.block"));
    first.sendJson(request(2, "test.block"));
    second.sendJson(request(3, "test.block"));
    ASSERT_TRUE(gate.waitStarted(3));
    server->stop();
    EXPECT_TRUE(gate.waitCancelled(3));
    EXPECT_FALSE(std::filesystem::exists(socketPath));
    // Each connection gets what was written before it closed, then EOF; never a hang.
    for (auto* connection : {&first, &second}) {
        while (const auto line = connection->readLine()) {
            EXPECT_EQ(nlohmann::json::parse(*line)["error"]["data"]["code"], "cancelled");
        }
    }
    server->stop();  // idempotent
}

TEST_F(UnixServerTest, BroadcastAfterStopIsHarmless) {
    start();
    auto connection = connect();
    connection.sendJson(request(1, "events.subscribe", {{"events", {"card.removed"}}}));
    connection.readJson();
    server->stop();
    server->broadcast("card.removed", {{"reader", "R"}});
    EXPECT_TRUE(connection.readsEof());
}

}  // namespace
}  // namespace taplink::api::test
