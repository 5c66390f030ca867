#include "script/signed_script.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>

#include "script/json_reader.hpp"
#include "script/script_parser.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::script {

namespace {

constexpr std::string_view kWhere = "envelope";
constexpr std::size_t kKeyIdSize = 32;         // SHA-256
constexpr std::size_t kMaxSignatureSize = 72;  // DER ECDSA-Sig-Value for P-256

std::shared_ptr<EVP_PKEY> shared(crypto::PkeyPtr key) {
    return {key.release(), [](EVP_PKEY* pointer) { EVP_PKEY_free(pointer); }};
}

[[noreturn]] void keyInvalid(const std::string& message) {
    ERR_clear_error();
    throw ScriptError(ErrorCode::KeyInvalid, "trusted key", message);
}

std::string lowerHex(ByteView bytes) {
    std::string hex = toHex(bytes);
    std::transform(hex.begin(), hex.end(), hex.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return hex;
}

const TrustedKey& findKey(ObjectReader& reader, const std::vector<TrustedKey>& keys) {
    const std::string keyId = reader.string("keyId");
    const auto digest = strictHex(keyId);
    if (!digest || digest->size() != kKeyIdSize || lowerHex(*digest) != keyId) {
        reader.fail("keyId must be 64 lower-case hex digits");
    }
    const auto found = std::find_if(
        keys.begin(), keys.end(), [&keyId](const TrustedKey& key) { return key.keyId() == keyId; });
    if (found == keys.end()) {
        throw ScriptError(ErrorCode::UnknownKey, std::string(kWhere),
                          "no trusted script-signing key has keyId " + keyId);
    }
    return *found;
}

Bytes decodeField(ObjectReader& reader, std::string_view key, std::size_t maxBytes,
                  ErrorCode tooLong) {
    const std::string text = reader.string(key);
    if (text.size() > 4 * ((maxBytes + 2) / 3)) {
        throw ScriptError(
            tooLong, std::string(kWhere),
            std::string(key) + " is longer than " + std::to_string(maxBytes) + " bytes");
    }
    auto bytes = base64Decode(text);
    if (!bytes || bytes->empty()) {
        reader.fail("field \"" + std::string(key) + "\" is not base64");
    }
    if (bytes->size() > maxBytes) {
        throw ScriptError(
            tooLong, std::string(kWhere),
            std::string(key) + " is longer than " + std::to_string(maxBytes) + " bytes");
    }
    return std::move(*bytes);
}

void checkEnvelopeMatches(ObjectReader& reader, const Script& script) {
    const std::string scheme = reader.string("scheme");
    const std::string id = reader.string("id");
    const std::uint64_t version =
        reader.integer("version", 1, std::numeric_limits<std::uint32_t>::max());
    if (scheme != script.scheme || id != script.id || version != script.version) {
        reader.fail("the envelope names " + scheme + "/" + id + " v" + std::to_string(version) +
                    ", the signed script is " + script.scheme + "/" + script.id + " v" +
                    std::to_string(script.version));
    }
    reader.finish();
}

}  // namespace

TrustedKey::TrustedKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {
    if (!key_ || !crypto::isP256(key_.get())) {
        keyInvalid("not an ECDSA P-256 public key");
    }
    keyId_ = keyIdOf(key_.get());
}

TrustedKey TrustedKey::fromPem(std::string_view pem) {
    if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        keyInvalid("PEM too large");
    }
    const crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        keyInvalid("BIO_new_mem_buf failed");
    }
    crypto::PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        keyInvalid("not a PEM public key");
    }
    return TrustedKey(shared(std::move(key)));
}

TrustedKey TrustedKey::fromPemFile(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        keyInvalid("cannot read " + path.string());
    }
    const std::string pem{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    return fromPem(pem);
}

TrustedKey TrustedKey::fromSpkiDer(ByteView der) {
    const unsigned char* cursor = der.data();
    crypto::PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
    if (!key || cursor != der.data() + der.size()) {
        keyInvalid("not a DER SubjectPublicKeyInfo");
    }
    return TrustedKey(shared(std::move(key)));
}

std::string keyIdOf(EVP_PKEY* key) {
    const int length = i2d_PUBKEY(key, nullptr);
    crypto::checkOpenSsl(length, "script key id: i2d_PUBKEY");
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_PUBKEY(key, &cursor), "script key id: i2d_PUBKEY");
    return lowerHex(crypto::sha256(der));
}

Script verifySignedScript(const nlohmann::json& envelope, const std::vector<TrustedKey>& keys,
                          const Limits& limits) {
    ObjectReader reader(envelope, std::string(kWhere), ErrorCode::Malformed);
    const TrustedKey& key = findKey(reader, keys);
    const Bytes text =
        decodeField(reader, "script", limits.maxScriptBytes, ErrorCode::LimitExceeded);
    const Bytes signature =
        decodeField(reader, "signature", kMaxSignatureSize, ErrorCode::SignatureInvalid);
    if (!crypto::verifySha256Signature(key.key(), text, signature)) {
        throw ScriptError(ErrorCode::SignatureInvalid, std::string(kWhere),
                          "the signature does not verify with key " + key.keyId());
    }
    Script script = parseScript(text, limits);
    checkEnvelopeMatches(reader, script);
    script.keyId = key.keyId();
    return script;
}

}  // namespace taplink::script
