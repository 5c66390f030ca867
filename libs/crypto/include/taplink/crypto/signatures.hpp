// Signature verification, one place for every layer: recharge scripts, device results,
// enrollment and the chip-backed key's self-check. ECDSA (and any other EVP key type) through
// OpenSSL. A failure of any kind (a malformed DER signature, a key of another curve) is
// "does not verify", and OpenSSL's error queue is left as it was before the call.
#pragma once

#include <openssl/evp.h>

#include "taplink/base/bytes.hpp"

namespace taplink::crypto {

// The signature of `message` with SHA-256 (ECDSA-with-SHA256, X9.62 DER signature).
bool verifySha256Signature(EVP_PKEY* key, ByteView message, ByteView signature);

// The signature of a digest made already (PIV GENERAL AUTHENTICATE signs a digest).
bool verifyDigestSignature(EVP_PKEY* key, ByteView digest, ByteView signature);

}  // namespace taplink::crypto
