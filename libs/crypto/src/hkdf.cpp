#include "taplink/crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {
namespace {

KdfCtxPtr newHkdfContext() {
    const KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) {
        throwOpenSslError("HKDF-SHA256: EVP_KDF_fetch(HKDF)");
    }
    KdfCtxPtr context(EVP_KDF_CTX_new(kdf.get()));  // holds its own reference to kdf
    if (!context) {
        throwOpenSslError("HKDF-SHA256: EVP_KDF_CTX_new");
    }
    return context;
}

}  // namespace

Bytes hkdfSha256(ByteView ikm, ByteView info, std::size_t length) {
    if (ikm.empty() || length == 0) {
        throw CryptoError("HKDF-SHA256: empty input key or no output asked for");
    }
    const KdfCtxPtr context = newHkdfContext();
    std::string digest = "SHA256";
    // OSSL_PARAM takes non-const pointers; OpenSSL copies the values.
    Bytes key(ikm.begin(), ikm.end());
    Bytes label(info.begin(), info.end());
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, label.data(), label.size()),
        OSSL_PARAM_construct_end()};
    Bytes output(length);
    const int derived = EVP_KDF_derive(context.get(), output.data(), output.size(), params);
    OPENSSL_cleanse(key.data(), key.size());
    checkOpenSsl(derived, "HKDF-SHA256: EVP_KDF_derive");
    return output;
}

}  // namespace taplink::crypto
