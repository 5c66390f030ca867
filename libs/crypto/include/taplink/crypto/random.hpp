// Random bytes from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>

#include "taplink/base/bytes.hpp"

namespace taplink::crypto {

// Throws CryptoError when OpenSSL cannot produce them.
Bytes randomBytes(std::size_t count);

}  // namespace taplink::crypto
