// The trusted UI's questions: who gets them, the first answer, the timeout, a UI or a
// caller going away, and one dialog for callers asking about the same origin.
#include "app/trusted_ui.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace taplink::app {
namespace {

using nlohmann::json;

class RecordingUi final : public api::Session {
  public:
    RecordingUi() : Session(api::Peer{"test"}) {}
    void send(const json& message) override {
        {
            const std::lock_guard lock(mutex_);
            messages_.push_back(message);
        }
        changed_.notify_all();
    }
    // The n-th message (0-based), waiting for it.
    json message(std::size_t n) {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, std::chrono::seconds(10),
                               [&] { return messages_.size() > n; })) {
            throw std::runtime_error("no message " + std::to_string(n));
        }
        return messages_[n];
    }
    std::size_t count() {
        const std::lock_guard lock(mutex_);
        return messages_.size();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<json> messages_;
};

UiQuestion originQuestion(const std::string& origin) {
    return UiQuestion{"origin", origin, "websocket", "", std::nullopt};
}

TEST(TrustedUi, AnApplicationChoiceCarriesTheCandidatesAndComesBackWithTheAid) {
    TrustedUi ui;
    auto gui = std::make_shared<RecordingUi>();
    ui.attach(gui);
    const json candidates = json::array({{{"aid", "A000000333010101"}, {"label", "DEBIT"}},
                                         {{"aid", "A000000333010102"}, {"label", "CREDIT"}}});
    std::string choice;
    auto answer = std::async(std::launch::async, [&] {
        return ui.ask(UiQuestion{"application", "", "unix", "",
                                 json{{"orderId", "ORD-1"}, {"candidates", candidates}}},
                      {}, &choice);
    });
    const json params = gui->message(0).at("params");
    EXPECT_EQ(params.at("kind"), "application");
    EXPECT_EQ(params.at("application").at("candidates"), candidates);
    EXPECT_TRUE(ui.respond(params.at("id"), true, false, "A000000333010102"));
    EXPECT_EQ(answer.get(), UiAnswer::Allow);
    EXPECT_EQ(choice, "A000000333010102");
}

TEST(TrustedUi, WithoutAUiNobodyIsAsked) {
    TrustedUi ui;
    EXPECT_FALSE(ui.attached());
    EXPECT_EQ(ui.ask(originQuestion("https://a.test"), {}), UiAnswer::NoUi);
}

