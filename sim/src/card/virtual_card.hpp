// A virtual card: an ATR, a file system with applications, and the transport rules of its
// protocol (61xx response chaining, and for T=0 cards 6Cxx on a wrong Le).
#pragma once

#include <string>

#include "card/file_system.hpp"

namespace taplink::sim {

class VirtualCard {
  public:
    VirtualCard(std::string profile, Bytes atr, DedicatedFile mf, bool t0Transport);

    const std::string& profile() const { return profile_; }
    const Bytes& atr() const { return atr_; }

    // Power-on or warm reset: back to the MF, applets forget their sessions.
    void reset();

    // One command APDU in, one response APDU out. Never throws: malformed commands get
    // a status word like a real card would give.
    Bytes process(ByteView rawCommand);

  private:
    ResponseApdu dispatch(const CommandApdu& command);
    ResponseApdu getResponse(const CommandApdu& command);
    ResponseApdu deliver(const CommandApdu& command, ResponseApdu response);
    ResponseApdu chain(Bytes data, std::size_t firstChunk, std::uint16_t finalSw);

    std::string profile_;
    Bytes atr_;
    FileSystem files_;
    bool t0Transport_;
    Bytes pendingData_;  // what GET RESPONSE hands out next
    std::uint16_t pendingSw_ = apdu::sw::kOk;
};

}  // namespace taplink::sim
