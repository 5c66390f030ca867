// The payment applet's dynamic token (docs/chip.md, "The dynamic token"): taplinkd selects
// the applet on the secure chip and sends GENERATE TOKEN with the owner's challenge. The
// chip computes the OCRA code with its token seed, which never leaves it.
#pragma once

#include <string_view>

#include "service/chip_session.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::service {

// The code for an 8-digit challenge and the counter the chip used, under the chip hold.
// ServiceError invalid_params (not 8 digits: 6A80), chip_locked (the applet is not
// operational: 6985), chip_unavailable (no chip, no payment applet, another refusal or a
// malformed answer).
chip::pay::TokenAnswer generatePaymentToken(ChipSession& chip, std::string_view challenge);

}  // namespace taplink::service
