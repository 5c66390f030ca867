#include "taplink/crypto/random.hpp"

#include <openssl/rand.h>

#include "taplink/crypto/block_cipher.hpp"

namespace taplink::crypto {

Bytes randomBytes(std::size_t count) {
    Bytes bytes(count);
    if (count > 0 && RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) {
        throw CryptoError("RAND_bytes failed");
    }
    return bytes;
}

}  // namespace taplink::crypto
