// The daemon's driver for the secure chip's PIV application (NIST SP 800-73-4): reads the
// device certificate from slot 9A, verifies the PIN and has the chip sign digests with the
// device key. The private key never leaves the chip; this class only ever sees the
// certificate, digests and signatures. Byte layouts are in chip/piv_protocol.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/chip/piv_protocol.hpp"

namespace taplink::chip {

// The chip answered a PIV command with an error status word.
class PivError : public std::runtime_error {
  public:
    PivError(const std::string& operation, std::uint16_t statusWord);

    const std::string& operation() const { return operation_; }
    std::uint16_t statusWord() const { return statusWord_; }

  protected:
    PivError(std::string operation, std::uint16_t statusWord, const std::string& message);

  private:
    std::string operation_;
    std::uint16_t statusWord_;
};

// VERIFY refused the PIN (63Cx); triesLeft() more wrong PINs are allowed before it blocks.
class WrongPinError : public PivError {
  public:
    WrongPinError(const std::string& operation, std::uint16_t statusWord, int triesLeft);
    int triesLeft() const { return triesLeft_; }

  private:
    int triesLeft_;
};

// The PIN is blocked (6983): no PIN, right or wrong, is accepted any more.
class PinBlockedError : public PivError {
  public:
    PinBlockedError(const std::string& operation, std::uint16_t statusWord);
};

// The command needs the PIN verified in this card session first (6982).
class PinRequiredError : public PivError {
  public:
    PinRequiredError(const std::string& operation, std::uint16_t statusWord);
};

// Plain words for a PIV status word ("PIN blocked", "data object not found", ...).
std::string describePivStatusWord(std::uint16_t statusWord);

class PivChip {
  public:
    explicit PivChip(apdu::ApduChannel& channel) : channel_(channel) {}

    // Selects the PIV application. false: the card has none (6A82).
    bool select();

    // The X.509 certificate for PIV Authentication (slot 9A), DER.
    Bytes readCertificate();

    // VERIFY; WrongPinError (with the tries left) or PinBlockedError when refused.
    void verifyPin(std::string_view pin);
    // VERIFY without data: nullopt when the PIN is verified in this session, else the tries
    // left (0: blocked).
    std::optional<int> pinTriesLeft();
    // CHANGE REFERENCE DATA; the same errors as verifyPin for a wrong old PIN.
    void changePin(std::string_view oldPin, std::string_view newPin);

    // ECDSA P-256 signature (DER) over a digest, by the device key in slot 9A.
    // PinRequiredError when the PIN has not been verified in this session.
    Bytes signDigest(ByteView digest);

    // GENERATE ASYMMETRIC KEY PAIR: a new P-256 device key in slot 9A, made inside the chip;
    // returns its public point (65 bytes, 04 || X || Y). The old key is gone and so is the
    // slot's certificate (GET DATA answers 6A82) until writeCertificate installs a new one.
    // PinRequiredError without the PIN (this chip gates it with the PIN, see docs/chip.md).
    Bytes generateKey();
    // PUT DATA of the slot 9A certificate (DER), chained when long. PinRequiredError without
    // the PIN; PivError 6A80 when the certificate is not for the chip's key.
    void writeCertificate(ByteView certificateDer);

  private:
    // Sends the command; any status word but 9000 becomes the matching PivError.
    Bytes exchange(const apdu::CommandApdu& command, const char* operation);

    apdu::ApduChannel& channel_;
};

}  // namespace taplink::chip
