// The trusted UI: the user's own desktop app (taplink-gui) attached over the owner-only
// socket, which taplinkd asks before a web page may call it (an unknown origin) or load a
// card (a web page's top-up). A question goes to every attached UI as a ui.request
// notification; the first ui.respond answers it; ui.request.closed tells the others (and
// the one that answered) that the dialog can go. docs/api.md, "Trusted UI".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/session.hpp"

namespace taplink::app {

struct UiQuestion {
    // "origin", "cardinfo", "topup", "ecload", "pay", "pin" or "application"
    std::string kind;
    std::string origin;
    std::string transport;
    std::string extensionId;  // native messaging only
    // The request's member named after the kind: "cardinfo" {reader}, "topup" {orderId,
    // amount, currency, card},
    // "ecload" the same with the bank card, "pay" the same with the merchant, "pin"
    // {orderId, amount, currency, merchant, pan}, "application" {orderId, candidates}.
    std::optional<nlohmann::json> details;
};

// True when the browser vouches for the question's origin: the extension took it from the
// browser's sender information and taplink-nm relayed it (native messaging). A WebSocket's
// origin is only claimed: its Origin header is whatever the connecting program wrote. The
// ui.request's "originVouched", so that the GUI can say which it is.
bool originVouched(const UiQuestion& question);

enum class UiAnswer {
    Allow,
    AllowAndRemember,
    Deny,
    Timeout,    // nobody answered in time
    NoUi,       // no trusted UI is attached (or the last one left)
    Cancelled,  // the caller left or cancelled
};

class TrustedUi {
  public:
    explicit TrustedUi(std::chrono::seconds answerTimeout = std::chrono::seconds(60));

    // ui.attach: the session gets every question from now on. Returns the open ones.
    std::vector<nlohmann::json> attach(const std::shared_ptr<api::Session>& session);
    void detach(const api::Session& session);
    bool attached() const;

    // Asks the attached UIs and waits for the first answer, the timeout, the last UI leaving
    // or cancelled() turning true (polled). Questions about the same origin, equally
    // vouched for and of the same kind ("origin" or "cardinfo"), share one dialog: a second
    // caller waits for the answer the first one gets.
    // `choice`, when given, gets the answer's choice (kind "application": the AID in hex;
    // "pin": the PIN, wiped here once handed over).
    UiAnswer ask(const UiQuestion& question, const std::function<bool()>& cancelled,
                 std::string* choice = nullptr);

    // ui.respond; false when no such question is open (answered, timed out, gone).
    bool respond(const std::string& id, bool allow, bool remember, const std::string& choice = "");

    // The kind of an open question; empty when it is not open.
    std::string kindOf(const std::string& id) const;

    // How many callers wait for the answer to this question (0 when it is not open).
    std::size_t waiting(const std::string& id) const;

  private:
    struct Pending;
    std::shared_ptr<Pending> openLocked(const UiQuestion& question);
    void closeLocked(const std::shared_ptr<Pending>& pending, const std::string& reason);
    void sendLocked(std::string_view method, const nlohmann::json& params);
    bool attachedLocked();

    std::chrono::seconds answerTimeout_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::weak_ptr<api::Session>> uis_;
    std::list<std::shared_ptr<Pending>> pending_;
    std::uint64_t nextId_ = 0;
};

}  // namespace taplink::app
