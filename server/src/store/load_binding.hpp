// Which device and which load of which card an open city order is bound to (docs/server.md,
// "Binding"), decided from the order's authorizations that are still in its binding.
//
// The money rule stays: an order's binding names one card and one online ATC, since the card
// completes at most one load per ATC. The first authorization also binds the order to the
// device (chip) it was sealed to, for as long as that authorization lives, so that another
// device cannot race or poison a load in progress. Once the binding's last authorization has
// expired:
//   - the same card at the same ATC may be authorized from any device: the card still at that
//     ATC shows that no load used it;
//   - the same card at another ATC stays refused: the card moved on, perhaps by this order's
//     load, whose result is then owed;
//   - another card is refused until `releaseAfterSeconds` more have passed, the time given to
//     an earlier device to report a load it made; then the binding is released.
#pragma once

#include <cstdint>
#include <vector>

#include "store/server_store.hpp"

namespace taplink::server {

enum class BindingVerdict {
    Joins,                 // the authorization is part of the order's binding
    Releases,              // the binding lapsed: it is released and this one starts anew
    BoundToAnotherDevice,  // another chip holds a live authorization (until `until`)
    Outstanding,           // another card or ATC: the earlier attempt's result is owed
                           // (`until`: when the binding is released; 0: not by waiting)
};

struct BindingDecision {
    BindingVerdict verdict = BindingVerdict::Joins;
    std::int64_t until = 0;  // BoundToAnotherDevice, Outstanding: when that may change
};

// `binding`: the order's unreleased authorizations, oldest first.
BindingDecision decideBinding(const std::vector<AuthorizationRecord>& binding,
                              const AuthorizationRecord& next, std::int64_t now,
                              std::int64_t releaseAfterSeconds);

}  // namespace taplink::server
