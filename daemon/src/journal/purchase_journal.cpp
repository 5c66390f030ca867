#include "journal/purchase_journal.hpp"

#include <array>
#include <utility>

namespace taplink::journal {

namespace {

constexpr std::array<std::pair<PurchaseState, std::string_view>, 7> kStateNames{{
    {PurchaseState::OrderFetched, "order_fetched"},
    {PurchaseState::Sealed, "sealed"},
    {PurchaseState::Authorized, "authorized"},
    {PurchaseState::Completed, "completed"},
    {PurchaseState::Reported, "reported"},
    {PurchaseState::Reversed, "reversed"},
    {PurchaseState::Failed, "failed"},
}};

}  // namespace

std::string_view toString(PurchaseState state) {
    for (const auto& [value, name] : kStateNames) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

PurchaseState purchaseStateFromString(std::string_view name) {
    for (const auto& [value, known] : kStateNames) {
        if (known == name) {
            return value;
        }
    }
    throw JournalError("journal holds an unknown purchase state '" + std::string(name) + "'");
}

bool isFinal(PurchaseState state) {
    return state == PurchaseState::Reported || state == PurchaseState::Reversed ||
           state == PurchaseState::Failed;
}

bool isAllowedTransition(PurchaseState from, PurchaseState to) {
    using S = PurchaseState;
    switch (to) {
        case S::Sealed:
            return from == S::OrderFetched;
        case S::Authorized:
            return from == S::Sealed;
        case S::Completed:
            return from == S::Authorized;
        case S::Reported:
            return from == S::Completed;
        case S::Reversed:  // the account had a debit the card did not complete (or declined)
            return from == S::Sealed || from == S::Authorized || from == S::Completed;
        case S::Failed:  // no debit: nothing to undo
            return from == S::OrderFetched || from == S::Sealed;
        case S::OrderFetched:
            return from == S::Failed;  // a new attempt
    }
    return false;
}

}  // namespace taplink::journal
