#include "api/order_desk.hpp"

#include "api/api_error.hpp"
#include "api/money.hpp"

namespace taplink::server {

std::string amountRule(const OrderRules& rules) {
    return "the amount must be yuan with at most 2 decimals, more than 0 and at most " +
           formatYuan(rules.maxOrderAmount);
}

OrderRecord openOrder(ServerStore& store, const OrderRules& rules, std::uint32_t amount,
                      const std::string& scheme) {
    if (amount == 0 || amount > rules.maxOrderAmount) {
        throw ApiError(400, "invalid_amount", amountRule(rules));
    }
    if (rules.schemes.count(scheme) == 0) {
        throw ApiError(400, "scheme_unknown", "no issuer here serves the scheme " + scheme);
    }
    return store.createOrder(amount, scheme);
}

}  // namespace taplink::server
