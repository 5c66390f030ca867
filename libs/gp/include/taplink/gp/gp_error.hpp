// The one exception type of the GlobalPlatform layer, with a code the caller can act on.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::gp {

enum class GpErrorCode {
    BadLength,             // a field or message of the wrong size
    BadFormat,             // a field with a value the protocol does not allow
    UnknownKey,            // no key set with the requested key version number
    Unsupported,           // a valid option this library does not implement (S16 mode)
    BadCryptogram,         // the card or host cryptogram does not verify
    BadMac,                // a C-MAC or R-MAC does not verify
    BadPadding,            // decrypted data not padded by ISO/IEC 9797-1 method 2
    Replay,                // a sequence counter that did not go up, or one used up
    SecurityNotSatisfied,  // a command below the session's security level
    NotOpen,               // no secure channel (never opened, or closed by an error)
};

std::string_view errorCodeName(GpErrorCode code);

// "<context>: <detail>", e.g. "EXTERNAL AUTHENTICATE: host cryptogram does not verify".
class GpError : public std::runtime_error {
  public:
    GpError(GpErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    GpErrorCode code() const { return code_; }

  private:
    GpErrorCode code_;
};

// The status word a card answers for the error (GP Card Specification v2.3, the status
// words of INITIALIZE UPDATE and EXTERNAL AUTHENTICATE in Amendment D 7.1 and 7.2).
std::uint16_t statusWordFor(GpErrorCode code);

}  // namespace taplink::gp
