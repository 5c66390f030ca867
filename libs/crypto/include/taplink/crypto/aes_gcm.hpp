// AES-256-GCM (96-bit IV, 128-bit tag) through OpenSSL EVP.
#pragma once

#include <cstddef>
#include <optional>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

struct GcmSealed {
    Bytes ciphertext;  // as long as the plaintext
    Bytes tag;         // kGcmTagSize bytes
};

// Encrypts plaintext and authenticates it with aad. Throws CryptoError for a key or IV of the
// wrong size, or when OpenSSL fails.
GcmSealed aes256GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);

// The plaintext, or nullopt when the tag does not verify (ciphertext, tag or aad altered, or
// another key). Throws CryptoError for a key, IV or tag of the wrong size, or when OpenSSL fails.
std::optional<Bytes> aes256GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext,
                                   ByteView tag);

}  // namespace taplink::crypto
