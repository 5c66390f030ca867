// The EC-load (圈存) journal: a bank card's load is a state machine written to the same
// SQLite file as the city top-ups, each state *before* the step it describes is taken
// (docs/daemon.md, "EC load"; the storage is details_journal.hpp):
//
//   order_fetched -> arqc -> authorized -> script_sending -> loaded -> reported
//        |            |  \________\______________\_________/
//        |            |            \-> reversed  (the account refunded: the card never took it)
//        \____________\-> failed                 (no debit on the account)
//
// What each state saves is in `details` (named values, bytes as hex): enough to report or
// reverse from the journal and to recognise the card again. Never the plain PAN: the
// journal refuses a value named "pan"; the card is known by its masked PAN and PSN.
#pragma once

#include <array>
#include <string_view>

#include "journal/details_journal.hpp"

namespace taplink::journal {

enum class EcLoadState {
    OrderFetched,
    Arqc,
    Authorized,
    ScriptSending,
    Loaded,
    Reported,
    Reversed,
    Failed
};

std::string_view toString(EcLoadState state);
// Throws JournalError for a name that is not a state.
EcLoadState ecLoadStateFromString(std::string_view name);
bool isFinal(EcLoadState state);
bool isAllowedTransition(EcLoadState from, EcLoadState to);

struct EcLoadTraits {
    using State = EcLoadState;
    static constexpr DetailsTables kTables{"ecloads", "ecload_events", "EC load"};
    static constexpr std::array kFinalStates{EcLoadState::Reported, EcLoadState::Reversed,
                                             EcLoadState::Failed};
    static State fromString(std::string_view name) { return ecLoadStateFromString(name); }
};

using EcLoadRecord = StateRecord<EcLoadState>;
using EcLoadJournal = StateJournal<EcLoadTraits>;

}  // namespace taplink::journal
