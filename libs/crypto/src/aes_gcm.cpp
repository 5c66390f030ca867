#include "taplink/crypto/aes_gcm.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "taplink/base/byte_reader.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {

namespace {

CipherCtxPtr newContext() {
    CipherCtxPtr context(EVP_CIPHER_CTX_new());
    if (!context) {
        throwOpenSslError("AES-256-GCM: EVP_CIPHER_CTX_new");
    }
    return context;
}

}  // namespace

GcmSealed aes256GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
    requireSize<CryptoError>(key, kAes256KeySize, "AES-256-GCM: key");
    requireSize<CryptoError>(iv, kGcmIvSize, "AES-256-GCM: IV");
    const CipherCtxPtr context = newContext();
    checkOpenSsl(
        EVP_EncryptInit_ex2(context.get(), EVP_aes_256_gcm(), key.data(), iv.data(), nullptr),
        "AES-256-GCM: EVP_EncryptInit_ex2");
    int length = 0;
    checkOpenSsl(EVP_EncryptUpdate(context.get(), nullptr, &length, aad.data(),
                                   static_cast<int>(aad.size())),
                 "AES-256-GCM: AAD");
    GcmSealed sealed{Bytes(plaintext.size()), Bytes(kGcmTagSize)};
    length = 0;
    if (!plaintext.empty()) {
        checkOpenSsl(EVP_EncryptUpdate(context.get(), sealed.ciphertext.data(), &length,
                                       plaintext.data(), static_cast<int>(plaintext.size())),
                     "AES-256-GCM: encrypt");
    }
    int finalLength = 0;
    checkOpenSsl(
        EVP_EncryptFinal_ex(context.get(), sealed.ciphertext.data() + length, &finalLength),
        "AES-256-GCM: EVP_EncryptFinal_ex");
    checkOpenSsl(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG,
                                     static_cast<int>(kGcmTagSize), sealed.tag.data()),
                 "AES-256-GCM: get tag");
    return sealed;
}

std::optional<Bytes> aes256GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext,
                                   ByteView tag) {
    requireSize<CryptoError>(key, kAes256KeySize, "AES-256-GCM: key");
    requireSize<CryptoError>(iv, kGcmIvSize, "AES-256-GCM: IV");
    requireSize<CryptoError>(tag, kGcmTagSize, "AES-256-GCM: tag");
    const CipherCtxPtr context = newContext();
    checkOpenSsl(
        EVP_DecryptInit_ex2(context.get(), EVP_aes_256_gcm(), key.data(), iv.data(), nullptr),
        "AES-256-GCM: EVP_DecryptInit_ex2");
    int length = 0;
    checkOpenSsl(EVP_DecryptUpdate(context.get(), nullptr, &length, aad.data(),
                                   static_cast<int>(aad.size())),
                 "AES-256-GCM: AAD");
    Bytes plaintext(ciphertext.size());
    length = 0;
    if (!ciphertext.empty()) {
        checkOpenSsl(EVP_DecryptUpdate(context.get(), plaintext.data(), &length, ciphertext.data(),
                                       static_cast<int>(ciphertext.size())),
                     "AES-256-GCM: decrypt");
    }
    Bytes expectedTag(tag.begin(), tag.end());
    checkOpenSsl(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG,
                                     static_cast<int>(expectedTag.size()), expectedTag.data()),
                 "AES-256-GCM: set tag");
    int finalLength = 0;
    if (EVP_DecryptFinal_ex(context.get(), plaintext.data() + length, &finalLength) <= 0) {
        ERR_clear_error();
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return std::nullopt;
    }
    return plaintext;
}

}  // namespace taplink::crypto
