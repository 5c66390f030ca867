#include "app/web_order_claims.hpp"

namespace taplink::app {

bool WebOrderClaims::mayClaim(const std::string& orderId, const std::string& origin) const {
    const std::lock_guard lock(mutex_);
    if (const auto it = origins_.find(orderId); it != origins_.end()) {
        return it->second == origin;
    }
    // Started by the owner (or before a restart): not for a web page.
    return !journal_.find(orderId).has_value();
}

bool WebOrderClaims::record(const std::string& orderId, const std::string& origin) {
    const std::lock_guard lock(mutex_);
    const auto [it, added] = origins_.emplace(orderId, origin);
    if (!added) {
        return it->second == origin;
    }
    std::deque<std::string>& own = byOrigin_[origin];
    own.push_back(orderId);
    if (own.size() > kPerOrigin) {
        origins_.erase(own.front());
        own.pop_front();
    }
    return true;
}

bool WebOrderClaims::isClaimedBy(const std::string& orderId, const std::string& origin) const {
    const std::lock_guard lock(mutex_);
    const auto it = origins_.find(orderId);
    return it != origins_.end() && it->second == origin;
}

}  // namespace taplink::app
