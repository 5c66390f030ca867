// Opening orders: the one code path behind the operator's `order create` (admin API) and the
// merchant page's POST /merchant/orders, so both obey the same limits and land in the same
// store and ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "store/server_store.hpp"

namespace taplink::server {

struct OrderRules {
    std::uint32_t maxOrderAmount = 100000;       // fen
    std::set<std::string, std::less<>> schemes;  // the schemes orders may be for
};

// Stores a new open order. ApiError 400 invalid_amount when amount (fen) is 0 or above
// rules.maxOrderAmount, 400 scheme_unknown when no issuer here serves the scheme; a bank-ec
// order needs the cardholder account that pays for it (400 account_required, 404
// account_not_found) and no other order may name one (400 account_not_allowed).
// A bank-purchase order names its merchant (400 merchant_required, 400 invalid_merchant
// unless net::wire::isValidMerchantName) and no other order may (400 merchant_not_allowed).
struct OrderTerms {
    std::optional<std::string> accountId;
    std::optional<std::string> merchant;
};
OrderRecord openOrder(ServerStore& store, const OrderRules& rules, std::uint32_t amount,
                      const std::string& scheme, const OrderTerms& terms = {});

// The words of invalid_amount: what an amount must be.
std::string amountRule(const OrderRules& rules);

}  // namespace taplink::server
