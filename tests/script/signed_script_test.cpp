// Signed script envelopes: the signature is checked over the exact bytes, with a trusted
// key named by keyId, before anything of the script is parsed. Keys are made in the test;
// one test makes and uses one with the openssl command line, as an operator would, to pin
// the keyId and signature format of the shared contract.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>

#include "child_process.hpp"
#include "script/signed_script.hpp"
#include "script_test_support.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::scriptErrorOf;

class SignedScriptTest : public ::testing::Test {
  protected:
    ErrorCode refusal(const json& candidate, const Limits& limits = {}) const {
        return scriptErrorOf([&] { verifySignedScript(candidate, trusted, limits); }).code();
    }

    // The envelope with its script replaced by these bytes and the signature left alone.
    json withScriptBytes(const Bytes& bytes) const {
        json changed = envelope;
        changed["script"] = base64Encode(bytes);
        return changed;
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    std::vector<TrustedKey> trusted{testing::trustedKeyOf(key.get())};
    std::string text = testing::readRechargeScript("city-epurse-load.json");
    json envelope = testing::makeEnvelope(text, key.get());
};

TEST_F(SignedScriptTest, TheRealScriptVerifiesAndParses) {
    const Script script = verifySignedScript(envelope, trusted);
    EXPECT_EQ(script.id, "city-epurse-load");
    EXPECT_EQ(script.scheme, "city-epurse");
    EXPECT_EQ(script.version, 3U);
    EXPECT_EQ(script.keyId, trusted[0].keyId());
    EXPECT_EQ(script.inputs.size(), 5U);
    EXPECT_EQ(script.outputs.size(), 10U);
    EXPECT_EQ(script.limits.maxApdus, 12U) << "the script's own, lower limit";
}

TEST_F(SignedScriptTest, AnyChangeToTheScriptBytesBreaksTheSignature) {
    const Bytes original(text.begin(), text.end());
    for (const std::size_t position : {std::size_t{0}, original.size() / 2, original.size() - 2}) {
        Bytes changed = original;
        changed[position] ^= 0x01U;
        EXPECT_EQ(refusal(withScriptBytes(changed)), ErrorCode::SignatureInvalid) << position;
    }
    Bytes longer = original;
    longer.push_back(' ');  // still the same JSON, not the same bytes
    EXPECT_EQ(refusal(withScriptBytes(longer)), ErrorCode::SignatureInvalid);
}

TEST_F(SignedScriptTest, ATamperedOrForeignSignatureIsRefused) {
    Bytes signature = *base64Decode(envelope["signature"].get<std::string>());
    signature[signature.size() - 3] ^= 0x40U;
    json tampered = envelope;
    tampered["signature"] = base64Encode(signature);
    EXPECT_EQ(refusal(tampered), ErrorCode::SignatureInvalid);

    json random = envelope;
    random["signature"] = base64Encode(crypto::randomBytes(64));  // not even DER
    EXPECT_EQ(refusal(random), ErrorCode::SignatureInvalid);

    // Another key's signature under the trusted key's id.
    const auto other = testing::makeSigningKey();
    json foreign = envelope;
    foreign["signature"] =
        base64Encode(testing::signBytes(other.get(), Bytes(text.begin(), text.end())));
    EXPECT_EQ(refusal(foreign), ErrorCode::SignatureInvalid);
}

TEST_F(SignedScriptTest, AKeyIdThatNamesNoTrustedKeyIsRefused) {
    const auto other = testing::makeSigningKey();
    EXPECT_EQ(refusal(testing::makeEnvelope(text, other.get())), ErrorCode::UnknownKey);
    EXPECT_EQ(scriptErrorOf([&] { verifySignedScript(envelope, {}); }).code(),
              ErrorCode::UnknownKey);
    json upper = envelope;
    std::string keyId = envelope["keyId"];
    for (char& c : keyId) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    upper["keyId"] = keyId;
    EXPECT_EQ(refusal(upper), ErrorCode::Malformed) << "keyId is lower-case hex";
}

TEST_F(SignedScriptTest, TheSignatureIsCheckedBeforeTheScriptIsParsed) {
    const std::string garbage = "{ this is not a script";
    // Signed by a key that is not trusted but named as the trusted one: refused as a
    // signature, never as malformed JSON.
    json forged = testing::makeEnvelope(garbage, testing::makeSigningKey().get());
    forged["keyId"] = trusted[0].keyId();
    EXPECT_EQ(refusal(forged), ErrorCode::SignatureInvalid);
    // Properly signed garbage is malformed.
    EXPECT_EQ(refusal(testing::makeEnvelope(garbage, key.get())), ErrorCode::Malformed);
}

TEST_F(SignedScriptTest, TheEnvelopeIsStrict) {
    json otherId = envelope;
    otherId["id"] = "city-epurse-refund";
    EXPECT_EQ(refusal(otherId), ErrorCode::Malformed) << "envelope and script disagree";
    json otherVersion = envelope;
    otherVersion["version"] = 4;
    EXPECT_EQ(refusal(otherVersion), ErrorCode::Malformed);
    json extra = envelope;
    extra["comment"] = "hi";
    EXPECT_EQ(refusal(extra), ErrorCode::Malformed);
    json missing = envelope;
    missing.erase("signature");
    EXPECT_EQ(refusal(missing), ErrorCode::Malformed);
    json notBase64 = envelope;
    notBase64["script"] = "!!!!";
    EXPECT_EQ(refusal(notBase64), ErrorCode::Malformed);
    EXPECT_EQ(refusal(json::array()), ErrorCode::Malformed);
}

TEST_F(SignedScriptTest, AScriptOverTheSizeLimitIsRefusedBeforeItsSignatureIsChecked) {
    Limits small;
    small.maxScriptBytes = 256;
    EXPECT_EQ(refusal(envelope, small), ErrorCode::LimitExceeded);
    json unsigned_ = envelope;
    unsigned_["signature"] = base64Encode(crypto::randomBytes(70));
    EXPECT_EQ(refusal(unsigned_, small), ErrorCode::LimitExceeded);
}

TEST_F(SignedScriptTest, DuplicateKeysInTheSignedScriptAreRefused) {
    // Two readers could each see "their" scheme: refused even though the signature is good.
    const std::string duplicated =
        R"({"format":"taplink-script/1","kind":"command","id":"a","id":"b","scheme":"s",)"
        R"("version":1,"validFrom":"2026-01-01T00:00:00Z","validUntil":"2030-12-31T23:59:59Z",)"
        R"("inputs":[],"outputs":[],"steps":[{"type":"progress","stage":"writing"}]})";
    const ScriptError error = scriptErrorOf(
        [&] { verifySignedScript(testing::makeEnvelope(duplicated, key.get()), trusted); });
    EXPECT_EQ(error.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(error.what()).find("duplicate key"), std::string::npos);
}

TEST(TrustedKeyTest, FromPemAndFromDerAgreeAndOnlyP256IsTrusted) {
    const auto key = testing::makeSigningKey();
    const crypto::BioPtr bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    const std::string pem(data, static_cast<std::size_t>(length));
    EXPECT_EQ(TrustedKey::fromPem(pem).keyId(), testing::trustedKeyOf(key.get()).keyId());
    EXPECT_EQ(TrustedKey::fromPem(pem).keyId(), keyIdOf(key.get()));

    const auto p384 = crypto::generateKey("EC", "secp384r1");
    const auto refusedAs = [](const std::function<void()>& make) {
        return scriptErrorOf(make).code();
    };
    EXPECT_EQ(refusedAs([&] { testing::trustedKeyOf(p384.get()); }), ErrorCode::KeyInvalid);
    EXPECT_EQ(refusedAs([] { TrustedKey::fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n"); }),
              ErrorCode::KeyInvalid);
    EXPECT_EQ(refusedAs([] { TrustedKey::fromPemFile("/nonexistent/script-signing.pub.pem"); }),
              ErrorCode::KeyInvalid);
    Bytes der = fromHex("00");
    EXPECT_EQ(refusedAs([&] { TrustedKey::fromSpkiDer(der); }), ErrorCode::KeyInvalid);
}

// A script-signing key made and used with the openssl command line, the way
// certs/make-pki.sh makes script-signing.{key,pub.pem} and an operator or the server signs:
// pins the keyId and signature format of the shared contract independently of this code.
TEST(ScriptSigningInterop, TheOpensslCommandLineProducesAVerifiableEnvelope) {
    const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                      ("script-signing-" + toHex(crypto::randomBytes(4)));
    std::filesystem::create_directories(dir);
    const std::string script = std::string(TAPLINK_RECHARGE_SCRIPTS_DIR) + "/city-epurse-load.json";
    const std::string commands =
        "set -e; cd '" + dir.string() +
        "'; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "
        "script-signing.key 2>/dev/null; openssl pkey -in script-signing.key -pubout -out "
        "script-signing.pub.pem; openssl dgst -sha256 -sign script-signing.key -out script.sig '" +
        script +
        "'; openssl pkey -pubin -in script-signing.pub.pem -outform DER | openssl dgst -sha256 "
        "-r | cut -d' ' -f1 > key-id";
    const auto made = testsupport::run({"/bin/bash", "-c", commands});
    ASSERT_EQ(made.exitCode, 0) << made.err;

    const auto readFile = [&dir](const char* name) {
        std::ifstream file(dir / name, std::ios::binary);
        return std::string{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    };
    const std::string text = testing::readRechargeScript("city-epurse-load.json");
    const std::string signature = readFile("script.sig");
    std::string keyId = readFile("key-id");
    keyId.erase(keyId.find_last_not_of('\n') + 1);
    const json envelope = {{"scheme", "city-epurse"},
                           {"id", "city-epurse-load"},
                           {"version", json::parse(text).at("version")},
                           {"script", base64Encode(Bytes(text.begin(), text.end()))},
                           {"signature", base64Encode(Bytes(signature.begin(), signature.end()))},
                           {"keyId", keyId}};
    const TrustedKey trusted = TrustedKey::fromPemFile(dir / "script-signing.pub.pem");
    EXPECT_EQ(trusted.keyId(), keyId);
    EXPECT_EQ(verifySignedScript(envelope, {trusted}).id, "city-epurse-load");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace taplink::script
