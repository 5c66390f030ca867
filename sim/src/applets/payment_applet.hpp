// The payment applet of the simulated secure chip (docs/chip.md, "Payment applet (management
// side)" and "Payment applet: purchase"): its lifecycle, parameters and keys, set by the TSM
// through MANAGE in the management channel (applets/management_channel.hpp), and read by
// anyone with the plain GET STATUS; the purchase commands are applets/payment_purchase.hpp's.
// State: <stateDir>/chip-<SERIAL HEX>/payment.json beside sam.json (applets/payment_state.hpp);
// in memory without a state directory.
#pragma once

#include <memory>
#include <string>

#include "card/file_system.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::sim {

// FID of the payment applet's DF on the chip.
inline constexpr std::uint16_t kPaymentFid = 0x5041;

// Where the chip with this serial keeps the payment applet's state; empty without stateDir.
std::string paymentStateFile(ByteView chipSerial, const std::string& stateDir);

// The application's DF (AID F0 "TAPLINKPAY", FID 5041). chipSerial: 1..32 bytes
// (std::invalid_argument otherwise); std::runtime_error for an unreadable state file.
DedicatedFile paymentApplication(ByteView chipSerial, const std::string& stateDir,
                                 const protocol::TsmMasterKey& tsmKeys);

}  // namespace taplink::sim
