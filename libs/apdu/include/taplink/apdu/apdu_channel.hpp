// Whatever can carry a command APDU to a card and bring back the complete answer: a PC/SC
// connection, or in unit tests a virtual card. Card drivers depend on this, not on PC/SC.
#pragma once

#include "taplink/apdu/apdu.hpp"

namespace taplink::apdu {

class ApduChannel {
  public:
    ApduChannel() = default;
    ApduChannel(const ApduChannel&) = delete;
    ApduChannel& operator=(const ApduChannel&) = delete;
    virtual ~ApduChannel() = default;

    // Returns the whole answer (any 61xx/6Cxx transport exchange already done).
    virtual ResponseApdu transmit(const CommandApdu& command) = 0;

  protected:
    ApduChannel(ApduChannel&&) = default;
    ApduChannel& operator=(ApduChannel&&) = default;
};

}  // namespace taplink::apdu
