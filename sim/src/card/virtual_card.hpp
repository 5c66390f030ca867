// A virtual card: an ATR, a file system with applications, and the transport rules of its
// protocol (61xx response chaining, and for T=0 cards 6Cxx on a wrong Le).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "card/file_system.hpp"

namespace taplink::sim {

class VirtualCard {
  public:
    VirtualCard(std::string profile, Bytes atr, DedicatedFile mf, bool t0Transport);

    const std::string& profile() const { return profile_; }
    const Bytes& atr() const { return atr_; }

    // Which physical card this is ("city-<serial>", "chip-<serial>"); empty for cards with no
    // state of their own. One physical card can be in one slot only.
    const std::string& identity() const { return identity_; }
    void setIdentity(std::string identity) { identity_ = std::move(identity); }

    // For cards whose state lives in a file: builds the card again from that file, so a card
    // put back in the field is exactly as its last transaction left it. nullptr otherwise.
    std::shared_ptr<VirtualCard> reopened() const { return reopen_ ? reopen_() : nullptr; }
    void setReopen(std::function<std::shared_ptr<VirtualCard>()> reopen) {
        reopen_ = std::move(reopen);
    }

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
    std::string identity_;
    std::function<std::shared_ptr<VirtualCard>()> reopen_;
    Bytes atr_;
    FileSystem files_;
    bool t0Transport_;
    Bytes pendingData_;  // what GET RESPONSE hands out next
    std::uint16_t pendingSw_ = apdu::sw::kOk;
};

}  // namespace taplink::sim
