#include "app/trusted_ui.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <ctime>

#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

// A waiting caller looks again this often: for a UI that went away without detaching, and
// for its own cancellation, which nothing signals.
constexpr auto kRecheck = std::chrono::milliseconds(200);

std::string rfc3339(Clock::time_point when) {
    const std::time_t time = Clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, length);
}

}  // namespace

bool originVouched(const UiQuestion& question) {
    return question.transport == api::kNativeMessagingTransport;
}

struct TrustedUi::Pending {
    std::string id;
    UiQuestion question;
    std::chrono::steady_clock::time_point deadline;  // immune to wall-clock steps
    json params;                                     // the ui.request params
    std::optional<UiAnswer> answer;  // set once, by respond() or by the first waiter's end
    std::size_t waiters = 0;
    std::string choice;  // kind "application": the AID chosen; "pin": the PIN until taken
};

TrustedUi::TrustedUi(std::chrono::seconds answerTimeout) : answerTimeout_(answerTimeout) {}

std::vector<json> TrustedUi::attach(const std::shared_ptr<api::Session>& session) {
    const std::lock_guard lock(mutex_);
    const bool known =
        std::any_of(uis_.begin(), uis_.end(), [&](const auto& ui) { return ui.lock() == session; });
    if (!known) {
        uis_.push_back(session);
    }
    std::vector<json> open;
    for (const auto& pending : pending_) {
        open.push_back(pending->params);
    }
    return open;
}

void TrustedUi::detach(const api::Session& session) {
    {
        const std::lock_guard lock(mutex_);
        std::erase_if(uis_, [&](const auto& ui) {
            const auto attachedSession = ui.lock();
            return !attachedSession || attachedSession.get() == &session;
        });
    }
    changed_.notify_all();
}

bool TrustedUi::attached() const {
    const std::lock_guard lock(mutex_);
    return std::any_of(uis_.begin(), uis_.end(), [](const auto& ui) {
        const auto session = ui.lock();
        return session && !session->isGone();
    });
}

bool TrustedUi::attachedLocked() {
    // A UI whose connection closed may live on while one of its calls finishes.
    std::erase_if(uis_, [](const auto& ui) {
        const auto session = ui.lock();
        return !session || session->isGone();
    });
    return !uis_.empty();
}

void TrustedUi::sendLocked(std::string_view method, const json& params) {
    const json message = api::makeNotification(method, params);
    for (const auto& ui : uis_) {
        if (const auto session = ui.lock()) {
            session->send(message);
        }
    }
}

std::shared_ptr<TrustedUi::Pending> TrustedUi::openLocked(const UiQuestion& question) {
    // Questions about an origin, not an order, are one dialog per origin.
    if (question.kind == "origin" || question.kind == "cardinfo") {
        for (const auto& pending : pending_) {
            // A claimed origin never rides on the user's answer to a vouched one (or back).
            if (pending->question.kind == question.kind &&
                pending->question.origin == question.origin &&
                originVouched(pending->question) == originVouched(question)) {
                return pending;
            }
        }
    }
    auto pending = std::make_shared<Pending>();
    pending->id = "u" + std::to_string(++nextId_);
    pending->question = question;
    pending->deadline = std::chrono::steady_clock::now() + answerTimeout_;
    pending->params = json{{"id", pending->id},
                           {"kind", question.kind},
                           {"origin", question.origin},
                           {"transport", question.transport},
                           {"originVouched", originVouched(question)},
                           {"expiresAt", rfc3339(Clock::now() + answerTimeout_)}};
    if (!question.extensionId.empty()) {
        pending->params["extensionId"] = question.extensionId;
    }
    if (question.details) {
        pending->params[question.kind] = *question.details;
    }
    pending_.push_back(pending);
    sendLocked(api::notification::kUiRequest, pending->params);
    return pending;
}

void TrustedUi::closeLocked(const std::shared_ptr<Pending>& pending, const std::string& reason) {
    const auto it = std::find(pending_.begin(), pending_.end(), pending);
    if (it == pending_.end()) {
        return;
    }
    pending_.erase(it);
    sendLocked(api::notification::kUiRequestClosed, json{{"id", pending->id}, {"reason", reason}});
}

UiAnswer TrustedUi::ask(const UiQuestion& question, const std::function<bool()>& cancelled,
                        std::string* choice) {
    std::unique_lock lock(mutex_);
    if (!attachedLocked()) {
        return UiAnswer::NoUi;
    }
    const auto pending = openLocked(question);
    ++pending->waiters;
    while (!pending->answer) {
        if (cancelled && cancelled()) {
            if (pending->waiters == 1) {
                closeLocked(pending, "cancelled");
            }
            --pending->waiters;
            return UiAnswer::Cancelled;
        }
        if (std::chrono::steady_clock::now() >= pending->deadline) {
            pending->answer = UiAnswer::Timeout;
            closeLocked(pending, "timeout");
        } else if (!attachedLocked()) {
            pending->answer = UiAnswer::NoUi;
            closeLocked(pending, "cancelled");
        } else {
            changed_.wait_for(lock, kRecheck);
        }
    }
    --pending->waiters;
    if (choice != nullptr) {
        *choice = pending->choice;
    }
    OPENSSL_cleanse(pending->choice.data(), pending->choice.size());  // a PIN: one copy only
    pending->choice.clear();
    return *pending->answer;
}

std::string TrustedUi::kindOf(const std::string& id) const {
    const std::lock_guard lock(mutex_);
    for (const auto& pending : pending_) {
        if (pending->id == id) {
            return pending->question.kind;
        }
    }
    return {};
}

std::size_t TrustedUi::waiting(const std::string& id) const {
    const std::lock_guard lock(mutex_);
    for (const auto& pending : pending_) {
        if (pending->id == id) {
            return pending->waiters;
        }
    }
    return 0;
}

bool TrustedUi::respond(const std::string& id, bool allow, bool remember,
                        const std::string& choice) {
    {
        const std::lock_guard lock(mutex_);
        const auto it = std::find_if(pending_.begin(), pending_.end(),
                                     [&](const auto& pending) { return pending->id == id; });
        if (it == pending_.end()) {
            return false;
        }
        const auto pending = *it;
        pending->choice = choice;
        pending->answer = !allow     ? UiAnswer::Deny
                          : remember ? UiAnswer::AllowAndRemember
                                     : UiAnswer::Allow;
        closeLocked(pending, "answered");
    }
    changed_.notify_all();
    return true;
}

}  // namespace taplink::app
