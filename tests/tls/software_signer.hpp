// A DigestSigner over a software P-256 key, for tests: the "pure interface" double that the
// chip-backed signer replaces in the daemon. It counts its signatures and can be told to fail.
#pragma once

#include <openssl/evp.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signer_key.hpp"
#include "test_certificates.hpp"

namespace taplink::testing {

class SoftwareSigner : public crypto::DigestSigner {
  public:
    SoftwareSigner() : key_(newP256Key()) {}

    Bytes signDigest(ByteView digest) override {
        ++signatures_;
        if (!failure_.empty()) {
            throw std::runtime_error(failure_);
        }
        const crypto::PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
        crypto::checkOpenSsl(context != nullptr, "test signer: EVP_PKEY_CTX_new_from_pkey");
        crypto::checkOpenSsl(EVP_PKEY_sign_init(context.get()), "test signer: sign init");
        std::size_t size = 0;
        crypto::checkOpenSsl(
            EVP_PKEY_sign(context.get(), nullptr, &size, digest.data(), digest.size()),
            "test signer: size");
        Bytes signature(size);
        crypto::checkOpenSsl(
            EVP_PKEY_sign(context.get(), signature.data(), &size, digest.data(), digest.size()),
            "test signer: sign");
        signature.resize(size);
        return signature;
    }

    EVP_PKEY* key() const { return key_.get(); }
    Bytes publicKeyInfo() const { return spkiDer(key_.get()); }
    int signatures() const { return signatures_; }
    // From now on every signDigest throws std::runtime_error(message).
    void failWith(std::string message) { failure_ = std::move(message); }
    // From now on signatures are made by another key (a chip whose key was replaced).
    void switchKey() { key_ = newP256Key(); }

  private:
    crypto::PkeyPtr key_;
    int signatures_ = 0;
    std::string failure_;
};

}  // namespace taplink::testing
