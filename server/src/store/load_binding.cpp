#include "store/load_binding.hpp"

#include <algorithm>

namespace taplink::server {

namespace {

bool sameLoad(const AuthorizationRecord& a, const AuthorizationRecord& b) {
    return a.cardSerial == b.cardSerial && a.onlineAtc == b.onlineAtc;
}

BindingDecision whileLive(const std::vector<AuthorizationRecord>& binding,
                          const AuthorizationRecord& next, std::int64_t expiresAt) {
    if (binding.back().chipSerial != next.chipSerial) {
        return {BindingVerdict::BoundToAnotherDevice, expiresAt};
    }
    return sameLoad(binding.back(), next) ? BindingDecision{}
                                          : BindingDecision{BindingVerdict::Outstanding, expiresAt};
}

}  // namespace

BindingDecision decideBinding(const std::vector<AuthorizationRecord>& binding,
                              const AuthorizationRecord& next, std::int64_t now,
                              std::int64_t releaseAfterSeconds) {
    if (binding.empty()) {
        return {};
    }
    const std::int64_t expiresAt =
        std::ranges::max(binding, {}, &AuthorizationRecord::expiresAt).expiresAt;
    if (now < expiresAt) {
        return whileLive(binding, next, expiresAt);
    }
    if (sameLoad(binding.back(), next)) {
        return {};
    }
    if (binding.back().cardSerial == next.cardSerial) {
        return {BindingVerdict::Outstanding, 0};  // waiting changes nothing: the result is owed
    }
    const std::int64_t releasedAt = expiresAt + releaseAfterSeconds;
    return now < releasedAt ? BindingDecision{BindingVerdict::Outstanding, releasedAt}
                            : BindingDecision{BindingVerdict::Releases, 0};
}

}  // namespace taplink::server
