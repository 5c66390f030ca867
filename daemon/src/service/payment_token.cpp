#include "service/payment_token.hpp"

#include <string>

#include "service/topup_errors.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::service {

namespace {

namespace pay = chip::pay;
namespace mgmt = chip::mgmt;

// The applet's answer to GENERATE TOKEN as an error (status words: docs/chip.md).
ServiceError tokenRefusal(std::uint16_t statusWord) {
    const std::string sw = " (SW " + apdu::statusWordHex(statusWord) + ")";
    if (statusWord == apdu::sw::kConditionsNotSatisfied) {
        return {api::ErrorCode::ChipLocked,
                "the secure chip's payment applet is not operational (not activated or locked "
                "by its management system)" +
                    sw};
    }
    if (statusWord == apdu::sw::kWrongData) {
        return {api::ErrorCode::InvalidParams,
                "the payment applet refused the challenge: it must be 8 digits" + sw,
                {{"param", "challenge"}}};
    }
    return {api::ErrorCode::ChipUnavailable, "the payment applet refused GENERATE TOKEN" + sw};
}

}  // namespace

pay::TokenAnswer generatePaymentToken(ChipSession& chip, std::string_view challenge) {
    if (challenge.size() != pay::kTokenChallengeDigits || !pay::isDigits(challenge)) {
        throw ServiceError(api::ErrorCode::InvalidParams, "the challenge must be 8 digits",
                           {{"param", "challenge"}});
    }
    const auto hold = chip.hold();
    apdu::ApduChannel& channel = chip.channel();
    if (!channel.transmit(mgmt::selectApplet(mgmt::Applet::Payment)).ok()) {
        throw ServiceError(api::ErrorCode::ChipUnavailable,
                           "the secure chip has no payment applet");
    }
    const apdu::ResponseApdu answer = channel.transmit(pay::generateToken(challenge));
    if (!answer.ok()) {
        throw tokenRefusal(answer.sw);
    }
    try {
        return pay::TokenAnswer::parse(answer.data);
    } catch (const pay::PurchaseFormatError& error) {
        throw ServiceError(
            api::ErrorCode::ChipUnavailable,
            std::string("the payment applet's token answer is malformed: ") + error.what());
    }
}

}  // namespace taplink::service
