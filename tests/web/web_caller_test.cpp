// Web pages as callers of a real taplinkd (the way taplink-nm connects them): which methods
// they reach, the origin check with and without the trusted UI, and the user's confirmation
// of their top-ups, which must stop a refused top-up before anything reaches the card.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "taplink/protocol/api_names.hpp"
#include "web_client.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;
using web::Answer;
using web::TrustedUiClient;
using web::WebPage;

constexpr const char* kShop = "https://shop.test";

class WebCallers : public ::testing::Test {
  protected:
    // The owner (CLI, GUI) allows the shop's origin and sets the confirmation policy.
    void allowShop(const std::string& confirmation = "ask") {
        const Outcome set = e2e_.call(
            "settings.set",
            {{"web", {{"allowedOrigins", json::array({kShop})}, {"confirmation", confirmation}}}});
        ASSERT_TRUE(set.ok()) << set.code << ": " << set.message;
    }

    json cardHistory() { return e2e_.call("card.history").result.at("records"); }

    E2e e2e_;
};

TEST_F(WebCallers, HelloMakesTheConnectionAWebCaller) {
    WebPage page(e2e_.bed().socketPath(), kShop);
    EXPECT_EQ(page.hello().at("result").at("caller"), "web");
    EXPECT_EQ(page.hello().at("result").at("version"), std::string(taplink::api::kApiVersion));
}

TEST_F(WebCallers, HelloAnywhereButFirstIsRefused) {
    web::LineCaller owner(e2e_.bed().socketPath());
    ASSERT_TRUE(owner.call("api.version").ok());
    const Answer late =
        owner.call("session.hello",
                   {{"transport", "native-messaging"}, {"origin", kShop}, {"extensionId", "x"}});
    EXPECT_EQ(late.error.at("code"), -32600);
    EXPECT_TRUE(owner.call("device.info").ok()) << "the connection stays the owner's";
}

TEST_F(WebCallers, ARefusedHelloClosesTheConnection) {
    web::LineCaller caller(e2e_.bed().socketPath());
    caller.connection().sendJson(api::test::request(
        0, "session.hello", {{"transport", "websocket"}, {"origin", kShop}, {"extensionId", "x"}}));
    EXPECT_EQ(caller.next().at("error").at("code"), -32602);
    EXPECT_TRUE(caller.connection().readsEof()) << "it never goes on as the owner's";
}

TEST_F(WebCallers, APageCannotTakeOverAnOrderTheOwnerStarted) {
    allowShop("auto");
    const std::string order = e2e_.bed().createOrder("10.00");
    ASSERT_TRUE(e2e_.topup(order).ok());
    WebPage page(e2e_.bed().socketPath(), kShop);
    EXPECT_EQ(page.call("topup.start", {{"orderId", order}}).code(), "order_not_found");
    EXPECT_EQ(page.call("tx.status", {{"orderId", order}}).code(), "not_found");
}

TEST_F(WebCallers, AnUnlistedOriginWithoutTrustedUiIsRefusedForGood) {
    WebPage page(e2e_.bed().socketPath(), kShop);
    const Answer first = page.call("readers.list");
    EXPECT_EQ(first.code(), "origin_denied");
    EXPECT_EQ(first.error.at("data").at("details").at("origin"), kShop);
    allowShop();  // even once it is listed, this connection stays refused
    EXPECT_EQ(page.call("readers.list").code(), "origin_denied");
    WebPage again(e2e_.bed().socketPath(), kShop);
    EXPECT_TRUE(again.call("readers.list").ok());
}

TEST_F(WebCallers, OriginsTapLinkNeverAcceptsAreRefusedEvenWhenAUiWouldAsk) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    for (const char* origin : {"null", "http://shop.test", "file://", "chrome-extension://abc",
                               "https://shop.test/path", "https://user@shop.test"}) {
        WebPage page(e2e_.bed().socketPath(), origin);
        EXPECT_EQ(page.call("readers.list").code(), "origin_denied") << origin;
    }
}

