// Signed command scripts: the envelope the server sends, checked against the daemon's
// trusted script-signing keys before a single byte of the script is parsed.
//   {"scheme":..., "id":..., "version":N, "script":"<base64 of the exact file bytes>",
//    "signature":"<base64 DER ECDSA-Sig-Value, P-256, SHA-256 over those bytes>",
//    "keyId":"<lower-case hex SHA-256 of the signing key's DER SubjectPublicKeyInfo>"}
#pragma once

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "script/script.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

// A public key the daemon trusts to sign scripts: ECDSA P-256 only.
class TrustedKey {
  public:
    // PEM "PUBLIC KEY" (SubjectPublicKeyInfo), e.g. certs/make-pki.sh's script-signing.pub.pem.
    // ScriptError(key_invalid) for anything but one P-256 public key.
    static TrustedKey fromPem(std::string_view pem);
    // ScriptError(key_invalid) also when the file cannot be read.
    static TrustedKey fromPemFile(const std::filesystem::path& path);
    // DER SubjectPublicKeyInfo.
    static TrustedKey fromSpkiDer(ByteView der);

    // Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo: the envelope's keyId.
    const std::string& keyId() const { return keyId_; }
    EVP_PKEY* key() const { return key_.get(); }
    std::shared_ptr<EVP_PKEY> sharedKey() const { return key_; }

  private:
    explicit TrustedKey(std::shared_ptr<EVP_PKEY> key);

    std::shared_ptr<EVP_PKEY> key_;
    std::string keyId_;
};

// The keyId of a public key (see TrustedKey::keyId). crypto::CryptoError when OpenSSL fails.
std::string keyIdOf(EVP_PKEY* key);

// Checks, in this order, and only then parses:
//   keyId names one of keys (unknown_key), the script is at most limits.maxScriptBytes
//   (limit_exceeded), the signature verifies over the exact decoded script bytes
//   (signature_invalid). Then the envelope's other fields and the script itself
//   (parseScript), and that the envelope's scheme, id and version are the script's
//   (malformed). The returned Script carries the keyId.
Script verifySignedScript(const nlohmann::json& envelope, const std::vector<TrustedKey>& keys,
                          const Limits& limits = {});

}  // namespace taplink::script
