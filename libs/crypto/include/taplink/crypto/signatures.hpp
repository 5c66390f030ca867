// Signature verification, one place for every layer: recharge scripts, device results,
// enrollment and the chip-backed key's self-check. ECDSA (and any other EVP key type) through
// OpenSSL. A failure of any kind (a malformed DER signature, a key of another curve) is
// "does not verify", and OpenSSL's error queue is left as it was before the call.
#pragma once

#include <openssl/evp.h>

#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::crypto {

// The signature of `message` with SHA-256 (ECDSA-with-SHA256, X9.62 DER signature).
bool verifySha256Signature(EVP_PKEY* key, ByteView message, ByteView signature);

// Signs `message` with SHA-256 (ECDSA-with-SHA256 for an EC key: X9.62 DER). CryptoError,
// naming `what`, when OpenSSL fails.
Bytes signSha256(EVP_PKEY* key, ByteView message, std::string_view what);

// The signature of a digest made already (PIV GENERAL AUTHENTICATE signs a digest).
bool verifyDigestSignature(EVP_PKEY* key, ByteView digest, ByteView signature);

}  // namespace taplink::crypto
