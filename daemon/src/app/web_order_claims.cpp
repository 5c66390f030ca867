#include "app/web_order_claims.hpp"

namespace taplink::app {

bool WebOrderClaims::claim(const std::string& orderId, const std::string& origin) {
    const std::lock_guard lock(mutex_);
    if (const auto it = origins_.find(orderId); it != origins_.end()) {
        return it->second == origin;
    }
    if (journal_.find(orderId)) {
        return false;  // started by the owner (or before a restart): not for a web page
    }
    origins_.emplace(orderId, origin);
    age_.push_back(orderId);
    if (age_.size() > kRemembered) {
        origins_.erase(age_.front());
        age_.pop_front();
    }
    return true;
}

bool WebOrderClaims::isClaimedBy(const std::string& orderId, const std::string& origin) const {
    const std::lock_guard lock(mutex_);
    const auto it = origins_.find(orderId);
    return it != origins_.end() && it->second == origin;
}

}  // namespace taplink::app
