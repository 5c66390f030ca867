#include "taplink/crypto/ec_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <string>

namespace taplink::crypto {

namespace {

// An EVP_PKEY_CTX for keys of type keyType; throws CryptoError "<what>: ..." when OpenSSL fails.
PkeyCtxPtr contextForType(std::string_view keyType, std::string_view what) {
    const std::string type(keyType);
    PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type.c_str(), nullptr));
    if (!context) {
        throwOpenSslError(std::string(what) + ": EVP_PKEY_CTX_new_from_name(" + type + ")");
    }
    return context;
}

}  // namespace

PkeyPtr publicKeyFromPoint(std::string_view keyType, std::string_view group, ByteView point) {
    constexpr std::string_view kWhat = "EC public key from a point";
    const PkeyCtxPtr context = contextForType(keyType, kWhat);
    checkOpenSsl(EVP_PKEY_fromdata_init(context.get()),
                 std::string(kWhat) + ": EVP_PKEY_fromdata_init");
    std::string groupName(group);
    Bytes encoded(point.begin(), point.end());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, groupName.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), encoded.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        ERR_clear_error();
        return nullptr;
    }
    return PkeyPtr(key);
}

Bytes uncompressedPoint(EVP_PKEY* key) {
    constexpr std::string_view kWhat = "EC public point: EVP_PKEY_get_octet_string_param";
    std::size_t length = 0;
    checkOpenSsl(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr,
                                                 0, &length),
                 std::string(kWhat) + " (size)");
    Bytes point(length);
    checkOpenSsl(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                                 point.data(), point.size(), &length),
                 kWhat);
    point.resize(length);
    return point;
}

bool isP256(EVP_PKEY* key) {
    char group[64] = {};
    std::size_t length = 0;
    return EVP_PKEY_is_a(key, "EC") == 1 &&
           EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &length) == 1 &&
           std::string_view(group, length) == kP256Group;
}

PkeyPtr generateKey(std::string_view keyType, std::string_view group) {
    const std::string what = "key generation (" + std::string(keyType) + ")";
    const PkeyCtxPtr context = contextForType(keyType, what);
    checkOpenSsl(EVP_PKEY_keygen_init(context.get()), what + ": EVP_PKEY_keygen_init");
    if (!group.empty()) {
        const std::string groupName(group);
        checkOpenSsl(EVP_PKEY_CTX_set_group_name(context.get(), groupName.c_str()),
                     what + ": set group " + groupName);
    }
    EVP_PKEY* key = nullptr;
    checkOpenSsl(EVP_PKEY_generate(context.get(), &key), what + ": EVP_PKEY_generate");
    return PkeyPtr(key);
}

std::optional<Bytes> ecdhSharedSecret(EVP_PKEY* own, EVP_PKEY* peer) {
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    if (!context) {
        throwOpenSslError("ECDH: EVP_PKEY_CTX_new_from_pkey");
    }
    checkOpenSsl(EVP_PKEY_derive_init(context.get()), "ECDH: EVP_PKEY_derive_init");
    std::size_t length = 0;
    if (EVP_PKEY_derive_set_peer_ex(context.get(), peer, 1) <= 0 ||
        EVP_PKEY_derive(context.get(), nullptr, &length) <= 0) {
        ERR_clear_error();
        return std::nullopt;
    }
    Bytes secret(length);
    checkOpenSsl(EVP_PKEY_derive(context.get(), secret.data(), &length), "ECDH: EVP_PKEY_derive");
    secret.resize(length);
    return secret;
}

}  // namespace taplink::crypto
