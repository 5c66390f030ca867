// A web page's card.info on a real taplinkd (issue 15, item 8: the card's balance, issuer and
// validity identify its holder on any site, so an allowed origin is not enough). With
// web.cardInfo "ask" (the default) the trusted UI is asked once per origin, as vouched for by
// the browser or only claimed, and the answer, allow or deny, holds for it (readers.list shows
// the masked serial only then); a page cannot have the user asked without end; "allow" and
// "deny" decide for every page without a question, and a change forgets the answers; the
// owner's programs are never asked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "e2e_support.hpp"
#include "web_client.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;
using web::Answer;
using web::TrustedUiClient;
using web::WebPage;

constexpr const char* kShop = "https://shop.test";
constexpr const char* kOther = "https://other.test";

TopupBedOptions twoShops() {
    TopupBedOptions options;
    options.websocket = true;
    options.webAllowedOrigins = {kShop, kOther};
    return options;
}

class CardInfoGate : public ::testing::Test {
  protected:
    // The page's card.info while `ui` is asked: the question, answered with `decision`.
    std::pair<json, Answer> readAsked(const std::string& origin, TrustedUiClient& ui,
                                      const std::string& decision) {
        WebPage page(e2e_.bed().socketPath(), origin);
        auto reading = std::async(std::launch::async, [&page] { return page.call("card.info"); });
        const json question = ui.nextRequest();
        EXPECT_TRUE(ui.respond(question.at("id"), decision).ok());
        return {question, reading.get()};
    }

    Answer readUnasked(const std::string& origin) {
        WebPage page(e2e_.bed().socketPath(), origin);
        return page.call("card.info");
    }

    // True when no ui.request reached `ui` since its last call: a call's reply comes after
    // every notification sent before it.
    static bool askedNothing(TrustedUiClient& ui) {
        const auto notes = ui.call("api.version").notifications;
        return std::none_of(notes.begin(), notes.end(), [](const json& note) {
            return note.value("method", "") == "ui.request";
        });
    }

    // The masked serial readers.list shows the page at `origin` ("" when hidden).
    std::string listedSerial(const std::string& origin) {
        const Answer listed = WebPage(e2e_.bed().socketPath(), origin).call("readers.list");
        for (const json& reader : listed.result.at("readers")) {
            if (!reader.at("card").is_null()) {
                return reader.at("card").at("maskedSerial");
            }
        }
        ADD_FAILURE() << "no card in " << listed.result.dump();
        return {};
    }

    void setCardInfo(const std::string& access) {
        const Outcome set = e2e_.call("settings.set", {{"web", {{"cardInfo", access}}}});
        ASSERT_TRUE(set.ok()) << set.code << ": " << set.message;
    }

    E2e e2e_{twoShops()};
};

TEST_F(CardInfoGate, TheUserIsAskedOncePerOriginAndTheOwnerNever) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    EXPECT_EQ(listedSerial(kShop), "") << "not before the user allowed it";
    const auto [question, read] = readAsked(kShop, ui, "allow");
    EXPECT_EQ(question.at("kind"), "cardinfo");
    EXPECT_EQ(question.at("origin"), kShop);
    EXPECT_EQ(question.at("transport"), "native-messaging");
    EXPECT_EQ(question.at("originVouched"), true);
    ASSERT_TRUE(read.ok()) << read.error.dump();
    EXPECT_EQ(question.at("cardinfo").at("reader"), read.result.at("reader"));
    EXPECT_EQ(read.result.at("balance"), e2e_.balance());

    const Answer again = readUnasked(kShop);  // another connection of the same origin
    ASSERT_TRUE(again.ok()) << again.error.dump();
    EXPECT_EQ(again.result.at("serial"), read.result.at("serial"));
    EXPECT_EQ(listedSerial(kShop), read.result.at("serial"));
    EXPECT_EQ(listedSerial(kOther), "");
    EXPECT_TRUE(e2e_.call("card.info").ok()) << "the owner";
    EXPECT_TRUE(askedNothing(ui));
}

// Any program of the user can claim an origin on the WebSocket: the answer the browser's
// word got does not let it in, and it is asked about in its own dialog.
TEST_F(CardInfoGate, AClaimedOriginDoesNotRideOnTheAnswerToAVouchedOne) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    const auto [vouched, read] = readAsked(kShop, ui, "allow");
    ASSERT_TRUE(read.ok()) << read.error.dump();
    web::WebSocketPage claimed(e2e_.bed().websocketPort(), kShop);
    auto reading = std::async(std::launch::async, [&claimed] { return claimed.call("card.info"); });
    const json question = ui.nextRequest();
    EXPECT_EQ(question.at("kind"), "cardinfo");
    EXPECT_EQ(question.at("originVouched"), false);
    ASSERT_TRUE(ui.respond(question.at("id"), "deny").ok());
    EXPECT_EQ(reading.get().code(), "user_denied");
    EXPECT_TRUE(readUnasked(kShop).ok()) << "the vouched answer stands";
}

