#include "journal/ecload_journal.hpp"

#include <array>
#include <utility>

namespace taplink::journal {

namespace {

constexpr std::array<std::pair<EcLoadState, std::string_view>, 8> kStateNames{{
    {EcLoadState::OrderFetched, "order_fetched"},
    {EcLoadState::Arqc, "arqc"},
    {EcLoadState::Authorized, "authorized"},
    {EcLoadState::ScriptSending, "script_sending"},
    {EcLoadState::Loaded, "loaded"},
    {EcLoadState::Reported, "reported"},
    {EcLoadState::Reversed, "reversed"},
    {EcLoadState::Failed, "failed"},
}};

}  // namespace

std::string_view toString(EcLoadState state) {
    for (const auto& [value, name] : kStateNames) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

EcLoadState ecLoadStateFromString(std::string_view name) {
    for (const auto& [value, known] : kStateNames) {
        if (known == name) {
            return value;
        }
    }
    throw JournalError("journal holds an unknown EC-load state '" + std::string(name) + "'");
}

bool isFinal(EcLoadState state) {
    return state == EcLoadState::Reported || state == EcLoadState::Reversed ||
           state == EcLoadState::Failed;
}

bool isAllowedTransition(EcLoadState from, EcLoadState to) {
    using S = EcLoadState;
    switch (to) {
        case S::Arqc:
            return from == S::OrderFetched;
        case S::Authorized:
            return from == S::Arqc;
        case S::ScriptSending:
            return from == S::Authorized;
        case S::Loaded:
            return from == S::ScriptSending;
        case S::Reported:
            return from == S::Loaded;
        case S::Reversed:  // the account had a debit the card never took
            return from == S::Arqc || from == S::Authorized || from == S::ScriptSending ||
                   from == S::Loaded;  // the server read the old balance in the result
        case S::Failed:                // no debit: nothing to undo
            return from == S::OrderFetched || from == S::Arqc;
        case S::OrderFetched:
            return from == S::Failed;  // a new attempt
    }
    return false;
}

}  // namespace taplink::journal
