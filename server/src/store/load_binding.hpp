// Which device and which load of which card an open city order is bound to (docs/server.md,
// "Binding"), decided from the order's authorizations.
//
// The money rule stays: an order's authorizations name one card and one online ATC, since the
// card completes at most one load per ATC. The first authorization also binds the order to the
// device (chip) it was sealed to, for as long as that authorization lives, so that another
// device cannot race a load in progress. Once the last authorization has expired, the same
// card at the same ATC may be authorized from any device (the customer moved to another
// kiosk). Another card or ATC stays refused: the earlier load may have happened with its
// answer lost, and only that card can tell (GET TRANSACTION PROVE), so nothing releases the
// order to another card by waiting.
#pragma once

#include <cstdint>
#include <vector>

#include "store/server_store.hpp"

namespace taplink::server {

enum class BindingVerdict {
    Joins,                 // the authorization is part of the order's binding
    BoundToAnotherDevice,  // another chip holds a live authorization (until `until`)
    Outstanding,           // another card or ATC: the earlier attempt's result is owed
};

struct BindingDecision {
    BindingVerdict verdict = BindingVerdict::Joins;
    std::int64_t until = 0;  // BoundToAnotherDevice: when its authorization expires
};

// `binding`: the order's authorizations, oldest first.
BindingDecision decideBinding(const std::vector<AuthorizationRecord>& binding,
                              const AuthorizationRecord& next, std::int64_t now);

}  // namespace taplink::server
