#include "api/share_limit.hpp"

namespace taplink::api {

std::shared_ptr<const void> ShareLimit::take(const std::string& key) {
    {
        const std::lock_guard lock(mutex_);
        std::size_t& held = byKey_[key];
        if (taken_ >= total_ || held >= perKey_) {
            if (held == 0) {
                byKey_.erase(key);
            }
            return nullptr;
        }
        ++held;
        ++taken_;
    }
    return {this, [key](ShareLimit* limit) { limit->giveBack(key); }};
}

void ShareLimit::giveBack(const std::string& key) {
    const std::lock_guard lock(mutex_);
    --taken_;
    const auto it = byKey_.find(key);
    if (it != byKey_.end() && --it->second == 0) {
        byKey_.erase(it);
    }
}

std::size_t ShareLimit::taken() const {
    const std::lock_guard lock(mutex_);
    return taken_;
}

}  // namespace taplink::api
