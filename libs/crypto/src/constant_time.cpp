#include "taplink/crypto/constant_time.hpp"

#include <openssl/crypto.h>

namespace taplink::crypto {

bool constantTimeEqual(ByteView a, ByteView b) {
    // Sizes are public (fixed by the formats compared), so an early return leaks nothing.
    if (a.size() != b.size()) {
        return false;
    }
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace taplink::crypto
