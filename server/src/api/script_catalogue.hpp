// The recharge scripts the server hands out (GET /v1/scripts/{scheme}): the files *.json in
// the scripts folder, read afresh on every request, each naming its "scheme", "id" and
// "version" at the top level. The newest version of a scheme's command script is signed,
// exact bytes as they are on disk, with the script-signing key (ECDSA P-256, SHA-256).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

// The signing key cannot be used.
class ScriptSigningError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// ScriptSigningError unless the PEM file holds a P-256 private key.
crypto::PkeyPtr loadScriptSigningKey(const std::string& path);

// Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo (the envelope's keyId).
std::string keyIdOf(EVP_PKEY* key);

// DER ECDSA-Sig-Value over SHA-256 of data. crypto::CryptoError when OpenSSL fails.
Bytes signSha256(EVP_PKEY* key, ByteView data);

class ScriptCatalogue {
  public:
    ScriptCatalogue(std::string folder, crypto::PkeyPtr signingKey);

    // The signed envelope of the newest command script of the scheme; nullopt when the
    // folder has none. Files that are not JSON objects with a string "scheme" and "id" and
    // an integer "version", or whose "kind" is given and is not "command", are passed over.
    std::optional<net::wire::ScriptEnvelope> newest(std::string_view scheme) const;

  private:
    std::string folder_;
    crypto::PkeyPtr signingKey_;
    std::string keyId_;
};

}  // namespace taplink::server
