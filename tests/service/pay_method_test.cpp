// pay.start and tx.status through the API's dispatcher over the in-process purchase bed
// (purchase_bed.hpp): the result is exactly docs/api.md's (nothing of the card's
// cryptograms), the progress notifications are pay.progress, and tx.status knows the
// purchase.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "app/daemon_config.hpp"
#include "app/failure_translation.hpp"
#include "app/method_families.hpp"
#include "purchase_bed.hpp"

namespace taplink::app {
namespace {

using nlohmann::json;
using service::testing::PurchaseBed;

class Caller final : public api::Session {
  public:
    Caller() : Session(api::Peer{"test"}) {}
    void send(const json& message) override {
        const std::lock_guard lock(mutex_);
        sent_.push_back(message);
    }
    std::vector<json> sent() {
        const std::lock_guard lock(mutex_);
        return sent_;
    }

  private:
    std::mutex mutex_;
    std::vector<json> sent_;
};

struct PayApi {
    PayApi() {
        dispatcher.setErrorTranslator(translateFailure);
        registerTopupMethods(dispatcher,
                             {bed.service, bed.port, claims, trustedUi, settings, resumer});
        registerPayMethods(dispatcher, {bed.service, claims, trustedUi, settings, resumer});
    }
    json call(const std::string& method, const json& params) {
        api::CallContext context(caller);
        return *dispatcher.call(api::Request{json(1), method, params}, context);
    }

    PurchaseBed bed;
    DaemonConfig config;
    WebOrderClaims claims{
        [this](const std::string& orderId) { return bed.service.knowsOrder(orderId); }};
    TrustedUi trustedUi;
    LiveSettings settings{config, [] {}};
    Resumer resumer{[] {}, std::chrono::seconds(60)};
    api::Dispatcher dispatcher;
    std::shared_ptr<Caller> caller = std::make_shared<Caller>();
};

std::set<std::string> keysOf(const json& object) {
    std::set<std::string> keys;
    for (const auto& [key, value] : object.items()) {
        keys.insert(key);
    }
    return keys;
}

TEST(PayMethod, AnswersExactlyTheDocumentedResultAndProgress) {
    PayApi api;
    api.bed.insertBankCard();
    api.bed.addPurchaseOrder("ORD-PAY-API");
    const json reply = api.call("pay.start", {{"orderId", "ORD-PAY-API"}});
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    const json& result = reply.at("result");
    EXPECT_EQ(keysOf(result),
              (std::set<std::string>{"orderId", "status", "amount", "currency", "merchant",
                                     "authCode", "card", "settled", "receipt"}));
    EXPECT_EQ(result.at("status"), "approved");
    EXPECT_EQ(result.at("currency"), "CNY");
    EXPECT_EQ(result.at("amount"), PurchaseBed::kAmount);
    EXPECT_EQ(result.at("card").at("scheme"), "bank-purchase");
    EXPECT_EQ(keysOf(result.at("card")), (std::set<std::string>{"scheme", "pan", "application"}));
    EXPECT_EQ(result.at("settled"), true);
    std::vector<std::string> stages;
    for (const json& message : api.caller->sent()) {
        EXPECT_EQ(message.at("method"), "pay.progress");
        stages.push_back(message.at("params").at("stage"));
    }
    EXPECT_EQ(stages.front(), "waiting_for_card");
    EXPECT_EQ(stages.back(), "completing");
    const json status = api.call("tx.status", {{"orderId", "ORD-PAY-API"}}).at("result");
    EXPECT_EQ(status.at("scheme"), "bank-purchase");
    EXPECT_EQ(status.at("state"), "reported");
}

// A trusted UI that answers every "pin" question with `pin`, from its own thread.
class PinAnsweringUi final : public api::Session {
  public:
    PinAnsweringUi(TrustedUi& trustedUi, std::string pin)
        : Session(api::Peer{"test"}), trustedUi_(trustedUi), pin_(std::move(pin)) {}
    ~PinAnsweringUi() override {
        if (answering_.joinable()) {
            answering_.join();
        }
    }
    PinAnsweringUi(const PinAnsweringUi&) = delete;
    PinAnsweringUi& operator=(const PinAnsweringUi&) = delete;
    void send(const json& message) override {  // under the trusted UI's lock: answer later
        if (message.value("method", "") == "ui.request" &&
            message.at("params").at("kind") == "pin") {
            const std::string id = message.at("params").at("id");
            pinQuestions.push_back(message.at("params").at("pin"));
            if (answering_.joinable()) {
                answering_.join();  // the last attempt's answer, long given
            }
            answering_ = std::thread([this, id] { trustedUi_.respond(id, true, false, pin_); });
        }
    }

    std::vector<json> pinQuestions;  // each "pin" question's details, as asked

  private:
    TrustedUi& trustedUi_;
    std::string pin_;
    std::thread answering_;
};

TEST(PayMethod, AWrongPinIsWrongPinWithTheTriesLeftInTheDetails) {
    PayApi api;
    auto ui = std::make_shared<PinAnsweringUi>(api.trustedUi, "111111");
    api.trustedUi.attach(ui);
    api.bed.insertBankCard();
    api.bed.addPurchaseOrder("ORD-PAY-API", PurchaseBed::kAmountWithPin);
    const json reply = api.call("pay.start", {{"orderId", "ORD-PAY-API"}});
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_EQ(reply.at("error").at("data").at("code"), "wrong_pin");
    EXPECT_EQ(reply.at("error").at("data").at("details"), (json{{"pinTriesLeft", 2}}));
    EXPECT_EQ(reply.dump().find("111111"), std::string::npos);
    api.trustedUi.detach(*ui);
}

TEST(PayMethod, AfterAWrongPinTheNextPinQuestionForTheOrderSaysTheTriesLeft) {
    PayApi api;
    auto ui = std::make_shared<PinAnsweringUi>(api.trustedUi, "111111");
    api.trustedUi.attach(ui);
    api.bed.insertBankCard();
    api.bed.addPurchaseOrder("ORD-PAY-API", PurchaseBed::kAmountWithPin);
    const json wrong = api.call("pay.start", {{"orderId", "ORD-PAY-API"}});
    ASSERT_EQ(wrong.at("error").at("data").at("code"), "wrong_pin") << wrong.dump();
    api.call("pay.start", {{"orderId", "ORD-PAY-API"}});  // again: the same wrong PIN
    ASSERT_EQ(ui->pinQuestions.size(), 2U);
    EXPECT_FALSE(ui->pinQuestions[0].contains("pinTriesLeft")) << "nothing known before";
    EXPECT_EQ(ui->pinQuestions[1].value("pinTriesLeft", json()), 2) << ui->pinQuestions[1];
    api.trustedUi.detach(*ui);
}

TEST(PayMethod, ACardAskingThePinWithNoTrustedUiIsConfirmationUnavailable) {
    PayApi api;
    api.bed.insertBankCard();
    api.bed.addPurchaseOrder("ORD-PAY-API", PurchaseBed::kAmountWithPin);
    const json reply = api.call("pay.start", {{"orderId", "ORD-PAY-API"}});
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_EQ(reply.at("error").at("data").at("code"), "confirmation_unavailable");
    EXPECT_EQ(api.bed.server->ec.ledger("ORD-PAY-API").debits, 0U);
}

}  // namespace
}  // namespace taplink::app
