// The load SAM application of the simulated secure chip (byte layouts in
// chip/load_sam_protocol.hpp, prose in docs/chip.md). Its P-256 (ECDH) key and its SM2 key
// are generated inside the chip the first time a chip with a given serial is created, and
// kept only in the simulator's state directory, <stateDir>/chip-<SERIAL HEX>/sam.json,
// together with the lifecycle state, the nonces of the authorizations it has used (so a
// re-inserted or restarted chip still refuses them) and the management channel's sequence
// counter. Without a state directory the chip lives in memory and gets new keys each time it
// is created. Its lifecycle changes only by MANAGE in the management channel
// (applets/management_channel.hpp), keyed from the TSM master key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "card/file_system.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::sim {

// The chip's clock, in unix seconds; it decides when a load authorization has expired.
using ChipClock = std::function<std::uint64_t()>;
// The simulator host's clock (the default).
std::uint64_t hostClock();

// FID of the load SAM DF on the chip.
inline constexpr std::uint16_t kLoadSamFid = 0x5341;

// Where the chip with this serial keeps the load SAM's state in stateDir.
std::string loadSamStateFile(ByteView chipSerial, const std::string& stateDir);

// The applet. chipSerial: 1..32 bytes (std::invalid_argument otherwise); it also binds the
// envelope keys (HKDF info). stateDir empty: in memory only. std::runtime_error for an
// unreadable state file.
std::shared_ptr<Applet> makeLoadSamApplet(ByteView chipSerial, const std::string& stateDir,
                                          const protocol::TsmMasterKey& tsmKeys,
                                          ChipClock clock = hostClock);

// The application's DF (AID F0 "TAPLINKSAM", FID 5341), ready to go under the chip's MF.
DedicatedFile loadSamApplication(ByteView chipSerial, const std::string& stateDir,
                                 const protocol::TsmMasterKey& tsmKeys,
                                 ChipClock clock = hostClock);

}  // namespace taplink::sim
