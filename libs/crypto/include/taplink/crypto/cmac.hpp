// AES-CMAC (NIST SP 800-38B, RFC 4493), computed by OpenSSL 3's EVP_MAC "CMAC".
#pragma once

#include <cstddef>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

inline constexpr std::size_t kCmacSize = 16;  // the AES block: the full, untruncated tag

// The 16-byte CMAC of data under an AES-128, -192 or -256 key (16, 24 or 32 bytes; the key
// size picks the cipher). CryptoError for another key size or an OpenSSL failure.
Bytes aesCmac(ByteView key, ByteView data);

}  // namespace taplink::crypto
