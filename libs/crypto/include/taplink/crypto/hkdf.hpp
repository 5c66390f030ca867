// HKDF with SHA-256 (RFC 5869), computed by OpenSSL 3's EVP_KDF "HKDF": the one key
// derivation of the load SAM's envelope and the chip's management keys.
#pragma once

#include <cstddef>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

// RFC 5869 2.2 and 2.3, extract then expand, with no salt (HashLen zero bytes, the same as an
// empty salt). length: 1..255*32 bytes. CryptoError for an empty ikm or an OpenSSL failure.
Bytes hkdfSha256(ByteView ikm, ByteView info, std::size_t length);

}  // namespace taplink::crypto
