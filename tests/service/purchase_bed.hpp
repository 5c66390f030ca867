// EcBed for Tap & Pay purchases: the signed bank-purchase.json beside the others, the chip's
// payment applet personalised through the TSM's management channel (keys made in the test,
// tests/support/chip_management.hpp's parameters: 1000 / 5000 / 300 yuan, version 1) and the
// scripted issuer given the same keys, so that it opens the chip's seals; the purchase's
// payment-parameters check is ChipManagement's over a TSM in process (test_tsm_server.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ec_bed.hpp"
#include "journal/purchase_journal.hpp"
#include "service/chip_management.hpp"
#include "service/purchase_types.hpp"
#include "test_tsm_server.hpp"

namespace taplink::service::testing {

class PurchaseBed : public EcBed {
  public:
    static constexpr std::uint32_t kAmount = 5000;          // 50 yuan: no PIN
    static constexpr std::uint32_t kAmountWithPin = 50000;  // 500 yuan: over the CVM limit
    static constexpr const char* kPin = "314159";

    PurchaseBed();

    void addPurchaseOrder(const std::string& orderId, std::uint32_t amount = kAmount);
    // The TSM's update-params job of the payment applet: testPaymentParameters(version),
    // pending until taplinkd syncs the chip.
    void queueParameters(std::uint32_t version);
    // The payment applet's parameter version, read in the clear as chip.status does.
    std::uint32_t chipParametersVersion();
    // pay.start as the API runs it; `pin` answers the PIN (counted in pinAsks).
    PurchaseOutcome pay(const std::string& orderId);
    ServiceError payError(const std::string& orderId);

    journal::PurchaseRecord purchaseRecord(const std::string& orderId);
    std::vector<journal::PurchaseState> purchaseHistory(const std::string& orderId);

    std::optional<std::string> pinToEnter = std::string(kPin);  // nullopt: no PIN entry
    std::chrono::milliseconds pinTypingTime{0};                 // how long the PIN takes
    std::vector<PinRequest> pinAsks;
    journal::PurchaseJournal purchases{journal};
    Bytes tokenSeed;  // the payment applet's, as personalised (the dynamic token's tests)
    std::shared_ptr<TestTsmServer> tsm;
    ChipManagement management;
};

}  // namespace taplink::service::testing

namespace taplink::journal {
inline void PrintTo(PurchaseState state, std::ostream* out) {
    *out << toString(state);
}
}  // namespace taplink::journal
