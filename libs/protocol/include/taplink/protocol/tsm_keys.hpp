// The TSM's master key for the secure chips' management channels: what taplink-server's TSM
// role holds and what taplink-sim "manufactures" chips with (each chip's SCP03 keys derive
// from it: chip::mgmt::deriveManagementKeys). File format, written by certs/make-pki.sh:
//   {"format":"taplink-tsm-keys/1","keyVersion":"30","master":"<32 bytes hex>"}
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::protocol {

inline constexpr std::string_view kTsmKeysFormat = "taplink-tsm-keys/1";

struct TsmMasterKey {
    std::uint8_t keyVersion = 0x30;
    Bytes master;  // 32 bytes
};

// A file that is not a well-formed "taplink-tsm-keys/1" document; says what is wrong.
class TsmKeysError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

TsmMasterKey parseTsmKeys(std::string_view json);
TsmMasterKey readTsmKeys(const std::string& path);

// The published test value (like the test issuers): master 40 41 .. 5F, key version 30.
// For tests and a taplink-sim started without --tsm-keys; never for a real deployment.
TsmMasterKey testTsmMasterKey();

}  // namespace taplink::protocol
