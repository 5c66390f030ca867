#include "taplink/crypto/digest.hpp"

#include <openssl/evp.h>

#include <array>

#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {

Bytes sha256(ByteView data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    checkOpenSsl(
        EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr),
        "SHA-256: EVP_Digest");
    return Bytes(digest.begin(), digest.begin() + length);
}

}  // namespace taplink::crypto
