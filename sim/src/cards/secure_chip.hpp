// The secure chip (docs/chip.md): a T=1 card in the reader's SAM slot holding
// the device key and certificate in a PIV-compatible application. Its state (the key that
// was generated inside it, the certificate, the PIN counter) lives in the simulator's state
// dir under chip-<serial hex>/, or in memory without a state dir.
#pragma once

#include <memory>
#include <string_view>

#include "cards/profiles.hpp"

namespace taplink::sim {

// The serial a chip gets when none is given: 54 4C 43 48 00 00 00 01 ("TLCH", 1).
Bytes defaultChipSerial();

// "secure-chip". options.serial: 8 bytes or empty; options.balance is not used.
// Throws std::invalid_argument for a serial of another size, std::runtime_error for an
// unreadable state file.
std::shared_ptr<VirtualCard> makeSecureChip(std::string_view profile, const CardOptions& options);

}  // namespace taplink::sim
