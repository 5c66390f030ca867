// Who a device is, read only from its verified TLS client certificate (never from a request
// body): the chip serial, the load SAM key that authorizations are sealed to, the terminal
// id, and the key its signed results must verify with.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <string>

#include "taplink/base/bytes.hpp"

namespace taplink::server {

struct DeviceIdentity {
    std::string fingerprint;  // SHA-256 of the certificate's DER, lower-case hex
    Bytes chipSerial;
    std::string chipSerialHex;  // upper-case
    Bytes samPublicKey;         // 65-byte uncompressed P-256 point
    Bytes terminalId;           // the rightmost 6 bytes of the chip serial
    std::string subject;        // RFC 2253
    std::int64_t notAfter = 0;  // unix seconds
};

// chip::DeviceCertificateError, or std::invalid_argument for a chip serial shorter than a
// terminal id, when the certificate is not a TapLink device certificate.
DeviceIdentity identifyDevice(X509* certificate);

// Whether signature (DER ECDSA-Sig-Value) is the certificate key's signature over SHA-256 of
// message. Never throws for a bad signature: false.
bool verifyDeviceSignature(X509* certificate, ByteView message, ByteView signature);

}  // namespace taplink::server
