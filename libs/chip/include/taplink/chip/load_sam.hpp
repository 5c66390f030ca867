// The daemon's driver for the secure chip's load SAM application: completes an e-purse
// load without the daemon ever holding the card's load key. The server's load authorization
// (sealed to the chip, see chip/load_sam_protocol.hpp) goes in; MAC2 for the card comes
// out, once per authorization.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/chip/load_sam_protocol.hpp"

namespace taplink::chip {

// The load SAM answered a command with an error status word. The message says, in plain
// words, what the chip refused ("LOAD MAC2: load authorization expired (SW 6982)").
class LoadSamError : public std::runtime_error {
  public:
    LoadSamError(std::string operation, std::uint16_t statusWord);

    const std::string& operation() const { return operation_; }
    std::uint16_t statusWord() const { return statusWord_; }

  private:
    std::string operation_;
    std::uint16_t statusWord_;
};

class LoadSam {
  public:
    explicit LoadSam(apdu::ApduChannel& channel) : channel_(channel) {}

    // Selects the load SAM application. false: the chip has none (6A82).
    bool select();

    // Lifecycle state, chip serial and public keys (GET CHIP INFO).
    sam::ChipInfo info();
    // Imports a sealed load authorization (sam::sealLoadAuthorization) with the server's
    // allowance signature over it (sam::encodeAllowanceStatement); it replaces any
    // authorization imported before and not yet used.
    void importAuthorization(ByteView envelope, ByteView allowanceSignature);
    // MAC2 for CREDIT FOR LOAD, from the card's INITIALIZE FOR LOAD answer. The chip checks
    // that serial, amount and terminal are those of the imported authorization and that the
    // card's MAC1 verifies. A MAC2 uses the authorization up.
    Bytes computeLoadMac2(ByteView cardSerial,
                          const cards::epurse::LoadInitialization& initialization,
                          std::uint32_t amount, ByteView terminalId, ByteView date, ByteView time);
    // SM2 signature (SM3, ID "1234567812345678"), DER.
    Bytes sm2Sign(ByteView message);

  private:
    // Sends the command; any status word but 9000 becomes a LoadSamError.
    Bytes exchange(const apdu::CommandApdu& command, const char* operation);

    apdu::ApduChannel& channel_;
};

}  // namespace taplink::chip
