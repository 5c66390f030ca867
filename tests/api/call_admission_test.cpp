// Call admission on its own, without a transport: the limits per connection, overall and of
// web callers' calls, the exact busy replies, notifications refused silently, and slots given
// back however a call ends.
#include "api/call_admission.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/registrable_domain.hpp"
#include "support.hpp"

namespace taplink::api::test {
namespace {

// A session that keeps what it is sent; send() throws while failSends is set.
class RecordingSession final : public Session {
  public:
    RecordingSession() : Session(Peer("test")) {}

    void send(const nlohmann::json& message) override {
        if (failSends) {
            throw std::runtime_error("the peer is unreachable");
        }
        const std::lock_guard lock(mutex_);
        sent_.push_back(message);
    }

    std::vector<nlohmann::json> sent() const {
        const std::lock_guard lock(mutex_);
        return sent_;
    }

    // The count-th message sent (from 1), once it came (kGuard); null if it never did.
    nlohmann::json waitForMessage(std::size_t count) const {
        nlohmann::json message;
        waitUntil([&] {
            const auto all = sent();
            if (all.size() >= count) {
                message = all[count - 1];
            }
            return all.size() >= count;
        });
        return message;
    }

    std::atomic<bool> failSends{false};

  private:
    mutable std::mutex mutex_;
    std::vector<nlohmann::json> sent_;
};

Request call(const nlohmann::json& id, std::string method) {
    return Request{id, std::move(method), nlohmann::json::object()};
}

Request notification(std::string method) {
    return Request{std::nullopt, std::move(method), nlohmann::json::object()};
}

nlohmann::json busy(const nlohmann::json& id, const std::string& why) {
    return {{"jsonrpc", "2.0"},
            {"id", id},
            {"error",
             {{"code", -32000},
              {"message", "taplinkd is busy: " + why},
              {"data", {{"code", "busy"}}}}}};
}

// A worker or a slot is given back just after its call's reply is queued: retry until the
// session's next call of `method` runs.
bool admitsAgainOn(CallAdmission& calls, const std::shared_ptr<RecordingSession>& session,
                   const std::string& method) {
    return waitUntil([&] {
        const std::size_t before = session->sent().size();
        calls.admit(session, call("again", method));
        return session->waitForMessage(before + 1).contains("result");
    });
}

class CallAdmissionTest : public ::testing::Test {
  protected:
    CallAdmissionTest() {
        dispatcher.add("test.echo",
                       [](const nlohmann::json&, CallContext&) { return nlohmann::json("echo"); });
        dispatcher.add("test.block", [this](const nlohmann::json&, CallContext& context) {
            return nlohmann::json(gate.wait(context) ? "released" : "cancelled");
        });
        dispatcher.add("test.crash", [](const nlohmann::json&, CallContext&) -> nlohmann::json {
            throw std::runtime_error("a handler failed");
        });
        dispatcher.add("test.count", [this](const nlohmann::json&, CallContext&) {
            return nlohmann::json(++ran);
        });
    }

    ~CallAdmissionTest() override { gate.release(); }

    CallAdmission& start(std::size_t perConnection, std::size_t overall) {
        CallAdmissionOptions options;
        options.maxCallsPerConnection = perConnection;
        options.maxWorkers = overall;
        options.logPrefix = "Test: ";
        options.log = [this](log::Level, std::string_view line) {
            const std::lock_guard lock(logMutex);
            logged.emplace_back(line);
        };
        options.afterCall = [this] { ++callsEnded; };
        admission = std::make_unique<CallAdmission>(dispatcher, std::move(options));
        return *admission;
    }

    bool admitsAgain(const std::shared_ptr<RecordingSession>& session) {
        return admitsAgainOn(*admission, session, "test.echo");
    }

