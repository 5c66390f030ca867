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
    // Every row, not only the latest: rows written before the issuer id counted may differ.
    const bool joins = std::ranges::all_of(
        binding, [&next](const AuthorizationRecord& earlier) { return sameLoad(earlier, next); });
    return joins ? BindingDecision{} : BindingDecision{BindingVerdict::Outstanding, 0};
}

}  // namespace taplink::server
