// An OpenSSL key whose private half lives somewhere else: the secure chip signs, OpenSSL does
// everything else (TLS 1.3 client authentication, CSRs, EVP_DigestSign). A built-in OpenSSL 3
// provider ("taplink-signer", loaded into the default library context next to the default
// provider) implements the EC key management and ECDSA signature operations for such keys
// and hands each SHA-256 digest to a DigestSigner. Only P-256 with SHA-256.
//
// What the key does:
//  - EVP_DigestSign* with SHA-256 (TLS 1.3 CertificateVerify, X509_REQ_sign_ctx) and
//    EVP_PKEY_sign over a 32-byte digest. Every signature is checked against the public key
//    before OpenSSL gets it, so a chip that answers with another key fails here, clearly.
//  - X509_check_private_key / EVP_PKEY_eq against a certificate (public key comparison),
//    SSL_CTX_use_PrivateKey, encoding of the public key (i2d_PUBKEY).
// What it refuses: exporting the private key (there is none here), other digests, data that
// is not a SHA-256 digest for EVP_PKEY_sign, verification (verify with the certificate).
//
// Errors: a DigestSigner that throws makes the OpenSSL operation fail; the error queue then
// holds a "taplink-signer" error whose data is the exception's message (ERR_get_error_all).
// No exception ever crosses the provider's callbacks.
#pragma once

#include <memory>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {

// Name of the built-in provider (the "provider" property of its algorithms).
inline constexpr std::string_view kSignerProviderName = "taplink-signer";

// Whatever holds a P-256 private key and signs with it without giving it out: the secure
// chip (chip::PivDigestSigner) or, in tests, a software key. Called from inside OpenSSL
// operations, on the thread that runs them; it may throw (see above).
class DigestSigner {
  public:
    virtual ~DigestSigner() = default;
    // DER ECDSA-Sig-Value over a SHA-256 digest (32 bytes) by the P-256 private key.
    virtual Bytes signDigest(ByteView digest) = 0;
};

// An EVP_PKEY ("EC", P-256) for the public key subjectPublicKeyInfoDer whose signatures are
// made by signer. Registers the provider on first use (once, thread-safe).
// std::invalid_argument for a null signer; CryptoError when the key is not a P-256
// SubjectPublicKeyInfo or OpenSSL fails.
PkeyPtr makeSignerKey(std::shared_ptr<DigestSigner> signer, ByteView subjectPublicKeyInfoDer);

// Registers and loads the provider (and the default provider) into the default library
// context; makeSignerKey calls it. CryptoError when OpenSSL refuses.
void loadSignerProvider();

}  // namespace taplink::crypto