    Gate gate;
    std::atomic<int> ran{0};
    std::atomic<int> callsEnded{0};
    std::mutex logMutex;
    std::vector<std::string> logged;
    Dispatcher dispatcher{[](log::Level, std::string_view) {}};
    std::unique_ptr<CallAdmission> admission;  // last: its workers use the members above
};

TEST_F(CallAdmissionTest, RunsACallUnderTheLimitsAndSendsItsReply) {
    auto& calls = start(2, 2);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.echo"));
    EXPECT_EQ(session->waitForMessage(1),
              (nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", "echo"}}));
}

TEST_F(CallAdmissionTest, RegistersTheCallBeforeItRuns) {
    auto& calls = start(2, 2);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.block"));
    EXPECT_EQ(session->callsInFlight(), 1U);  // at once, whether the worker started or not
    session->cancelCalls();                   // what a disconnect does
    ASSERT_TRUE(gate.waitCancelled(1));
    EXPECT_EQ(session->waitForMessage(1)["result"], "cancelled");
}

TEST_F(CallAdmissionTest, AnswersBusyOverTheConnectionLimit) {
    auto& calls = start(2, 8);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.block"));
    calls.admit(session, call(2, "test.block"));
    calls.admit(session, call(3, "test.echo"));
    // The refusal is sent at once, on the admitting thread.
    ASSERT_EQ(session->sent().size(), 1U);
    EXPECT_EQ(session->sent()[0], busy(3, "too many calls in flight on this connection"));
    const auto other = std::make_shared<RecordingSession>();
    calls.admit(other, call(4, "test.echo"));  // the limit is per connection
    EXPECT_EQ(other->waitForMessage(1)["result"], "echo");
}

TEST_F(CallAdmissionTest, AnswersBusyOverTheOverallLimit) {
    auto& calls = start(8, 2);
    const auto first = std::make_shared<RecordingSession>();
    const auto second = std::make_shared<RecordingSession>();
    const auto third = std::make_shared<RecordingSession>();
    calls.admit(first, call(1, "test.block"));
    calls.admit(second, call(2, "test.block"));
    calls.admit(third, call("three", "test.echo"));
    ASSERT_EQ(third->sent().size(), 1U);
    EXPECT_EQ(third->sent()[0], busy("three", "too many calls in flight"));
    EXPECT_EQ(third->callsInFlight(), 0U);  // the refused call is not left registered
}

TEST_F(CallAdmissionTest, DropsANotificationOverEitherLimitWithoutAReply) {
    auto& calls = start(1, 2);
    const auto first = std::make_shared<RecordingSession>();
    const auto second = std::make_shared<RecordingSession>();
    const auto third = std::make_shared<RecordingSession>();
    calls.admit(first, call(1, "test.block"));
    calls.admit(first, notification("test.count"));  // over the connection's limit
    calls.admit(second, call(2, "test.block"));
    calls.admit(third, notification("test.count"));  // over the overall limit
    EXPECT_TRUE(first->sent().empty());
    EXPECT_TRUE(third->sent().empty());
    EXPECT_EQ(third->callsInFlight(), 0U);
    gate.release();
    calls.shutdown();  // every call admitted has ended
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(first->sent().size(), 1U);
    EXPECT_TRUE(third->sent().empty());
}

TEST_F(CallAdmissionTest, RunsANotificationWithoutAReply) {
    auto& calls = start(1, 1);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, notification("test.count"));
    calls.shutdown();
    EXPECT_EQ(ran, 1);
    EXPECT_TRUE(session->sent().empty());
}

TEST_F(CallAdmissionTest, GivesTheSlotsBackWhenACallEnds) {
    auto& calls = start(1, 1);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.echo"));
    EXPECT_EQ(session->waitForMessage(1)["result"], "echo");
    EXPECT_TRUE(admitsAgain(session));
}

TEST_F(CallAdmissionTest, GivesTheSlotsBackWhenTheHandlerThrows) {
    auto& calls = start(1, 1);
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.crash"));
    EXPECT_EQ(session->waitForMessage(1)["error"]["data"]["code"], "internal");
    EXPECT_TRUE(admitsAgain(session));
}

TEST_F(CallAdmissionTest, GivesTheSlotsBackAndLogsWhenTheReplyCannotBeSent) {
    auto& calls = start(1, 1);
    const auto session = std::make_shared<RecordingSession>();
    session->failSends = true;
    calls.admit(session, call(1, "test.echo"));
    ASSERT_TRUE(waitUntil([&] { return callsEnded == 1; }));
    {
        const std::lock_guard lock(logMutex);
        EXPECT_EQ(logged,
                  (std::vector<std::string>{"Test: replying failed: the peer is unreachable"}));
    }
    session->failSends = false;
    EXPECT_TRUE(admitsAgain(session));
}

TEST_F(CallAdmissionTest, RunsAfterCallOnceTheCallIsUnregistered) {
    const auto session = std::make_shared<RecordingSession>();
    std::atomic<std::size_t> inFlightAfterCall{99};
    std::atomic<std::size_t> sentAfterCall{0};
    CallAdmissionOptions options;
    options.afterCall = [&] {
        inFlightAfterCall = session->callsInFlight();
        sentAfterCall = session->sent().size();
    };
    CallAdmission calls(dispatcher, std::move(options));
    calls.admit(session, call(1, "test.echo"));
    calls.shutdown();
    EXPECT_EQ(sentAfterCall, 1U);  // the reply was queued before
    EXPECT_EQ(inFlightAfterCall, 0U);
}

// A web caller (taplink-nm's session.hello made it one), whose calls the gate lets through.
std::shared_ptr<RecordingSession> webSession() {
    auto session = std::make_shared<RecordingSession>();
    session->becomeWebCaller("native-messaging", "https://shop.example", "extension");
    return session;
}

TEST_F(CallAdmissionTest, AnswersWebCallersBusyOverTheWebCallLimitOfEveryTransport) {
    dispatcher.setCallerGate([](const Request&, CallContext&) {});
    dispatcher.add(
        "test.webBlock",
        [this](const nlohmann::json&, CallContext& context) {
            return nlohmann::json(gate.wait(context) ? "released" : "cancelled");
        },
        Access::Web);
    dispatcher.add(
        "test.webEcho", [](const nlohmann::json&, CallContext&) { return nlohmann::json("echo"); },
        Access::Web);
    CallAdmissionOptions options;
    options.webCalls = std::make_shared<WebCallLimit>(2);
    CallAdmission unixCalls(dispatcher, options);  // two transports, one limit
    CallAdmission webSocketCalls(dispatcher, options);
    const auto first = webSession();
    const auto second = webSession();
    unixCalls.admit(first, call(1, "test.webBlock"));
    webSocketCalls.admit(second, call(2, "test.webBlock"));
    ASSERT_TRUE(gate.waitStarted(2));

    const auto third = webSession();
    unixCalls.admit(third, call(3, "test.webEcho"));
    ASSERT_EQ(third->sent().size(), 1U);  // at once, on the admitting thread
    EXPECT_EQ(third->sent()[0], busy(3, "too many web calls"));
    EXPECT_EQ(third->callsInFlight(), 0U);
    const auto owner = std::make_shared<RecordingSession>();
    webSocketCalls.admit(owner, call(4, "test.echo"));  // the owner's programs always run
    EXPECT_EQ(owner->waitForMessage(1)["result"], "echo");

    gate.release();
    EXPECT_EQ(first->waitForMessage(1)["result"], "released");
    EXPECT_TRUE(admitsAgainOn(webSocketCalls, third, "test.webEcho"));
    unixCalls.shutdown();
    webSocketCalls.shutdown();
}

// A web caller of the origin given.
std::shared_ptr<RecordingSession> webSessionOf(const std::string& origin) {
    auto session = std::make_shared<RecordingSession>();
    session->becomeWebCaller("native-messaging", origin, "extension");
    return session;
}

constexpr std::string_view kAllowed = "https://shop.example";

// A gate that lets kAllowed through at once and holds every other origin's call until the
// test approves (or the call is cancelled), as taplinkd's waits for the user's answer.
class ApprovalGate {
  public:
    void install(Dispatcher& dispatcher) {
        dispatcher.setCallerGate(
            [this](const Request&, CallContext& context) { check(context); },
            [](const Session& session) { return session.peer().origin == kAllowed; });
    }
    void approve() { approved_ = true; }
    bool waitAsking(int count) const {
        return waitUntil([&] { return asking_ == count; });
    }

  private:
    void check(const CallContext& context) {
        if (context.peer().origin == kAllowed) {
            return;
        }
        ++asking_;
        while (!approved_ && !context.cancelled()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (!approved_) {
            throw ApiError(ErrorCode::Cancelled, "the call was cancelled");
        }
    }

    std::atomic<bool> approved_{false};
    std::atomic<int> asking_{0};
};

class WebSharesTest : public CallAdmissionTest {
  protected:
    WebSharesTest() {
        approval.install(dispatcher);
        dispatcher.add(
            "test.webEcho",
            [](const nlohmann::json&, CallContext&) { return nlohmann::json("echo"); },
            Access::Web);
        dispatcher.add(
            "test.webBlock",
            [this](const nlohmann::json&, CallContext& context) {
                return nlohmann::json(gate.wait(context) ? "released" : "cancelled");
            },
            Access::Web);
    }

    // The calls still asking end before the gate they wait in goes.
    ~WebSharesTest() override {
        approval.approve();
        admission.reset();
    }

    CallAdmission& startShared(std::size_t webCalls, std::size_t perOrigin) {
        CallAdmissionOptions options;
        options.webCalls = std::make_shared<WebCallLimit>(webCalls, perOrigin);
        admission = std::make_unique<CallAdmission>(dispatcher, std::move(options));
        return *admission;
    }

    ApprovalGate approval;
};

TEST_F(WebSharesTest, PagesNobodyApprovedWaitApartAndLeaveTheWebCallSlotsToAllowedPages) {
    auto& calls = startShared(2, 2);
    std::vector<std::shared_ptr<RecordingSession>> unapproved;
    const auto perDomain = static_cast<int>(WebCallLimit::kMaxAwaitingApprovalPerDomain);
    for (int i = 0; i < perDomain; ++i) {  // more than the two web-call slots
        unapproved.push_back(webSessionOf("https://p" + std::to_string(i) + ".evil.example"));
        calls.admit(unapproved.back(), call(i, "test.webEcho"));
    }
    ASSERT_TRUE(approval.waitAsking(perDomain));
    const auto subdomain = webSessionOf("https://more.evil.example");
    calls.admit(subdomain, call(9, "test.webEcho"));  // its domain's share of the queue is full
    ASSERT_EQ(subdomain->sent().size(), 1U);
    EXPECT_EQ(subdomain->sent()[0],
              busy(9, "too many calls of web pages wait for the user's approval"));
    unapproved.push_back(webSessionOf("https://other.example"));  // another domain's share
    calls.admit(unapproved.back(), call(10, "test.webEcho"));
    ASSERT_TRUE(approval.waitAsking(perDomain + 1));

    const auto shop = webSessionOf(std::string(kAllowed));
    calls.admit(shop, call(11, "test.webEcho"));
    calls.admit(shop, call(12, "test.webEcho"));
    EXPECT_EQ(shop->waitForMessage(1)["result"], "echo");
    EXPECT_EQ(shop->waitForMessage(2)["result"], "echo");
    for (const auto& session : unapproved) {
        session->cancelCalls();
        EXPECT_EQ(session->waitForMessage(1)["error"]["data"]["code"], "cancelled");
    }
}

TEST_F(WebSharesTest, AnApprovedCallTakesItsWebCallSlotOnlyOnceApproved) {
    auto& calls = startShared(1, 1);
    const auto shop = webSessionOf(std::string(kAllowed));
    calls.admit(shop, call(1, "test.webBlock"));  // the one web-call slot
    ASSERT_TRUE(gate.waitStarted(1));
    const auto page = webSessionOf("https://new.example");
    calls.admit(page, call(2, "test.webEcho"));
    ASSERT_TRUE(approval.waitAsking(1));
    EXPECT_TRUE(page->sent().empty()) << "waits for the user, not for a slot";
    approval.approve();
    EXPECT_EQ(page->waitForMessage(1), busy(2, "too many web calls"));
    gate.release();
    EXPECT_EQ(shop->waitForMessage(1)["result"], "released");
    EXPECT_TRUE(admitsAgainOn(calls, page, "test.webEcho"));
}

TEST_F(WebSharesTest, EachOriginHasItsShareOfTheWebCalls) {
    auto& calls = startShared(4, 2);
    const auto shop = webSessionOf(std::string(kAllowed));
    calls.admit(shop, call(1, "test.webBlock"));
    calls.admit(shop, call(2, "test.webBlock"));
    ASSERT_TRUE(gate.waitStarted(2));
    calls.admit(shop, call(3, "test.webEcho"));
    ASSERT_EQ(shop->sent().size(), 1U);
    EXPECT_EQ(shop->sent()[0], busy(3, "too many web calls"));
    approval.approve();  // another origin, approved: its own share
    const auto other = webSessionOf("https://other.example");
    calls.admit(other, call(4, "test.webEcho"));
    EXPECT_EQ(other->waitForMessage(1)["result"], "echo");
    gate.release();
}

TEST(ShareLimit, EveryKeyHoldsItsShareOfTheTotalAndGivesItBack) {
    ShareLimit limit(3, 2);
    auto a1 = limit.take("a");
    auto a2 = limit.take("a");
    EXPECT_TRUE(a1 && a2);
    EXPECT_EQ(limit.take("a"), nullptr) << "a's share";
    auto b1 = limit.take("b");
    EXPECT_NE(b1, nullptr);
    EXPECT_EQ(limit.take("c"), nullptr) << "the total";
    a1.reset();
    EXPECT_NE(limit.take("c"), nullptr) << "given back";
    EXPECT_EQ(limit.taken(), 2U) << "c's slot given back as its pointer went";
}

TEST(RegistrableDomain, IsTheDomainOnePartyControlsByThePublicSuffixList) {
    EXPECT_EQ(registrableDomain("https://pay.shop.example.cn:8443"), "example.cn");
    EXPECT_EQ(registrableDomain("https://WWW.Shop.COM.cn"), "shop.com.cn");
    EXPECT_EQ(registrableDomain("https://a.github.io"), "a.github.io") << "a public suffix's";
    EXPECT_EQ(registrableDomain("https://b.a.github.io"), "a.github.io");
    EXPECT_EQ(registrableDomain("http://localhost:8080"), "localhost");
    EXPECT_EQ(registrableDomain("http://127.0.0.1:8080"), "127.0.0.1");
    EXPECT_EQ(registrableDomain("http://[::1]:8080"), "[::1]");
}

TEST_F(CallAdmissionTest, AnswersBusyOnceShutDown) {
    auto& calls = start(1, 1);
    calls.shutdown();
    const auto session = std::make_shared<RecordingSession>();
    calls.admit(session, call(1, "test.echo"));
    EXPECT_EQ(session->sent(), (std::vector<nlohmann::json>{busy(1, "too many calls in flight")}));
    EXPECT_EQ(session->callsInFlight(), 0U);
}

}  // namespace
}  // namespace taplink::api::test
