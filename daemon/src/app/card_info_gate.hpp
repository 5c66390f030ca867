// Whether a web page may see the card's details (web.cardInfo, docs/api.md "Card details"):
// card.info's balance, issuer, validity and masked number, and the masked number readers.list
// shows, identify the holder on every site, so an allowed origin is not enough. With "ask"
// the trusted UI asks the user once per origin (ui.request kind "cardinfo"); the answer,
// allow or deny, holds for that origin, as vouched for by the browser or only claimed, until
// taplinkd restarts or web.cardInfo changes. The owner's programs are never asked.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "api/dispatcher.hpp"
#include "app/live_settings.hpp"
#include "app/origin_questions.hpp"
#include "app/trusted_ui.hpp"

namespace taplink::app {

class CardInfoGate {
  public:
    CardInfoGate(
        TrustedUi& ui, const LiveSettings& settings,
        OriginQuestions::Clock now = [] { return std::chrono::steady_clock::now(); })
        : ui_(ui), settings_(settings), questions_(std::move(now)) {}

    // Returns when the caller may read the card on `reader`, asking the user when it must;
    // throws (user_denied, timeout, confirmation_unavailable, cancelled, busy) otherwise.
    void check(const api::CallContext& call, const std::string& reader);

    // True when the caller may see the card's details without a question (readers.list).
    bool allows(const api::CallContext& call);

  private:
    // A canonical origin, and whether the browser vouched for it (native messaging).
    using Caller = std::pair<std::string, bool>;

    void ask(const api::CallContext& call, const UiQuestion& question);
    // web.cardInfo now; a change since the last call forgets the answers.
    CardInfoAccess currentAccess();
    // The user's earlier answer for the caller.
    std::optional<bool> answerFor(const Caller& caller) const;
    void remember(const Caller& caller, bool allowed);

    TrustedUi& ui_;
    const LiveSettings& settings_;
    // How often pages may have the user asked (the origin gate's rules, counted apart).
    OriginQuestions questions_;
    mutable std::mutex mutex_;
    // The user's answers. Bounded by the origins that passed the origin gate, i.e. that are
    // listed or that the user let in.
    std::map<Caller, bool> answers_;
    CardInfoAccess answeredUnder_ = CardInfoAccess::Ask;  // a change forgets the answers
};

}  // namespace taplink::app