// A question the page withdraws is not an answer, so it is asked again; but only twice a
// minute for a domain, so a page cannot wear the user down with dialogs.
TEST_F(CardInfoGate, APageThatWithdrawsItsQuestionCannotAskWithoutEnd) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    for (int i = 0; i < 2; ++i) {
        auto page = std::make_unique<WebPage>(e2e_.bed().socketPath(), kShop);
        page->connection().sendJson(api::test::request(1, "card.info"));
        EXPECT_EQ(ui.nextRequest().at("kind"), "cardinfo");
        page.reset();  // the page leaves: taplinkd withdraws the question
        json closed = ui.next();
        EXPECT_EQ(closed.value("method", ""), "ui.request.closed") << closed.dump();
        // taplinkd lets go of the domain's turn just after it closed the question.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(readUnasked(kShop).code(), "busy");
    EXPECT_TRUE(askedNothing(ui));
}

TEST_F(CardInfoGate, ARefusalHoldsForItsOriginOnly) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    const auto [question, refused] = readAsked(kOther, ui, "deny");
    EXPECT_EQ(question.at("origin"), kOther);
    EXPECT_EQ(refused.code(), "user_denied");

    EXPECT_EQ(readUnasked(kOther).code(), "user_denied") << "not asked again";
    EXPECT_TRUE(askedNothing(ui));
    const auto [shopQuestion, shopRead] = readAsked(kShop, ui, "allow");
    EXPECT_EQ(shopQuestion.at("origin"), kShop) << "another origin is asked for itself";
    EXPECT_TRUE(shopRead.ok()) << shopRead.error.dump();
}

TEST_F(CardInfoGate, OnlyTheUsersAnswerIsKept) {
    EXPECT_EQ(readUnasked(kShop).code(), "confirmation_unavailable") << "no trusted UI";
    TrustedUiClient ui(e2e_.bed().socketPath());
    const auto [question, read] = readAsked(kShop, ui, "allow");
    EXPECT_EQ(question.at("kind"), "cardinfo") << "nobody had answered: asked now";
    EXPECT_TRUE(read.ok()) << read.error.dump();
}

TEST_F(CardInfoGate, PagesOfOneOriginReadingTogetherShareTheQuestion) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    WebPage first(e2e_.bed().socketPath(), kShop);
    WebPage second(e2e_.bed().socketPath(), kShop);
    auto one = std::async(std::launch::async, [&first] { return first.call("card.info"); });
    auto two = std::async(std::launch::async, [&second] { return second.call("card.info"); });
    const json question = ui.nextRequest();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both calls asking
    EXPECT_TRUE(askedNothing(ui)) << "one dialog for the origin";
    ASSERT_TRUE(ui.respond(question.at("id"), "allow").ok());
    EXPECT_TRUE(one.get().ok());
    EXPECT_TRUE(two.get().ok());
    EXPECT_TRUE(askedNothing(ui));
}

TEST_F(CardInfoGate, TheSettingDecidesForEveryPageWithoutAQuestion) {
    TrustedUiClient ui(e2e_.bed().socketPath());
    EXPECT_TRUE(readAsked(kShop, ui, "allow").second.ok());
    setCardInfo("deny");
    EXPECT_EQ(readUnasked(kShop).code(), "user_denied") << "over the user's answer";
    EXPECT_EQ(listedSerial(kShop), "");
    EXPECT_TRUE(e2e_.call("card.info").ok()) << "the owner still reads it";
    setCardInfo("allow");
    EXPECT_TRUE(readUnasked(kShop).ok());
    EXPECT_TRUE(readUnasked(kOther).ok());
    EXPECT_NE(listedSerial(kOther), "");
    EXPECT_TRUE(askedNothing(ui));

    EXPECT_EQ(e2e_.call("settings.get").result.at("web").at("cardInfo"), "allow");
    std::ifstream file(e2e_.bed().daemonConfig());
    EXPECT_EQ(json::parse(file).at("web").at("cardInfo"), "allow") << "written to the config";
    const Outcome invalid = e2e_.call("settings.set", {{"web", {{"cardInfo", "sometimes"}}}});
    EXPECT_EQ(invalid.code, "invalid_params");
    setCardInfo("ask");
    EXPECT_EQ(readAsked(kShop, ui, "allow").first.at("kind"), "cardinfo")
        << "the change forgot the earlier answer";
}

}  // namespace
}  // namespace taplink::testbed
