// Recharge scripts signed in the test: the real scripts/recharge files, a script-signing key
// made for the test, and the envelope the server answers GET /v1/scripts/{scheme} with.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "script/signed_script.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::testing {

// The real recharge script's bytes (scripts/recharge/<name>).
std::string readRechargeScript(std::string_view name);

// A fresh ECDSA P-256 script-signing key, and the daemon's view of its public half.
crypto::PkeyPtr makeSigningKey();
script::TrustedKey trustedKeyOf(EVP_PKEY* key);
// DER ECDSA signature over SHA-256 of bytes.
Bytes signBytes(EVP_PKEY* key, ByteView bytes);

// The envelope (docs/scripts.md) of these exact bytes, signed by `key`. scheme, id and
// version are read from the text when it is JSON that has them, else placeholders.
nlohmann::json makeEnvelope(std::string_view scriptText, EVP_PKEY* key);

}  // namespace taplink::testing
