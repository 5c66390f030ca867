// The trusted UI's kind "pin" (docs/api.md, "Trusted-UI kinds of a purchase") through the
// real ui.respond handler: the PIN comes back to the asker only; it is in no ui.request, no
// ui.request.closed, no reply and no log line; a choice that is not 4..12 digits is
// invalid_params without echoing it.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "app/method_families.hpp"
#include "app/trusted_ui.hpp"

namespace taplink::app {
namespace {

using nlohmann::json;

constexpr const char* kPin = "314159";

class RecordingUi final : public api::Session {
  public:
    RecordingUi() : Session(api::Peer{"test"}) {}
    void send(const json& message) override {
        const std::lock_guard lock(mutex_);
        sent_ += message.dump() + "\n";
        if (message.value("method", "") == "ui.request") {
            requests_.push_back(message.at("params"));
        }
    }
    std::optional<json> request() {
        const std::lock_guard lock(mutex_);
        return requests_.empty() ? std::nullopt : std::optional<json>(requests_.back());
    }
    std::string sent() {
        const std::lock_guard lock(mutex_);
        return sent_;
    }

  private:
    std::mutex mutex_;
    std::string sent_;
    std::vector<json> requests_;
};

json waitForRequest(RecordingUi& ui) {
    for (int tries = 0; tries < 500; ++tries) {
        if (auto request = ui.request()) {
            return *request;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("no ui.request");
}

struct PinBed {
    PinBed() : dispatcher([this](log::Level, std::string_view line) { logged += line; }) {
        registerUiMethods(dispatcher, trustedUi);
        trustedUi.attach(gui);
    }
    json respond(const json& params) {
        api::CallContext call(gui);
        return *dispatcher.call(api::Request{json(1), "ui.respond", params}, call);
    }
    std::future<UiAnswer> ask(std::string& pin) {
        return std::async(std::launch::async, [this, &pin] {
            const json details{{"orderId", "ORD-P"},
                               {"amount", 50000},
                               {"currency", "CNY"},
                               {"merchant", "Demo Shop"},
                               {"pan", "\u20261234"}};
            return trustedUi.ask(UiQuestion{"pin", "", "unix", "", details}, {}, &pin);
        });
    }

    std::string logged;
    TrustedUi trustedUi;
    api::Dispatcher dispatcher;
    std::shared_ptr<RecordingUi> gui = std::make_shared<RecordingUi>();
};

TEST(PayTrustedUi, ThePinComesBackToTheAskerAndNowhereElse) {
    PinBed bed;
    std::string pin;
    auto answer = bed.ask(pin);
    const json request = waitForRequest(*bed.gui);
    EXPECT_EQ(request.at("kind"), "pin");
    EXPECT_EQ(request.at("pin"), (json{{"orderId", "ORD-P"},
                                       {"amount", 50000},
                                       {"currency", "CNY"},
                                       {"merchant", "Demo Shop"},
                                       {"pan", "\u20261234"}}));
    const json reply =
        bed.respond({{"id", request.at("id")}, {"decision", "allow"}, {"choice", kPin}});
    EXPECT_EQ(reply.at("result").at("accepted"), true) << reply.dump();
    EXPECT_EQ(answer.get(), UiAnswer::Allow);
    EXPECT_EQ(pin, kPin);
    EXPECT_EQ(bed.gui->sent().find(kPin), std::string::npos) << bed.gui->sent();
    EXPECT_EQ(reply.dump().find(kPin), std::string::npos);
    EXPECT_EQ(bed.logged.find(kPin), std::string::npos);
}

TEST(PayTrustedUi, AChoiceThatIsNotAPinIsRefusedWithoutEchoingIt) {
    PinBed bed;
    std::string pin;
    auto answer = bed.ask(pin);
    const json request = waitForRequest(*bed.gui);
    for (const char* wrong : {"12a4", "123", "1234567890123", ""}) {
        const json reply =
            bed.respond({{"id", request.at("id")}, {"decision", "allow"}, {"choice", wrong}});
        ASSERT_TRUE(reply.contains("error")) << wrong;
        EXPECT_EQ(reply.at("error").at("data").at("code"), "invalid_params") << wrong;
        if (std::string(wrong).size() >= 3) {
            EXPECT_EQ(reply.dump().find(wrong), std::string::npos) << reply.dump();
        }
    }
    const json denied = bed.respond({{"id", request.at("id")}, {"decision", "deny"}});
    EXPECT_EQ(denied.at("result").at("accepted"), true);
    EXPECT_EQ(answer.get(), UiAnswer::Deny);
    EXPECT_TRUE(pin.empty());
}

}  // namespace
}  // namespace taplink::app
