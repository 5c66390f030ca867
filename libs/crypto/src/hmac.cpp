#include "taplink/crypto/hmac.hpp"

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

MacCtxPtr newHmacContext() {
    return detail::newMacContext("HMAC", "HMAC");
}

}  // namespace

std::size_t digestSize(Digest digest) {
    switch (digest) {
        case Digest::Sha1:
            return 20;
        case Digest::Sha256:
            return 32;
        case Digest::Sha512:
            return 64;
    }
    throw CryptoError("unknown digest");
}

std::string_view digestName(Digest digest) {
    switch (digest) {
        case Digest::Sha1:
            return "SHA1";
        case Digest::Sha256:
            return "SHA256";
        case Digest::Sha512:
            return "SHA512";
    }
    throw CryptoError("unknown digest");
}

Bytes hmac(Digest digest, ByteView key, ByteView data) {
    std::string name(digestName(digest));
    const MacCtxPtr ctx = newHmacContext();
    const std::array params{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
                            OSSL_PARAM_construct_end()};
    checkOpenSsl(EVP_MAC_init(ctx.get(), key.data(), key.size(), params.data()),
                 "HMAC: EVP_MAC_init");
    checkOpenSsl(EVP_MAC_update(ctx.get(), data.data(), data.size()), "HMAC: EVP_MAC_update");
    Bytes tag(digestSize(digest));
    std::size_t written = 0;
    checkOpenSsl(EVP_MAC_final(ctx.get(), tag.data(), &written, tag.size()), "HMAC: EVP_MAC_final");
    if (written != tag.size()) {
        throw CryptoError("HMAC: OpenSSL returned " + std::to_string(written) + " bytes");
    }
    return tag;
}

}  // namespace taplink::crypto
