// Elliptic-curve keys through OpenSSL EVP: keys from and to uncompressed points, key
// generation, ECDH.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {

// OpenSSL's name of the NIST P-256 group.
inline constexpr std::string_view kP256Group = "prime256v1";

// The public key of type keyType ("EC", "SM2") on group (e.g. kP256Group, "SM2") at an
// uncompressed point (04 || X || Y); nullptr when point is not a valid point of that group
// (OpenSSL's error queue is cleared). Throws CryptoError when OpenSSL itself fails.
PkeyPtr publicKeyFromPoint(std::string_view keyType, std::string_view group, ByteView point);

// The public point of key in its encoded form (uncompressed, 04 || X || Y, for EC and SM2).
Bytes uncompressedPoint(EVP_PKEY* key);

// Whether key is an "EC" key on the P-256 group.
bool isP256(EVP_PKEY* key);

// A new key pair of type keyType ("EC", "SM2") on group; an empty group keeps the type's
// own (SM2's). Throws CryptoError when OpenSSL fails.
PkeyPtr generateKey(std::string_view keyType, std::string_view group);

// ECDH: the X coordinate of own's private key times peer's public point; nullopt when OpenSSL
// refuses the peer key (error queue cleared). Throws CryptoError on other OpenSSL failures.
std::optional<Bytes> ecdhSharedSecret(EVP_PKEY* own, EVP_PKEY* peer);

}  // namespace taplink::crypto
