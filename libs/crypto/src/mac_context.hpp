// The one way this library makes an OpenSSL 3 EVP_MAC context (CMAC, HMAC).
#pragma once

#include <openssl/evp.h>

#include <string>

#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto::detail {

using MacPtr = OpenSslPtr<EVP_MAC, &EVP_MAC_free>;
using MacCtxPtr = OpenSslPtr<EVP_MAC_CTX, &EVP_MAC_CTX_free>;

// algorithm: OpenSSL's name ("CMAC", "HMAC"); what: the caller's context for errors.
inline MacCtxPtr newMacContext(const char* algorithm, const std::string& what) {
    const MacPtr mac(EVP_MAC_fetch(nullptr, algorithm, nullptr));
    checkOpenSsl(mac != nullptr ? 1 : 0, what + ": EVP_MAC_fetch(" + algorithm + ")");
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));  // holds its own reference to mac
    checkOpenSsl(ctx != nullptr ? 1 : 0, what + ": EVP_MAC_CTX_new");
    return ctx;
}

}  // namespace taplink::crypto::detail
