// The secure chip (docs/chip.md): a T=1 card in the reader's SAM slot holding
// the device key and certificate in a PIV-compatible application. Its state (the key that
// was generated inside it, the certificate, the PIN counter) lives in the simulator's state
// dir under chip-<serial hex>/, or in memory without a state dir.
#pragma once

#include <memory>
#include <string_view>

#include "taplink/protocol/tsm_keys.hpp"

#include "cards/profiles.hpp"

namespace taplink::sim {

// The serial a chip gets when none is given: 54 4C 43 48 00 00 00 01 ("TLCH", 1).
Bytes defaultChipSerial();

// The TSM master key of chips whose options name none: protocol::testTsmMasterKey() until
// set. taplink-sim sets it once at start from --tsm-keys, so that chips inserted through the
// control socket get their management keys from it too. Thread-safe.
void setDefaultTsmKeys(std::shared_ptr<const protocol::TsmMasterKey> keys);
std::shared_ptr<const protocol::TsmMasterKey> defaultTsmKeys();

// "secure-chip". options.serial: 8 bytes or empty; options.balance is not used. Each applet's
// management keys derive from options.tsmKeys (or the default), its AID and the serial.
// Throws std::invalid_argument for a serial of another size, std::runtime_error for an
// unreadable state file.
std::shared_ptr<VirtualCard> makeSecureChip(std::string_view profile, const CardOptions& options);

}  // namespace taplink::sim
