// A WebSocket connection's life: pings, the idle timeout, a disconnect cancelling its calls,
// and the server stopping under load.
#include <thread>

#include "api/call_admission.hpp"
#include "ws_fixture.hpp"

namespace taplink::api::test {
namespace {

using WebSocketLifecycleTest = WebSocketFixture;

WebSocketServerOptions withQuickPings(WebSocketServerOptions options) {
    options.pingInterval = std::chrono::seconds(1);
    options.idleTimeout = std::chrono::seconds(2);
    return options;
}

TEST_F(WebSocketLifecycleTest, APeerThatAnswersNoPingIsClosed) {
    start(withQuickPings(options()));
    auto client = open();
    client.answerPings = false;
    EXPECT_NO_THROW(client.readClose());  // ends (EOF, or a close frame) well before kGuard
    EXPECT_GE(client.pingsSeen, 1);
    EXPECT_TRUE(waitUntil([&] { return server->connectionCount() == 0; }));
}

TEST_F(WebSocketLifecycleTest, APeerThatAnswersPingsStaysConnected) {
    start(withQuickPings(options()));
    auto client = open();
    // Three pings answered span longer than the idle timeout.
    while (client.pingsSeen < 3) {
        const auto frame = client.readFrame();
        ASSERT_EQ(frame.opcode, WsOpcode::Ping);
        client.sendFrame(WsOpcode::Pong, frame.payload);
    }
    client.sendJson(request(1, "test.echo"));
    EXPECT_EQ(client.readJson()["id"], 1);
}

TEST_F(WebSocketLifecycleTest, ADisconnectCancelsTheConnectionsRunningCall) {
    start();
    auto client = open();
    client.sendJson(request(1, "test.block"));
    ASSERT_TRUE(gate.waitStarted(1));
    client.close();
    EXPECT_TRUE(gate.waitCancelled(1));
    EXPECT_TRUE(waitUntil([&] { return server->connectionCount() == 0; }));
}

TEST_F(WebSocketLifecycleTest, AClosingHandshakeFromThePeerCancelsItsCalls) {
    start();
    auto client = open();
    client.sendJson(request(1, "test.block"));
    ASSERT_TRUE(gate.waitStarted(1));
    client.sendFrame(WsOpcode::Close, std::string("\x03\xe8", 2));  // 1000
    EXPECT_TRUE(gate.waitCancelled(1));
    EXPECT_EQ(client.readClose(), 1000);
}

TEST_F(WebSocketLifecycleTest, StopCancelsCallsSendsTheirRepliesAndClosesWith1001) {
    start();
    auto client = open();
    client.sendJson(request(1, "test.block"));
    ASSERT_TRUE(gate.waitStarted(1));
    server->stop();
    const auto reply = client.readJson();
    EXPECT_EQ(reply["id"], 1);
    EXPECT_EQ(reply["error"]["data"]["code"], errorCodeName(ErrorCode::Cancelled));
    EXPECT_EQ(client.readClose(), 1001);
    server->stop();  // idempotent
    EXPECT_EQ(server->connectionCount(), 0U);
}

TEST_F(WebSocketLifecycleTest, StopWithManyBusyConnectionsReturns) {
    start();
    // As many long calls as web callers may run at once; one more is refused at once.
    constexpr int kCalls = static_cast<int>(WebCallLimit::kMaxWebCalls);
    std::vector<WsClient> clients;
    for (int i = 0; i < kCalls; ++i) {
        clients.push_back(open());
        clients.back().sendJson(request(i, "test.block"));
    }
    ASSERT_TRUE(gate.waitStarted(kCalls));
    auto extra = open();
    extra.sendJson(request(kCalls, "test.block"));
    EXPECT_EQ(extra.readJson()["error"]["data"]["code"], errorCodeName(ErrorCode::Busy));
    std::thread stopper([this] { server->stop(); });
    for (auto& client : clients) {
        EXPECT_EQ(client.readJson()["error"]["data"]["code"], errorCodeName(ErrorCode::Cancelled));
    }
    stopper.join();
    EXPECT_EQ(server->connectionCount(), 0U);
}

TEST_F(WebSocketLifecycleTest, BroadcastAfterStopIsHarmless) {
    start();
    auto client = open();
    client.sendJson(request(1, "events.subscribe", {{"events", {"reader.added"}}}));
    EXPECT_EQ(client.readJson()["id"], 1);
    server->stop();
    server->broadcast("reader.added", {{"name", "R"}});
    EXPECT_EQ(client.readClose(), 1001);
}

}  // namespace
}  // namespace taplink::api::test
