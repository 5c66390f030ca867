// The payment applet's purchase commands (docs/chip.md, "Payment applet: purchase";
// layouts in taplink/chip/payment_protocol.hpp): BEGIN PURCHASE, PUT CARD DATA, PUT PIN,
// SEAL and GENERATE TOKEN, and the purchase context they share. The context lives in RAM
// only, as on a real chip: a reset or a SELECT drops it.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "applets/payment_state.hpp"
#include "card/file_system.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::sim {

struct PurchaseContext;

class PaymentPurchase {
  public:
    // commit saves a next state (file first) and makes it the applet's; it throws when the
    // file cannot be written, and then nothing is answered.
    using Commit = std::function<void(PaymentState)>;
    PaymentPurchase(Bytes chipSerial, const PaymentState& state, Commit commit);
    PaymentPurchase(const PaymentPurchase&) = delete;
    PaymentPurchase& operator=(const PaymentPurchase&) = delete;
    ~PaymentPurchase();

    // The answer to a purchase instruction (CLA 80); nullopt for any other instruction.
    std::optional<ResponseApdu> process(const CommandApdu& command);
    void dropContext();

  private:
    ResponseApdu begin(const CommandApdu& command);
    ResponseApdu startPurchase(chip::pay::PurchaseRequest request);
    ResponseApdu putCardData(const CommandApdu& command);
    ResponseApdu putPin(const CommandApdu& command);
    ResponseApdu seal(const CommandApdu& command);
    std::optional<std::uint16_t> sealRefusal();
    ResponseApdu generateToken(const CommandApdu& command);
    std::optional<std::uint16_t> limitRefusal(const chip::pay::PurchaseRequest& request) const;
    ResponseApdu dispatch(const CommandApdu& command);

    Bytes chipSerial_;
    const PaymentState& state_;
    Commit commit_;
    std::unique_ptr<PurchaseContext> context_;
};

}  // namespace taplink::sim
