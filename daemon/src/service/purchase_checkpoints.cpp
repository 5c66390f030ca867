#include "service/purchase_checkpoints.hpp"

#include "service/ecload_checkpoints.hpp"

namespace taplink::service {

using journal::PurchaseState;

void PurchaseCheckpoints::checkpoint(std::string_view name, const script::Variables& saved) {
    nlohmann::json details = detailsOf(saved);
    if (name == "sealed") {
        beforeSealed_();  // from here the account may be debited: cancel is too late
        details.update(daemonData_);
        journal_.advance(orderId_, PurchaseState::Sealed, details);
    } else if (name == "authorized") {
        journal_.advance(orderId_, PurchaseState::Authorized, details);
    } else if (name == "completed") {
        journal_.advance(orderId_, PurchaseState::Completed, details);
    } else {
        throw std::invalid_argument("the daemon has no purchase checkpoint '" + std::string(name) +
                                    "'");
    }
}

}  // namespace taplink::service
