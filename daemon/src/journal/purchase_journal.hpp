// The purchase (Tap & Pay) journal: a bank card's purchase is a state machine written to the
// same SQLite file as the top-ups and EC loads, each state *before* the step it describes is
// taken (docs/daemon.md, "Purchase"; the storage is details_journal.hpp):
//
//   order_fetched -> sealed -> authorized -> completed -> reported
//        |             |  \________\_____________\-> reversed  (the account refunded)
//        \_____________\-> failed                              (no debit on the account)
//
// sealed keeps the chip's sealed purchase (ciphertext only: the PAN and PIN block inside are
// for the server's payment key) so that an authorization whose answer was lost can be asked
// again byte for byte; from the approval on, the nonce. completed keeps the second GENERATE
// AC's answer: a TC is reported (TLP1), an AAC reversed (TLQ1). Never the plain PAN or the
// PIN: a value named "pan" is refused, and nothing holds the PIN.
#pragma once

#include <array>
#include <string_view>

#include "journal/details_journal.hpp"

namespace taplink::journal {

enum class PurchaseState {
    OrderFetched,
    Sealed,
    Authorized,
    Completed,
    Reported,
    Reversed,
    Failed
};

std::string_view toString(PurchaseState state);
// Throws JournalError for a name that is not a state.
PurchaseState purchaseStateFromString(std::string_view name);
bool isFinal(PurchaseState state);
bool isAllowedTransition(PurchaseState from, PurchaseState to);

struct PurchaseTraits {
    using State = PurchaseState;
    static constexpr DetailsTables kTables{"purchases", "purchase_events", "purchase"};
    static constexpr std::array kFinalStates{PurchaseState::Reported, PurchaseState::Reversed,
                                             PurchaseState::Failed};
    static State fromString(std::string_view name) { return purchaseStateFromString(name); }
};

using PurchaseRecord = StateRecord<PurchaseState>;
using PurchaseJournal = StateJournal<PurchaseTraits>;

}  // namespace taplink::journal