TEST_F(WebCallers, AListedOriginReachesTheWebMethodsAndNothingElse) {
    allowShop();
    WebPage page(e2e_.bed().socketPath(), "HTTPS://Shop.Test:443");  // the same origin
    const Answer version = page.call("api.version");
    ASSERT_TRUE(version.ok()) << version.error.dump();
    const auto methods = version.result.at("methods").get<std::set<std::string>>();
    EXPECT_EQ(methods,
              (std::set<std::string>{"api.version", "card.info", "ecload.start", "events.subscribe",
                                     "events.unsubscribe", "pay.start", "readers.list",
                                     "topup.start", "tx.cancel", "tx.status"}));
    EXPECT_TRUE(version.result.contains("daemonVersion"));
    EXPECT_TRUE(page.call("readers.list").ok());
    // Reached, and the user would be asked once (web.cardInfo "ask"), but no trusted UI runs.
    EXPECT_EQ(page.call("card.info").code(), "confirmation_unavailable");
    for (const char* ownerOnly : {"device.info", "diagnostics", "card.history", "settings.get",
                                  "settings.set", "ui.attach", "ui.respond", "token.generate"}) {
        EXPECT_EQ(page.call(ownerOnly).error.at("code"), -32601) << ownerOnly;
    }
}

TEST_F(WebCallers, TheUserApprovesAnOriginOnceOrAlways) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    WebPage page(e2e_.bed().socketPath(), kShop);
    auto call = std::async(std::launch::async, [&page] { return page.call("readers.list"); });
    const json question = ui.nextRequest();
    EXPECT_EQ(question.at("kind"), "origin");
    EXPECT_EQ(question.at("origin"), kShop);
    EXPECT_EQ(question.at("transport"), "native-messaging");
    EXPECT_EQ(question.at("extensionId"), web::kExtensionId);
    ASSERT_TRUE(ui.respond(question.at("id"), "allow", /*remember=*/true).ok());
    EXPECT_TRUE(call.get().ok());

    const json settings = e2e_.call("settings.get").result;
    EXPECT_EQ(settings.at("web").at("allowedOrigins"), json::array({kShop}));
    std::ifstream file(e2e_.bed().daemonConfig());
    EXPECT_EQ(json::parse(file).at("web").at("allowedOrigins"), json::array({kShop}))
        << "remembered in the configuration file";
    EXPECT_EQ(ui.respond(question.at("id"), "deny").code(), "not_found") << "answered already";
}

TEST_F(WebCallers, TheUserDeniesAnOrigin) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    WebPage page(e2e_.bed().socketPath(), "https://evil.test");
    auto call = std::async(std::launch::async, [&page] { return page.call("card.info"); });
    const json question = ui.nextRequest();
    ASSERT_TRUE(ui.respond(question.at("id"), "deny").ok());
    EXPECT_EQ(call.get().code(), "origin_denied");
    EXPECT_EQ(page.call("readers.list").code(), "origin_denied");
    EXPECT_EQ(e2e_.call("settings.get").result.at("web").at("allowedOrigins"), json::array());
}

TEST_F(WebCallers, AWebTopUpWithoutTrustedUiIsRefusedBeforeTheCardIsTouched) {
    allowShop("ask");
    const std::uint32_t before = e2e_.balance();
    const json history = cardHistory();
    const std::string order = e2e_.bed().createOrder("20.00");
    WebPage page(e2e_.bed().socketPath(), kShop);
    const Answer topup = page.call("topup.start", {{"orderId", order}});
    EXPECT_EQ(topup.code(), "confirmation_unavailable");
    EXPECT_EQ(e2e_.balance(), before);
    EXPECT_EQ(cardHistory(), history) << "no load reached the card";
    EXPECT_EQ(e2e_.journalState(order), "failed");
    EXPECT_EQ(e2e_.orderStatus(order), "open");
}

TEST_F(WebCallers, DenyInTheConfirmationStopsTheTopUpAndAllowCompletesIt) {
    allowShop("ask");
    TrustedUiClient ui(e2e_.bed().socketPath());
    const std::uint32_t before = e2e_.balance();
    const json history = cardHistory();
    const std::string order = e2e_.bed().createOrder("20.00");
    WebPage page(e2e_.bed().socketPath(), kShop);

    auto denied = std::async(std::launch::async, [&] {
        return page.call("topup.start", {{"orderId", order}});
    });
    const json question = ui.nextRequest();
    EXPECT_EQ(question.at("kind"), "topup");
    EXPECT_EQ(question.at("origin"), kShop);
    EXPECT_EQ(question.at("topup").at("orderId"), order);
    EXPECT_EQ(question.at("topup").at("amount"), 2000) << "the server's amount";
    EXPECT_EQ(question.at("topup").at("currency"), "CNY");
    EXPECT_EQ(question.at("topup").at("card").at("serial"), "…0042");
    ASSERT_TRUE(ui.respond(question.at("id"), "deny").ok());
    const Answer refused = denied.get();
    EXPECT_EQ(refused.code(), "user_denied");
    std::vector<std::string> stages;
    for (const auto& note : refused.notifications) {
        stages.push_back(note.at("params").at("stage"));
    }
    EXPECT_EQ(stages, (std::vector<std::string>{"waiting_for_card", "awaiting_confirmation"}));
    EXPECT_EQ(e2e_.balance(), before);
    EXPECT_EQ(cardHistory(), history) << "no load reached the card";
    EXPECT_EQ(e2e_.bed().settledTotal(kCitySerial), 0U);

    auto allowed = std::async(std::launch::async, [&] {
        return page.call("topup.start", {{"orderId", order}});
    });
    ASSERT_TRUE(ui.respond(ui.nextRequest().at("id"), "allow").ok());
    const Answer done = allowed.get();
    ASSERT_TRUE(done.ok()) << done.error.dump();
    EXPECT_EQ(done.result.at("balanceAfter"), before + 2000);
    EXPECT_EQ(e2e_.bed().settledTotal(kCitySerial), 2000U);
    EXPECT_TRUE(page.call("tx.status", {{"orderId", order}}).ok());
}

