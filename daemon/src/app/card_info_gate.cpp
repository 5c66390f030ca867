#include "app/card_info_gate.hpp"

#include "app/method_families.hpp"
#include "service/topup_errors.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {

namespace {

[[noreturn]] void refuse(const std::string& why) {
    throw service::ServiceError(api::ErrorCode::UserDenied,
                                "the card's details are not shown to this page: " + why);
}

UiQuestion readingQuestion(const api::CallContext& call, const std::string& reader) {
    const api::Peer& peer = call.peer();
    return UiQuestion{"cardinfo", webOrigin(call), peer.transport, peer.extensionId,
                      nlohmann::json{{"reader", reader}}};
}

// Answers are kept per origin and vouched-ness: a program that only claims the origin on the
// WebSocket never rides on the answer the browser's page got.
std::pair<std::string, bool> callerOf(const UiQuestion& question) {
    return {question.origin, originVouched(question)};
}

}  // namespace

void CardInfoGate::check(const api::CallContext& call, const std::string& reader) {
    if (!call.session().isWeb()) {
        return;
    }
    const CardInfoAccess access = currentAccess();
    if (access == CardInfoAccess::Allow) {
        return;
    }
    if (access == CardInfoAccess::Deny) {
        refuse("this computer lets no web page read them (web.cardInfo)");
    }
    const UiQuestion question = readingQuestion(call, reader);
    if (const auto allowed = answerFor(callerOf(question))) {
        if (!*allowed) {
            refuse("the user refused " + question.origin + " earlier");
        }
        return;
    }
    ask(call, question);
}

bool CardInfoGate::allows(const api::CallContext& call) {
    if (!call.session().isWeb()) {
        return true;
    }
    const CardInfoAccess access = currentAccess();
    if (access != CardInfoAccess::Ask) {
        return access == CardInfoAccess::Allow;
    }
    return answerFor(callerOf(readingQuestion(call, ""))).value_or(false);
}

void CardInfoGate::ask(const api::CallContext& call, const UiQuestion& question) {
    std::shared_ptr<const void> turn;
    try {
        turn = questions_.turn(question.origin);
    } catch (const api::ApiError& error) {
        if (error.code() != api::ErrorCode::OriginDenied) {
            throw;  // busy: asked too often
        }
        refuse("the user was asked about " + question.origin + " a moment ago");
    }
    const UiAnswer answer = ui_.ask(question, [&call] { return call.cancelled(); });
    questions_.answered(question.origin, answer);
    // Only the user's own answer is kept: a question nobody saw is asked again next time.
    if (answer == UiAnswer::Allow || answer == UiAnswer::AllowAndRemember) {
        remember(callerOf(question), true);
    } else if (answer == UiAnswer::Deny) {
        remember(callerOf(question), false);
    }
    requireAllowed(answer, "card reading");
    if (settings_.web().cardInfo == CardInfoAccess::Deny) {
        refuse("web.cardInfo changed to deny while the user was asked");
    }
}

CardInfoAccess CardInfoGate::currentAccess() {
    const CardInfoAccess access = settings_.web().cardInfo;
    const std::lock_guard lock(mutex_);
    if (access != answeredUnder_) {
        answers_.clear();
        answeredUnder_ = access;
    }
    return access;
}

std::optional<bool> CardInfoGate::answerFor(const Caller& caller) const {
    const std::lock_guard lock(mutex_);
    const auto found = answers_.find(caller);
    return found == answers_.end() ? std::nullopt : std::optional<bool>(found->second);
}

void CardInfoGate::remember(const Caller& caller, bool allowed) {
    const std::lock_guard lock(mutex_);
    answers_.insert_or_assign(caller, allowed);
}

}  // namespace taplink::app
