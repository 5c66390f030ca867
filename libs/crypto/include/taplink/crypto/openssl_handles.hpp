// RAII owners of OpenSSL handles, and the one way OpenSSL failures become CryptoError.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

// Frees an OpenSSL handle with its own free function (all of them accept nullptr).
template <auto Free>
struct OpenSslFree {
    template <class T>
    void operator()(T* handle) const noexcept {
        Free(handle);
    }
};

template <class T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<Free>>;

using BignumPtr = OpenSslPtr<BIGNUM, &BN_free>;
using BioPtr = OpenSslPtr<BIO, &BIO_free_all>;
using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, &EVP_CIPHER_CTX_free>;
using CipherPtr = OpenSslPtr<EVP_CIPHER, &EVP_CIPHER_free>;
using KdfCtxPtr = OpenSslPtr<EVP_KDF_CTX, &EVP_KDF_CTX_free>;
using KdfPtr = OpenSslPtr<EVP_KDF, &EVP_KDF_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, &EVP_MD_CTX_free>;
using Pkcs8Ptr = OpenSslPtr<PKCS8_PRIV_KEY_INFO, &PKCS8_PRIV_KEY_INFO_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, &EVP_PKEY_CTX_free>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, &EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, &X509_free>;

// Throws CryptoError "<what> failed: <OpenSSL's reasons, oldest first>" (just "<what> failed"
// when OpenSSL queued none). Empties this thread's OpenSSL error queue. Put the caller's
// context in what, e.g. "load SAM envelope: EVP_PKEY_derive".
[[noreturn]] void throwOpenSslError(std::string_view what);

// The usual OpenSSL convention: a result <= 0 is a failure (throwOpenSslError(what)). A
// condition works too: false is a failure.
inline void checkOpenSsl(int result, std::string_view what) {
    if (result <= 0) {
        throwOpenSslError(what);
    }
}

}  // namespace taplink::crypto