TEST_F(WebCallers, AKioskConfirmsByPolicyAndPagesSeeOnlyTheirOwnOrders) {
    allowShop("auto");
    const std::uint32_t before = e2e_.balance();
    const std::string order = e2e_.bed().createOrder("10.00");
    WebPage page(e2e_.bed().socketPath(), kShop);
    const Answer done = page.call("topup.start", {{"orderId", order}});
    ASSERT_TRUE(done.ok()) << done.error.dump();
    EXPECT_EQ(e2e_.balance(), before + 1000);

    ASSERT_TRUE(
        e2e_.call("settings.set", {{"web", {{"allowedOrigins", {kShop, "https://b.test"}}}}}).ok());
    WebPage other(e2e_.bed().socketPath(), "https://b.test");
    EXPECT_EQ(other.call("tx.status", {{"orderId", order}}).code(), "not_found");
    EXPECT_EQ(other.call("tx.cancel", {{"orderId", order}}).code(), "not_found");
    EXPECT_TRUE(page.call("tx.status", {{"orderId", order}}).ok());
}

TEST_F(WebCallers, WhenThePageLeavesItsQuestionIsWithdrawn) {
    allowShop("ask");
    TrustedUiClient ui(e2e_.bed().socketPath());
    const std::string order = e2e_.bed().createOrder("10.00");
    auto page = std::make_unique<WebPage>(e2e_.bed().socketPath(), kShop);
    page->connection().sendJson(api::test::request(1, "topup.start", {{"orderId", order}}));
    const json question = ui.nextRequest();
    page.reset();  // the tab closed
    json closed;
    do {
        closed = ui.next();
    } while (closed.value("method", "") != "ui.request.closed");
    EXPECT_EQ(closed.at("params").at("id"), question.at("id"));
    EXPECT_EQ(closed.at("params").at("reason"), "cancelled");
    EXPECT_TRUE(e2e_.waitForState(order, "failed"));
}

TEST_F(WebCallers, SettingsAreCheckedWrittenAndApplied) {
    const json before = e2e_.call("settings.get").result;
    EXPECT_EQ(before.at("web").at("confirmation"), "ask");
    EXPECT_EQ(before.at("server").at("url"), e2e_.bed().serverUrl());

    EXPECT_EQ(e2e_.call("settings.set", {{"web", {{"allowedOrigins", {"http://shop.test"}}}}}).code,
              "invalid_params");
    EXPECT_EQ(e2e_.call("settings.set", {{"server", {{"url", "http://plain.test"}}}}).code,
              "invalid_params");
    EXPECT_EQ(e2e_.call("settings.set", {{"server", {{"pinSha256", "00"}}}}).code,
              "invalid_params");
    EXPECT_EQ(e2e_.call("settings.set", {{"chip", {{"pin", "0000"}}}}).code, "invalid_params");
    EXPECT_EQ(e2e_.call("settings.get").result, before) << "nothing changed";

    const std::string moved = "https://localhost:1";  // nobody listens there
    const Outcome set = e2e_.call("settings.set", {{"server", {{"url", moved}}}});
    ASSERT_TRUE(set.ok()) << set.message;
    EXPECT_EQ(set.result.at("server").at("url"), moved);
    EXPECT_EQ(e2e_.call("device.info").result.at("server").at("url"), moved);
    EXPECT_EQ(e2e_.topup(e2e_.bed().createOrder("10.00")).code, "server_unreachable")
        << "the next call uses the new address";
    ASSERT_TRUE(e2e_.call("settings.set", {{"server", {{"url", e2e_.bed().serverUrl()}}}}).ok());
    EXPECT_TRUE(e2e_.topup(e2e_.bed().createOrder("10.00")).ok());
}

}  // namespace
}  // namespace taplink::testbed
