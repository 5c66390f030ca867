// What the top-up server and the daemon read from a device certificate (docs/pki.md): the
// chip serial in the subject's serialNumber, the load SAM's P-256 key in the TapLink load
// SAM key extension, and the terminal id derived from the chip serial.
#pragma once

#include <openssl/x509.h>

#include <stdexcept>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::chip {

// OID of the TapLink load SAM key extension (see the shared contract).
inline constexpr std::string_view kSamKeyExtensionOid =
    "2.25.84704649656041830364308240670639428389";

// A device certificate without the chip serial or the load SAM key, or with a malformed one.
class DeviceCertificateError : public std::runtime_error {
  public:
    using runtime_error::runtime_error;
};

// The chip serial (bytes) named by the certificate's subject serialNumber (hex);
// DeviceCertificateError if absent/malformed.
Bytes chipSerialOf(const X509* certificate);

// The load SAM key (65-byte uncompressed P-256 point) from the extension;
// DeviceCertificateError if absent, malformed, not P-256.
Bytes samPublicKeyOf(const X509* certificate);

// Rightmost 6 bytes of the chip serial; std::invalid_argument when shorter than 6.
Bytes terminalIdOf(ByteView chipSerial);

}  // namespace taplink::chip
