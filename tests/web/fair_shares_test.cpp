// Issue 15's starvation attacks on a real taplinkd: pages nobody allowed take whatever they
// can (calls that wait for the user, connections, sessions), and an allowed page and the
// user's own programs are still served.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.hpp"
#include "web_client.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;
using web::TrustedUiClient;
using web::WebPage;

constexpr const char* kShop = "https://shop.test";

// taplinkd with its WebSocket on and the shop's origin on its allow-list.
TopupBedOptions shopBed() {
    TopupBedOptions options;
    options.websocket = true;
    options.webAllowedOrigins = {kShop};
    return options;
}

class FairShares : public ::testing::Test {
  protected:
    api::test::WsClient openWebSocket(const std::string& origin) {
        api::test::WsClient client("127.0.0.1", e2e_.bed().websocketPort());
        client.open(origin);
        return client;
    }

    // Every reply the connection gets to ids 1..count, by id (notifications skipped).
    static std::map<int, json> repliesTo(api::test::WsClient& client, int count) {
        std::map<int, json> replies;
        while (static_cast<int>(replies.size()) < count) {
            json message = client.readJson();
            if (!message.contains("id")) {
                continue;  // a notification
            }
            if (!message["id"].is_number_integer()) {
                ADD_FAILURE() << "a reply to no call: " << message.dump();
                break;
            }
            const int id = message["id"].get<int>();  // before the message is moved
            replies[id] = std::move(message);
        }
        return replies;
    }

    E2e e2e_{shopBed()};
};

std::string codeOf(const json& reply) {
    return reply.contains("error") ? reply["error"]["data"].value("code", "") : "ok";
}

TEST_F(FairShares, CallsAwaitingTheUserCannotStarveAnAllowedPageOrTheOwner) {
    TrustedUiClient ui(e2e_.bed().socketPath());  // attached; its questions stay open
    auto foreign = openWebSocket("https://a.evil.test");
    constexpr int kCalls = 8;  // a connection's whole allowance
    for (int id = 1; id <= kCalls; ++id) {
        foreign.sendJson(api::test::request(id, "card.info"));
    }
    const json question = ui.nextRequest();
    EXPECT_EQ(question.at("origin"), "https://a.evil.test");
    auto subdomain = openWebSocket("https://b.evil.test");
    subdomain.sendJson(api::test::request(1, "card.info"));
    EXPECT_EQ(codeOf(subdomain.readJson()), "busy") << "its domain's share is waiting already";

    web::WebSocketPage shop(e2e_.bed().websocketPort(), kShop);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(shop.call("readers.list").ok());
    }
    EXPECT_TRUE(e2e_.call("readers.list").ok()) << "the owner";

    ASSERT_TRUE(ui.respond(question.at("id"), "deny").ok());
    int busy = 0;
    for (const auto& [id, reply] : repliesTo(foreign, kCalls)) {
        const std::string code = codeOf(reply);
        busy += code == "busy" ? 1 : 0;
        EXPECT_TRUE(code == "busy" || code == "origin_denied") << id << ": " << reply.dump();
    }
    EXPECT_EQ(busy, kCalls - 4) << "four waited for the user: the domain's share";
    auto later = openWebSocket("https://c.evil.test");
    std::string code = "busy";
    for (int id = 1; id <= 20 && code == "busy"; ++id) {  // the queue's places come back
        if (id > 1) {                                     // just after the replies
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        later.sendJson(api::test::request(id, "card.info"));
        code = codeOf(later.readJson());
    }
    EXPECT_EQ(code, "origin_denied") << "refused for the domain a moment ago, no question";
}

TEST_F(FairShares, PagesNotAllowedCannotTakeTheAllowedPagesWebSocketConnections) {
    std::vector<api::test::WsClient> foreign;
    for (const char* origin : {"https://a.party1.test", "https://b.party1.test",
                               "https://a.party2.test", "https://b.party2.test"}) {
        for (int i = 0; i < 8; ++i) {  // an origin's share; two make their domain's 16
            foreign.push_back(openWebSocket(origin));
        }
    }
    // The 32 are the share of every origin not on the allow-list, together.
    api::test::WsClient more("127.0.0.1", e2e_.bed().websocketPort());
    EXPECT_EQ(more.handshake({.origin = "https://party9.test"}).status, 503);
    web::WebSocketPage shop(e2e_.bed().websocketPort(), kShop);
    EXPECT_TRUE(shop.call("readers.list").ok());
}

TEST_F(FairShares, WebPagesCannotTakeTheUsersOwnConnections) {
    std::vector<std::unique_ptr<WebPage>> pages;
    for (int i = 0; i < 3 * 8; ++i) {  // three origins, each its share of 8: 24 in all
        pages.push_back(std::make_unique<WebPage>(
            e2e_.bed().socketPath(), "https://p" + std::to_string(i % 3) + ".many.test"));
        ASSERT_EQ(pages.back()->hello().at("result").at("caller"), "web") << i;
    }
    const WebPage oneMore(e2e_.bed().socketPath(), "https://p9.other.test");
    EXPECT_EQ(oneMore.hello().at("error").at("data").at("code"), "busy");
    EXPECT_TRUE(e2e_.call("readers.list").ok()) << "the owner";
    EXPECT_TRUE(e2e_.call("readers.list").ok());
}

}  // namespace
}  // namespace taplink::testbed
