// The plain PAN of a bank card never leaves taplinkd (docs/api.md, "ecload.start"): during a
// whole EC load (圈存) started by an allowed page over the WebSocket and confirmed by the
// trusted UI, every event on every subscribed connection (the owner's and a page's on the
// Unix socket, the page's WebSocket), every progress notification, every reply and every
// question to the trusted UI, taplinkd's log file and the journal database's bytes are
// searched for the PAN: its digits, its BCD bytes and the hex of its ASCII digits.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ecload_support.hpp"
#include "taplink/base/bytes.hpp"
#include "web_client.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;
using web::Answer;

constexpr const char* kShop = "https://shop.test";

// What a connection received: replies and notifications, in order.
void keep(std::vector<json>& seen, const Answer& answer) {
    seen.insert(seen.end(), answer.notifications.begin(), answer.notifications.end());
    seen.push_back(answer.ok() ? answer.result : answer.error);
}

bool hasEvent(const std::vector<json>& seen, const std::string& event) {
    for (const json& message : seen) {
        if (message.is_object() && message.value("method", "") == event) {
            return true;
        }
    }
    return false;
}

// Asks the connection something harmless until `event` has arrived (events come in order
// with the replies); false after a few seconds.
template <class Caller>
bool drainUntil(Caller& caller, std::vector<json>& seen, const std::string& event) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!hasEvent(seen, event)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        keep(seen, caller.call("api.version"));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// Every form in which the PAN could leak: the digits (also the hex of its BCD bytes), the
// BCD bytes, and the hex of the ASCII digits in either case.
std::vector<std::string> panForms() {
    const std::string pan = kDemoBankPan;
    const Bytes bcd = fromHex(pan);
    const Bytes ascii(pan.begin(), pan.end());
    std::string lower = toHex(ascii);
    for (char& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return {pan, std::string(bcd.begin(), bcd.end()), toHex(ascii), lower};
}

TopupBedOptions webBed() {
    TopupBedOptions options;
    options.cardProfile = "";
    options.websocket = true;
    options.webAllowedOrigins = {kShop};
    options.webConfirmation = "ask";
    return options;
}

TEST(EcLoadPrivacy, NoEventReplyLogOrJournalByteCarriesThePlainPan) {
    E2e e2e(webBed());
    const std::string socket = e2e.bed().socketPath();
    web::LineCaller owner(socket);
    web::WebPage nativePage(socket, kShop);
    web::WebSocketPage page(e2e.bed().websocketPort(), kShop);
    web::TrustedUiClient ui(socket);
    const json allEvents{
        {"events", {"reader.added", "reader.removed", "card.inserted", "card.removed"}}};
    std::vector<json> ownerSeen;
    std::vector<json> nativeSeen;
    std::vector<json> pageSeen;
    std::vector<json> uiSeen;
    keep(ownerSeen, owner.call("events.subscribe", allEvents));
    keep(nativeSeen, nativePage.call("events.subscribe", allEvents));
    keep(pageSeen, page.call("events.subscribe", allEvents));

    const std::string account = bankCardAndAccount(e2e, "bank-sm4");  // card.inserted
    const std::string order = bankOrder(e2e, account);
    auto loading = std::async(std::launch::async, [&page, &order] {
        return page.call("ecload.start", {{"orderId", order}});
    });
    const json question = ui.nextRequest();
    uiSeen.push_back(question);
    EXPECT_EQ(question.at("kind"), "ecload");
    keep(uiSeen, ui.respond(question.at("id"), "allow"));
    const Answer loaded = loading.get();
    ASSERT_TRUE(loaded.ok()) << loaded.error.dump();
    keep(pageSeen, loaded);
    EXPECT_EQ(loaded.result.at("balanceAfter"), kEcBefore + kEcAmount);
    auto reading = std::async(std::launch::async, [&page] { return page.call("card.info"); });
    const json cardQuestion = ui.nextRequest();
    uiSeen.push_back(cardQuestion);
    EXPECT_EQ(cardQuestion.at("kind"), "cardinfo");
    keep(uiSeen, ui.respond(cardQuestion.at("id"), "allow"));
    const Answer read = reading.get();
    EXPECT_TRUE(read.ok()) << read.error.dump();
    keep(pageSeen, read);
    keep(pageSeen, page.call("tx.status", {{"orderId", order}}));
    // The extension vouches for the origin the WebSocket only claims: asked about on its own.
    auto nativeReading =
        std::async(std::launch::async, [&nativePage] { return nativePage.call("card.info"); });
    const json vouchedQuestion = ui.nextRequest();
    uiSeen.push_back(vouchedQuestion);
    keep(uiSeen, ui.respond(vouchedQuestion.at("id"), "allow"));
    keep(nativeSeen, nativeReading.get());
    for (const char* method : {"card.info", "card.history", "readers.list", "diagnostics"}) {
        keep(ownerSeen, owner.call(method));
    }
    keep(ownerSeen, owner.call("tx.status", {{"orderId", order}}));

    e2e.bed().bed().sim().remove(kCardSlot);  // card.removed
    EXPECT_TRUE(drainUntil(owner, ownerSeen, "card.removed"));
    EXPECT_TRUE(drainUntil(nativePage, nativeSeen, "card.removed"));
    EXPECT_TRUE(drainUntil(page, pageSeen, "card.removed"));
    for (const auto* seen : {&ownerSeen, &nativeSeen, &pageSeen}) {
        EXPECT_TRUE(hasEvent(*seen, "card.inserted")) << json(*seen).dump();
    }
    EXPECT_TRUE(hasEvent(pageSeen, "ecload.progress")) << json(pageSeen).dump();

    const std::string journal =
        fileText(e2e.bed().journalPath()) + fileText(e2e.bed().journalPath() + "-wal");
    EXPECT_NE(journal.find(order), std::string::npos) << "the journal was read";
    const std::vector<std::pair<std::string, std::string>> places{
        {"events and replies on the owner's Unix socket", json(ownerSeen).dump()},
        {"events and replies on the page's Unix socket", json(nativeSeen).dump()},
        {"events, progress and replies on the WebSocket", json(pageSeen).dump()},
        {"the trusted UI's question", json(uiSeen).dump()},
        {"taplinkd's log", fileText(e2e.bed().daemonLog())},
        {"the journal's bytes", journal}};
    for (const auto& [place, text] : places) {
        for (const std::string& form : panForms()) {
            EXPECT_EQ(text.find(form), std::string::npos) << "the PAN in " << place;
        }
    }
}

}  // namespace
}  // namespace taplink::testbed
