#include "api/order_desk.hpp"

#include "api/api_error.hpp"
#include "api/money.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

std::string amountRule(const OrderRules& rules) {
    return "the amount must be yuan with at most 2 decimals, more than 0 and at most " +
           formatYuan(rules.maxOrderAmount);
}

namespace {

OrderRecord openEcOrder(ServerStore& store, std::uint32_t amount,
                        const std::optional<std::string>& accountId) {
    if (!accountId) {
        throw ApiError(400, "account_required", "a bank-ec order names the account that pays");
    }
    auto order = store.createEcOrder(amount, *accountId);
    if (!order) {
        throw ApiError(404, "account_not_found", "no account " + *accountId);
    }
    return std::move(*order);
}

OrderRecord openPurchaseOrder(ServerStore& store, std::uint32_t amount,
                              const std::optional<std::string>& merchant) {
    if (!merchant) {
        throw ApiError(400, "merchant_required", "a bank-purchase order names its merchant");
    }
    if (!net::wire::isValidMerchantName(*merchant)) {
        throw ApiError(400, "invalid_merchant",
                       "the merchant must be 1..64 bytes of UTF-8 without control characters");
    }
    return store.createOrder(amount, std::string(net::wire::kBankPurchaseScheme), *merchant);
}

}  // namespace

OrderRecord openOrder(ServerStore& store, const OrderRules& rules, std::uint32_t amount,
                      const std::string& scheme, const OrderTerms& terms) {
    const auto& accountId = terms.accountId;
    if (amount == 0 || amount > rules.maxOrderAmount) {
        throw ApiError(400, "invalid_amount", amountRule(rules));
    }
    if (rules.schemes.count(scheme) == 0) {
        throw ApiError(400, "scheme_unknown", "no issuer here serves the scheme " + scheme);
    }
    if (scheme != net::wire::kBankPurchaseScheme && terms.merchant) {
        throw ApiError(400, "merchant_not_allowed", "only a bank-purchase order names a merchant");
    }
    if (scheme == net::wire::kBankEcScheme) {
        return openEcOrder(store, amount, accountId);
    }
    if (accountId) {
        throw ApiError(400, "account_not_allowed", "only a bank-ec order is paid from an account");
    }
    if (scheme == net::wire::kBankPurchaseScheme) {
        return openPurchaseOrder(store, amount, terms.merchant);
    }
    return store.createOrder(amount, scheme);
}

}  // namespace taplink::server