TEST(TrustedUi, EveryUiIsAskedAndTheFirstAnswerCounts) {
    TrustedUi ui;
    auto first = std::make_shared<RecordingUi>();
    auto second = std::make_shared<RecordingUi>();
    ui.attach(first);
    ui.attach(second);
    auto answer = std::async(std::launch::async,
                             [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    const json request = first->message(0);
    EXPECT_EQ(request.at("method"), "ui.request");
    EXPECT_EQ(second->message(0), request);
    const std::string id = request.at("params").at("id");
    EXPECT_EQ(request.at("params").at("origin"), "https://a.test");
    EXPECT_TRUE(request.at("params").contains("expiresAt"));

    EXPECT_TRUE(ui.respond(id, true, true));
    EXPECT_FALSE(ui.respond(id, false, false)) << "answered already";
    EXPECT_EQ(answer.get(), UiAnswer::AllowAndRemember);
    for (const auto& session : {first, second}) {
        const json closed = session->message(1);
        EXPECT_EQ(closed.at("method"), "ui.request.closed");
        EXPECT_EQ(closed.at("params"), (json{{"id", id}, {"reason", "answered"}}));
    }
}

TEST(TrustedUi, QuestionsAboutOneOriginShareOneDialog) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    auto a = std::async(std::launch::async,
                        [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    const std::string id = session->message(0).at("params").at("id");
    auto b = std::async(std::launch::async,
                        [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    // b joins a's question rather than opening a second dialog.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ui.waiting(id) < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(ui.waiting(id), 2U);
    EXPECT_EQ(ui.attach(session).size(), 1U);
    EXPECT_TRUE(ui.respond(id, false, false));
    EXPECT_EQ(a.get(), UiAnswer::Deny);
    EXPECT_EQ(b.get(), UiAnswer::Deny);
}

TEST(TrustedUi, AnUnansweredQuestionTimesOut) {
    TrustedUi ui(std::chrono::seconds(1));
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    EXPECT_EQ(ui.ask(originQuestion("https://a.test"), {}), UiAnswer::Timeout);
    EXPECT_EQ(session->message(1).at("params").at("reason"), "timeout");
}

TEST(TrustedUi, ACallerThatLeavesWithdrawsItsQuestion) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    std::atomic<bool> left{false};
    auto answer = std::async(std::launch::async, [&] {
        return ui.ask(originQuestion("https://a.test"), [&] { return left.load(); });
    });
    session->message(0);
    left = true;
    EXPECT_EQ(answer.get(), UiAnswer::Cancelled);
    EXPECT_EQ(session->message(1).at("params").at("reason"), "cancelled");
}

TEST(TrustedUi, TheLastUiLeavingEndsTheWait) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    auto answer = std::async(std::launch::async,
                             [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    session->message(0);
    ui.detach(*session);
    EXPECT_EQ(answer.get(), UiAnswer::NoUi);
    EXPECT_FALSE(ui.attached());
}

TEST(TrustedUi, AUiThatIsGoneCountsAsNone) {
    TrustedUi ui;
    ui.attach(std::make_shared<RecordingUi>());  // its connection closed: only a weak link
    EXPECT_FALSE(ui.attached());
    EXPECT_EQ(ui.ask(originQuestion("https://a.test"), {}), UiAnswer::NoUi);
}

TEST(TrustedUi, TopUpQuestionsCarryTheOrderAndAreNeverShared) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    const json topup{{"orderId", "ORD-1"}, {"amount", 5000}};
    auto a = std::async(std::launch::async, [&] {
        return ui.ask(UiQuestion{"topup", "https://a.test", "native-messaging", "ext", topup}, {});
    });
    const json first = session->message(0).at("params");
    auto b = std::async(std::launch::async, [&] {
        return ui.ask(UiQuestion{"topup", "https://a.test", "native-messaging", "ext", topup}, {});
    });
    const json second = session->message(1).at("params");
    EXPECT_NE(first.at("id"), second.at("id"));
    EXPECT_EQ(first.at("topup"), topup);
    EXPECT_EQ(first.at("extensionId"), "ext");
    EXPECT_TRUE(ui.respond(first.at("id"), true, false));
    EXPECT_TRUE(ui.respond(second.at("id"), false, false));
    EXPECT_EQ(a.get(), UiAnswer::Allow);
    EXPECT_EQ(b.get(), UiAnswer::Deny);
}

TEST(TrustedUi, OnlyANativeMessagingOriginIsVouchedFor) {
    const std::vector<std::pair<std::string, bool>> cases{
        {"native-messaging", true}, {"websocket", false}, {"unix", false}};
    for (const auto& testCase : cases) {
        const std::string& transport = testCase.first;  // a lambda cannot capture a binding
        const bool vouched = testCase.second;
        TrustedUi ui(std::chrono::seconds(1));
        auto session = std::make_shared<RecordingUi>();
        ui.attach(session);
        auto answer = std::async(std::launch::async, [&] {
            return ui.ask(UiQuestion{"origin", "https://a.test", transport, "", std::nullopt}, {});
        });
        const json params = session->message(0).at("params");
        EXPECT_EQ(params.at("originVouched"), vouched) << transport;
        EXPECT_TRUE(ui.respond(params.at("id"), false, false));
        EXPECT_EQ(answer.get(), UiAnswer::Deny);
    }
}

// The user's answer to the browser's word for an origin must not let in a program that only
// claims it (nor the other way round): each gets its own dialog.
TEST(TrustedUi, AClaimedOriginNeverSharesTheDialogOfAVouchedOne) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    auto vouched = std::async(std::launch::async, [&] {
        return ui.ask(UiQuestion{"origin", "https://a.test", "native-messaging", "ext", {}}, {});
    });
    const json first = session->message(0).at("params");
    auto claimed = std::async(std::launch::async,
                              [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    const json second = session->message(1).at("params");
    EXPECT_NE(first.at("id"), second.at("id"));
    EXPECT_TRUE(first.at("originVouched"));
    EXPECT_FALSE(second.at("originVouched"));
    EXPECT_TRUE(ui.respond(first.at("id"), true, false));
    EXPECT_EQ(vouched.get(), UiAnswer::Allow);
    EXPECT_TRUE(ui.respond(second.at("id"), false, false));
    EXPECT_EQ(claimed.get(), UiAnswer::Deny);
}

// A page's card.info question is about its origin too: callers of one origin share it, and
// it never rides on the origin gate's question about the same origin.
TEST(TrustedUi, CardInfoQuestionsAreSharedPerOriginButNotWithOriginQuestions) {
    TrustedUi ui;
    auto session = std::make_shared<RecordingUi>();
    ui.attach(session);
    const UiQuestion reading{"cardinfo", "https://a.test", "websocket", "", json{{"reader", "R"}}};
    auto gate = std::async(std::launch::async,
                           [&] { return ui.ask(originQuestion("https://a.test"), {}); });
    const json first = session->message(0).at("params");
    auto one = std::async(std::launch::async, [&] { return ui.ask(reading, {}); });
    const json second = session->message(1).at("params");
    EXPECT_EQ(second.at("kind"), "cardinfo");
    EXPECT_EQ(second.at("cardinfo"), (json{{"reader", "R"}}));
    EXPECT_NE(first.at("id"), second.at("id"));
    auto two = std::async(std::launch::async, [&] { return ui.ask(reading, {}); });
    const std::string id = second.at("id");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ui.waiting(id) < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(ui.waiting(id), 2U) << "the second reader joins the first one's dialog";
    EXPECT_TRUE(ui.respond(id, true, false));
    EXPECT_EQ(one.get(), UiAnswer::Allow);
    EXPECT_EQ(two.get(), UiAnswer::Allow);
    EXPECT_TRUE(ui.respond(first.at("id"), false, false));
    EXPECT_EQ(gate.get(), UiAnswer::Deny);
}

}  // namespace
}  // namespace taplink::app
