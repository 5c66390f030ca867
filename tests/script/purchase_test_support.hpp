// What the bank purchase script tests share: a simulated bank card and the simulated secure
// chip with its payment applet personalised (keys and parameters through the TSM's own
// management channel, tests/support/chip_management.hpp), and a server stand-in that plays
// the payment server's purchase-authorize: it opens the seal with chip::pay's own function
// and the keys it personalised, rebuilds the CDOL1 data from the sealed values with the
// kernel's DOL builder (docs/bank-cards.md, "Purchase: the terminal data"), verifies the ARQC
// with the test bank issuer's keys and approves (ARC 3030, ARPC, nonce, authCode) or
// declines (ARC 3531 and its ARPC only).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bank_test_support.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::script::testing {

class PurchaseIssuerServer : public ServerExchange {
  public:
    PurchaseIssuerServer(chip::mgmt::PaymentKeys keys, Bytes chipSerial)
        : keys_(std::move(keys)), chipSerial_(std::move(chipSerial)) {}

    nlohmann::json call(std::string_view name, const nlohmann::json& request) override;

    std::vector<std::string> calls;
    std::vector<nlohmann::json> requests;
    std::optional<chip::pay::SealedPurchase> opened;  // the last seal, opened
    Bytes cdol1Data;                                  // as the issuer rebuilt it
    std::optional<std::string> pin;                   // the PIN block's, opened
    bool arqcVerified = false;
    bool decline = false;  // ARC "51" (insufficient funds): no nonce, no authCode
    std::function<void(nlohmann::json&)> tamper;  // changes the answer before it goes back

  private:
    chip::mgmt::PaymentKeys keys_;
    Bytes chipSerial_;
};

// Per transaction 1000 yuan, daily 5000 yuan, CVM limit 300 yuan, both PBOC AIDs.
chip::mgmt::PaymentParameters purchaseParameters();

struct PurchaseBed {
    static constexpr std::uint32_t kAmount = 5000;          // 50 yuan: no CVM
    static constexpr std::uint32_t kAmountWithPin = 50000;  // 500 yuan: over the CVM limit
    static constexpr const char* kPin = "314159";
    static constexpr const char* kOrderId = "ORD-PAY-1";

    // personalise: keys, the parameters and operational; false leaves the applet installed.
    explicit PurchaseBed(const BankCase& bankCase,
                         const chip::mgmt::PaymentParameters& parameters = purchaseParameters(),
                         bool personalise = true);

    Variables inputs(std::uint32_t amount = kAmount) const;
    // The run context with a pinEntry that counts its calls and answers pinToEnter.
    RunContext context(Variables runInputs);
    std::string pan() const;
    static Bytes orderReference();  // SHA-256 of kOrderId

    BankCase bankCase;
    chip::mgmt::PaymentKeys keys;
    std::shared_ptr<sim::VirtualCard> card;
    std::shared_ptr<sim::VirtualCard> chip;
    taplink::testing::VirtualCardChannel cardLink{card};
    taplink::testing::VirtualCardChannel chipLink{chip};
    CountingChannel cardChannel{cardLink};
    CountingChannel chipChannel{chipLink};
    PurchaseIssuerServer server;
    RecordingSink sink;
    std::vector<std::string> stages;
    std::string pinToEnter = kPin;
    int pinEntries = 0;
};

}  // namespace taplink::script::testing
