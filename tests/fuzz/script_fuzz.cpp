// taplinkd's recharge scripts (daemon/src/script, in taplink_script): the script parser and
// its checks, the signed envelope's verifier, and the data scripts the server sends. The
// input is tried as a script's bytes (and, when the parser takes them, signed with a key the
// daemon trusts so that the verifier's whole path runs), as an envelope and as a data script.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "script/data_script.hpp"
#include "script/script_error.hpp"
#include "script/script_parser.hpp"
#include "script/signed_script.hpp"
#include "signed_scripts.hpp"

namespace taplink::script {
namespace {

using fuzz::require;

// One signing key for the whole run: a fresh key per input would cost more than the parse.
EVP_PKEY* signingKey() {
    static const crypto::PkeyPtr key = testing::makeSigningKey();
    return key.get();
}

const std::vector<TrustedKey>& trustedKeys() {
    static const std::vector<TrustedKey> keys{testing::trustedKeyOf(signingKey())};
    return keys;
}

std::optional<Script> parsed(ByteView bytes) {
    try {
        return parseScript(bytes);
    } catch (const ScriptError&) {
        return std::nullopt;
    }
}

// A script the parser takes, signed by a trusted key in an envelope that names it, passes the
// verifier as the same script. Only then is it signed: signing every input would cost more
// than everything else.
void checkSignedScript(ByteView bytes, std::string_view text) {
    const auto plain = parsed(bytes);
    if (!plain) {
        return;
    }
    const Script verified =
        verifySignedScript(testing::makeEnvelope(text, signingKey()), trustedKeys());
    require(verified.id == plain->id && verified.scheme == plain->scheme &&
                verified.version == plain->version && verified.steps.size() == plain->steps.size(),
            "signed: the same script");
    require(verified.keyId == trustedKeys().front().keyId(), "signed: the key that signed it");
    require(plain->limits.maxApdus <= Limits{}.maxApdus, "limits: never raised");
}

// The input as the server's envelope: the verifier's checks before the signature (key id,
// sizes, base64). The fuzzer cannot sign, so every envelope is refused.
void checkEnvelope(const nlohmann::json& envelope) {
    try {
        verifySignedScript(envelope, trustedKeys());
        require(false, "envelope: no signature by the trusted key, yet verified");
    } catch (const ScriptError&) {
    }
}

void checkDataScript(const nlohmann::json& value) {
    for (const Target target : {Target::Chip, Target::Card}) {
        try {
            const DataScript script = parseDataScript(value, target, "city-epurse", "fuzz");
            require(!script.items.empty() && script.items.size() <= kMaxDataItems,
                    "data script: 1..16 items");
        } catch (const ScriptError&) {
        }
    }
}

void checkInput(ByteView bytes, std::string_view text) {
    checkSignedScript(bytes, text);
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (!json.is_discarded()) {
        checkEnvelope(json);
        checkDataScript(json);
    }
}

}  // namespace
}  // namespace taplink::script

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::script::checkInput(taplink::fuzz::bytesOf(data, size),
                                taplink::fuzz::textOf(data, size));
    return 0;
}
