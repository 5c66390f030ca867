// Opening orders: the one code path behind the operator's `order create` (admin API) and the
// merchant page's POST /merchant/orders, so both obey the same limits and land in the same
// store and ledger.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "store/server_store.hpp"

namespace taplink::server {

struct OrderRules {
    std::uint32_t maxOrderAmount = 100000;       // fen
    std::set<std::string, std::less<>> schemes;  // the schemes orders may be for
};

// Stores a new open order. ApiError 400 invalid_amount when amount (fen) is 0 or above
// rules.maxOrderAmount, 400 scheme_unknown when no issuer here serves the scheme.
OrderRecord openOrder(ServerStore& store, const OrderRules& rules, std::uint32_t amount,
                      const std::string& scheme);

// The words of invalid_amount: what an amount must be.
std::string amountRule(const OrderRules& rules);

}  // namespace taplink::server
