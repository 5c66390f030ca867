#include "store/load_binding.hpp"

#include <algorithm>

namespace taplink::server {

namespace {

bool sameLoad(const AuthorizationRecord& a, const AuthorizationRecord& b) {
    return a.issuerId == b.issuerId && a.cardSerial == b.cardSerial && a.onlineAtc == b.onlineAtc;
}

}  // namespace

BindingDecision decideBinding(const std::vector<AuthorizationRecord>& binding,
                              const AuthorizationRecord& next, std::int64_t now) {
    if (binding.empty()) {
        return {};
    }
    const std::int64_t expiresAt =
        std::ranges::max(binding, {}, &AuthorizationRecord::expiresAt).expiresAt;
    if (now < expiresAt && binding.back().chipSerial != next.chipSerial) {
        return {BindingVerdict::BoundToAnotherDevice, expiresAt};
    }
    return sameLoad(binding.back(), next) ? BindingDecision{}
                                          : BindingDecision{BindingVerdict::Outstanding, 0};
}

}  // namespace taplink::server
