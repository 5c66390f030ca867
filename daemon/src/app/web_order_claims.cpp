#include "app/web_order_claims.hpp"

#include <algorithm>

namespace taplink::app {

bool WebOrderClaims::claim(const std::string& orderId, const std::string& origin) {
    const std::lock_guard lock(mutex_);
    if (const auto it = origins_.find(orderId); it != origins_.end()) {
        return it->second == origin;
    }
    if (knownOrder_(orderId)) {
        return false;  // started by the owner (or before a restart): not for a web page
    }
    origins_.emplace(orderId, origin);
    std::deque<std::string>& own = byOrigin_[origin];
    own.push_back(orderId);
    if (own.size() > kPerOrigin) {
        origins_.erase(own.front());
        own.pop_front();
    }
    return true;
}

void WebOrderClaims::releaseIfUnknown(const std::string& orderId, const std::string& origin) {
    const std::lock_guard lock(mutex_);
    const auto it = origins_.find(orderId);
    if (it != origins_.end() && it->second == origin && !knownOrder_(orderId)) {
        forget(orderId, origin);
    }
}

void WebOrderClaims::forget(const std::string& orderId, const std::string& origin) {
    origins_.erase(orderId);
    const auto own = byOrigin_.find(origin);
    if (own == byOrigin_.end()) {
        return;
    }
    own->second.erase(std::remove(own->second.begin(), own->second.end(), orderId),
                      own->second.end());
    if (own->second.empty()) {
        byOrigin_.erase(own);
    }
}

bool WebOrderClaims::isClaimedBy(const std::string& orderId, const std::string& origin) const {
    const std::lock_guard lock(mutex_);
    const auto it = origins_.find(orderId);
    return it != origins_.end() && it->second == origin;
}

}  // namespace taplink::app
