#include "taplink/crypto/signatures.hpp"

#include <openssl/err.h>

#include <string>

#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {

bool verifySha256Signature(EVP_PKEY* key, ByteView message, ByteView signature) {
    ERR_set_mark();
    const MdCtxPtr context(EVP_MD_CTX_new());
    const bool verified = key != nullptr && context &&
                          EVP_DigestVerifyInit_ex(context.get(), nullptr, "SHA256", nullptr,
                                                  nullptr, key, nullptr) == 1 &&
                          EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                                           message.data(), message.size()) == 1;
    ERR_pop_to_mark();
    return verified;
}

Bytes signSha256(EVP_PKEY* key, ByteView message, std::string_view what) {
    const std::string context = std::string(what) + ": ";
    const MdCtxPtr digest(EVP_MD_CTX_new());
    if (!digest) {
        throwOpenSslError(context + "EVP_MD_CTX_new");
    }
    checkOpenSsl(
        EVP_DigestSignInit_ex(digest.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr),
        context + "EVP_DigestSignInit_ex");
    std::size_t length = 0;
    checkOpenSsl(EVP_DigestSign(digest.get(), nullptr, &length, message.data(), message.size()),
                 context + "EVP_DigestSign (size)");
    Bytes signature(length);
    checkOpenSsl(
        EVP_DigestSign(digest.get(), signature.data(), &length, message.data(), message.size()),
        context + "EVP_DigestSign");
    signature.resize(length);
    return signature;
}

bool verifyDigestSignature(EVP_PKEY* key, ByteView digest, ByteView signature) {
    ERR_set_mark();
    const PkeyCtxPtr context(key != nullptr ? EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr)
                                            : nullptr);
    const bool verified = context && EVP_PKEY_verify_init(context.get()) == 1 &&
                          EVP_PKEY_verify(context.get(), signature.data(), signature.size(),
                                          digest.data(), digest.size()) == 1;
    ERR_pop_to_mark();
    return verified;
}

}  // namespace taplink::crypto
