// SHA-256 (FIPS 180-4), computed by OpenSSL: the one digest helper of the project (script
// key ids, the purchase's order reference and sealed-request hash).
#pragma once

#include "taplink/base/bytes.hpp"

namespace taplink::crypto {

// The 32-byte SHA-256 of data. CryptoError for an OpenSSL failure.
Bytes sha256(ByteView data);

}  // namespace taplink::crypto
