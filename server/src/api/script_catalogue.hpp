// The recharge scripts the server hands out (GET /v1/scripts/{scheme}): the files *.json in
// the scripts folder, read afresh on every request, each naming its "scheme", "id",
// "version", "validFrom" and "validUntil" at the top level. The newest version of a scheme's
// command script whose validity period covers now (taplinkd refuses any other, docs/scripts.md
// "Rollback and validity") is signed, exact bytes as they are on disk, with the
// script-signing key (ECDSA P-256, SHA-256).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

// A signing key (the script-signing or the allowance key) cannot be used.
class SigningKeyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// SigningKeyError unless the PEM file holds a P-256 private key; `purpose` names the key
// in the message ("script-signing", "allowance").
crypto::PkeyPtr loadSigningKey(const std::string& path, std::string_view purpose);

// Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo (the envelope's keyId).
std::string keyIdOf(EVP_PKEY* key);

// What the catalogue has for a scheme.
struct ScriptChoice {
    // The signed envelope of the newest command script valid now; nullopt when none is.
    std::optional<net::wire::ScriptEnvelope> script;
    // How many of the scheme's command scripts were passed over as expired or not yet valid.
    std::size_t outsideValidity = 0;
};

class ScriptCatalogue {
  public:
    // Unix seconds, UTC.
    using Clock = std::function<std::int64_t()>;

    // now: the system clock unless given.
    ScriptCatalogue(std::string folder, crypto::PkeyPtr signingKey, Clock now = {});

    // The newest command script of the scheme whose validFrom..validUntil (both included)
    // holds now. Files that are not JSON objects with a string "scheme" and "id", an integer
    // "version" and UTC "validFrom" before "validUntil" (YYYY-MM-DDThh:mm:ssZ), or whose
    // "kind" is given and is not "command", are passed over. One outside its period is
    // passed over with a warning in the log, once per file and period.
    ScriptChoice newest(std::string_view scheme) const;

  private:
    // Logs the file as outside its period unless it was already, for the same period.
    void warnOutsideValidity(const std::string& path, const std::string& why) const;

    std::string folder_;
    crypto::PkeyPtr signingKey_;
    std::string keyId_;
    Clock now_;
    mutable std::mutex warnedMutex_;
    mutable std::set<std::string, std::less<>> warned_;  // path and why, as logged
};

}  // namespace taplink::server
