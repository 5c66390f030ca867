// HMAC (RFC 2104) with SHA-1, SHA-256 or SHA-512, computed by OpenSSL 3's EVP_MAC "HMAC".
#pragma once

#include <cstddef>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

enum class Digest { Sha1, Sha256, Sha512 };

std::size_t digestSize(Digest digest);       // 20, 32 or 64 bytes
std::string_view digestName(Digest digest);  // "SHA1", "SHA256", "SHA512" (OpenSSL's names)

// The full HMAC of data under key. CryptoError when OpenSSL fails.
Bytes hmac(Digest digest, ByteView key, ByteView data);

}  // namespace taplink::crypto
