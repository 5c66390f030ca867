// A diagnostics application for transport tests: echoes data and produces responses of
// any length, so that GET RESPONSE, 6Cxx and extended-length paths can be driven.
#pragma once

#include "card/file_system.hpp"

namespace taplink::sim {

// Proprietary AID: F0 (unregistered RID range) "TAPLINK" 01.
inline Bytes diagAid() {
    return {0xF0, 0x54, 0x41, 0x50, 0x4C, 0x49, 0x4E, 0x4B, 0x01};
}

namespace diag {
inline constexpr std::uint8_t kCla = 0x80;
inline constexpr std::uint8_t kInsEcho = 0x10;     // data in, same data out
inline constexpr std::uint8_t kInsPattern = 0x12;  // P1-P2 = n: n bytes, byte i = i mod 256
}  // namespace diag

class DiagApplet : public Applet {
  public:
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) override;
};

}  // namespace taplink::sim
