#include "taplink/crypto/cmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <string>

#include "mac_context.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {
namespace {

using detail::MacCtxPtr;

// The CBC cipher whose block function CMAC runs (SP 800-38B 6.2); OpenSSL names it so.
const char* cbcCipherFor(std::size_t keySize) {
    switch (keySize) {
        case 16:
            return "AES-128-CBC";
        case 24:
            return "AES-192-CBC";
        case 32:
            return "AES-256-CBC";
        default:
            throw CryptoError("AES-CMAC: key must be 16, 24 or 32 bytes, got " +
                              std::to_string(keySize));
    }
}

MacCtxPtr newCmacContext() {
    return detail::newMacContext("CMAC", "AES-CMAC");
}

}  // namespace

Bytes aesCmac(ByteView key, ByteView data) {
    std::string cipher = cbcCipherFor(key.size());
    const MacCtxPtr ctx = newCmacContext();
    const std::array params{
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher.data(), 0),
        OSSL_PARAM_construct_end()};
    checkOpenSsl(EVP_MAC_init(ctx.get(), key.data(), key.size(), params.data()),
                 "AES-CMAC: EVP_MAC_init");
    checkOpenSsl(EVP_MAC_update(ctx.get(), data.data(), data.size()), "AES-CMAC: EVP_MAC_update");
    Bytes tag(kCmacSize);
    std::size_t written = 0;
    checkOpenSsl(EVP_MAC_final(ctx.get(), tag.data(), &written, tag.size()),
                 "AES-CMAC: EVP_MAC_final");
    if (written != kCmacSize) {
        throw CryptoError("AES-CMAC: OpenSSL returned " + std::to_string(written) + " bytes");
    }
    return tag;
}

}  // namespace taplink::crypto
