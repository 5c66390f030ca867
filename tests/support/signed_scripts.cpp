#include "signed_scripts.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "taplink/base/base64.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::testing {

std::string readRechargeScript(std::string_view name) {
    const std::string path = std::string(TAPLINK_RECHARGE_SCRIPTS_DIR) + "/" + std::string(name);
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read " + path);
    }
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

crypto::PkeyPtr makeSigningKey() {
    return crypto::generateKey("EC", crypto::kP256Group);
}

script::TrustedKey trustedKeyOf(EVP_PKEY* key) {
    const int length = i2d_PUBKEY(key, nullptr);
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* cursor = der.data();
    i2d_PUBKEY(key, &cursor);
    return script::TrustedKey::fromSpkiDer(der);
}

Bytes signBytes(EVP_PKEY* key, ByteView bytes) {
    return crypto::signSha256(key, bytes, "test signature");
}

nlohmann::json makeEnvelope(std::string_view scriptText, EVP_PKEY* key) {
    const Bytes bytes(scriptText.begin(), scriptText.end());
    nlohmann::json envelope = {{"scheme", "city-epurse"}, {"id", "test"}, {"version", 1}};
    const auto parsed = nlohmann::json::parse(scriptText, nullptr, false);
    if (parsed.is_object()) {
        for (const char* name : {"scheme", "id", "version"}) {
            if (parsed.contains(name)) {
                envelope[name] = parsed[name];
            }
        }
    }
    envelope["script"] = base64Encode(bytes);
    envelope["signature"] = base64Encode(signBytes(key, bytes));
    envelope["keyId"] = script::keyIdOf(key);
    return envelope;
}

}  // namespace taplink::testing
