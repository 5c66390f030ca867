// What the TSM's jobs ask of a chip (docs/server.md, "Chip management"): the operations and
// the MANAGE data each one sends, the payment applet's default parameters, and the payment
// keys, made by the server and kept sealed in its store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/server_store.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::server {

// activate (C0 02), lock (C0 03), unlock (C0 02), status (no data), personalise (payment:
// C2, C1, C0 02), update-params (payment: C1).
bool isTsmOperation(std::string_view operation);
bool operationNeedsParameters(std::string_view operation);

// The job for operation on the chip's applet; parameters for personalise and update-params
// (their version is the store's). std::invalid_argument with the reason for an operation the
// applet does not take.
TsmJobDraft tsmJobDraft(const std::string& chipSerial, chip::mgmt::Applet applet,
                        const std::string& operation,
                        const std::optional<chip::mgmt::PaymentParameters>& parameters);

// Per transaction 1000.00, daily 5000.00, contactless CVM limit 300.00 yuan; PBOC debit and
// credit (A000000333010101, A000000333010102).
chip::mgmt::PaymentParameters defaultPaymentParameters();

// The largest plain MANAGE data a wrapped MANAGE carries: C-DEC pads it to a multiple of 16
// (ISO/IEC 9797-1 method 2, always at least one byte; Amendment D 6.2.6) and the C-MAC adds
// 8 (6.2.4), within a short Lc of 255: 239 -> 240 + 8 = 248, 240 -> 256 + 8.
inline constexpr std::size_t kMaxManagePlainData = 239;

// The job's MANAGE data as it will be sent (keys as placeholders of their size);
// std::invalid_argument when it is over kMaxManagePlainData, so that it is refused when
// queued rather than after a chip's sequence counter was spent on it.
void checkManageSize(const TsmJobDraft& draft);

// The key that seals the payment keys in the store: HKDF-SHA256(master, "TapLink TSM
// payment-key seal v1", 32), so server.db alone (without tsm-keys.json) does not open them.
Bytes paymentKeySealKey(const protocol::TsmMasterKey& master);

// The chip's payment keys: new random ones sealed into the store the first time, the kept
// ones after (a personalisation again sends the same keys).
void keepPaymentKeys(ServerStore& store, ByteView sealKey, const std::string& chipSerial);
// nullopt when the chip has none or they do not open with sealKey.
std::optional<chip::mgmt::PaymentKeys> openPaymentKeys(ServerStore& store, ByteView sealKey,
                                                       const std::string& chipSerial);

}  // namespace taplink::server
