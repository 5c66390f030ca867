#include "api/script_catalogue.hpp"

#include "taplink/crypto/signatures.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "taplink/base/log.hpp"
#include "taplink/base/strict_json.hpp"
#include "taplink/base/utc_timestamp.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/ec_keys.hpp"

namespace taplink::server {

namespace {

struct OpenSslMemoryFree {
    void operator()(unsigned char* memory) const noexcept { OPENSSL_free(memory); }
};

constexpr std::uintmax_t kMaxScriptBytes = std::uintmax_t{1024} * 1024;

std::optional<std::string> readFile(const std::filesystem::path& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error || size > kMaxScriptBytes) {
        return std::nullopt;
    }
    std::ifstream file(path, std::ios::binary);
    std::ostringstream contents;
    contents << file.rdbuf();
    if (!file) {
        return std::nullopt;
    }
    return contents.str();
}

// Why a file is left out of the catalogue: describe() only asks whether it is a command script.
class NotACommandScript : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using ScriptReader = JsonObjectReader<DescribedAs<NotACommandScript>>;

// A command script on disk and the period the issuer signed it for.
struct Described {
    net::wire::ScriptEnvelope envelope;
    std::int64_t validFrom = 0;
    std::int64_t validUntil = 0;
};

std::int64_t timestampOf(ScriptReader& script, std::string_view name) {
    const auto seconds = parseUtcTimestamp(script.string(name));
    if (!seconds) {
        script.failMember(name, "must be a UTC time YYYY-MM-DDThh:mm:ssZ");
    }
    return *seconds;
}

// The validity period as taplinkd reads it (docs/scripts.md, "Rollback and validity").
void readValidity(ScriptReader& script, Described& described) {
    described.validFrom = timestampOf(script, "validFrom");
    described.validUntil = timestampOf(script, "validUntil");
    if (described.validFrom >= described.validUntil) {
        script.fail("validFrom must be before validUntil");
    }
}

Described describedOf(const nlohmann::json& json, const std::string& text) {
    ScriptReader script(json, "script");
    if (const auto* kind = script.optional("kind"); kind != nullptr && *kind != "command") {
        script.failMember("kind", "must be \"command\"");
    }
    Described described;
    described.envelope.scheme = script.string("scheme");
    described.envelope.id = script.string("id");
    described.envelope.version =
        static_cast<std::uint32_t>(script.integer("version", 1, 0xFFFFFFFFU));
    readValidity(script, described);
    described.envelope.script.assign(text.begin(), text.end());
    return described;
}

// The catalogue entry a file describes, or nullopt when it is not a command script.
std::optional<Described> describe(const std::string& text) {
    try {
        return describedOf(nlohmann::json::parse(text, nullptr, false), text);
    } catch (const NotACommandScript&) {
        return std::nullopt;
    }
}

// Why the script may not run now ("expired at …"), or empty when it may (both ends included).
std::string outsideValidity(const Described& script, std::int64_t now) {
    if (now < script.validFrom) {
        return "not valid before " + formatUtcTimestamp(script.validFrom);
    }
    if (now > script.validUntil) {
        return "expired at " + formatUtcTimestamp(script.validUntil);
    }
    return {};
}

std::int64_t systemNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

crypto::PkeyPtr loadSigningKey(const std::string& path, std::string_view purpose) {
    const std::string what = "the " + std::string(purpose) + " key " + path;
    const crypto::BioPtr file(BIO_new_file(path.c_str(), "r"));
    if (!file) {
        ERR_clear_error();
        throw SigningKeyError("cannot read " + what);
    }
    crypto::PkeyPtr key(PEM_read_bio_PrivateKey(file.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!key || !crypto::isP256(key.get())) {
        throw SigningKeyError(what + " is not a PEM P-256 private key");
    }
    return key;
}

std::string keyIdOf(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    if (length <= 0) {
        crypto::throwOpenSslError("script-signing key: i2d_PUBKEY");
    }
    const std::unique_ptr<unsigned char, OpenSslMemoryFree> owned(der);
    std::string hex = toHex(crypto::sha256(ByteView(der, static_cast<std::size_t>(length))));
    for (char& c : hex) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return hex;
}

ScriptCatalogue::ScriptCatalogue(std::string folder, crypto::PkeyPtr signingKey, Clock now)
    : folder_(std::move(folder)),
      signingKey_(std::move(signingKey)),
      keyId_(keyIdOf(signingKey_.get())),
      now_(now ? std::move(now) : Clock(systemNow)) {}

ScriptChoice ScriptCatalogue::newest(std::string_view scheme) const {
    ScriptChoice choice;
    std::filesystem::path bestPath;
    const std::int64_t now = now_();
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder_, error)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") {
            continue;
        }
        const auto text = readFile(entry.path());
        auto candidate = text ? describe(*text) : std::nullopt;
        if (!candidate || candidate->envelope.scheme != scheme) {
            continue;
        }
        if (const std::string why = outsideValidity(*candidate, now); !why.empty()) {
            warnOutsideValidity(entry.path().string(), why);
            ++choice.outsideValidity;
            continue;
        }
        // The highest version; between two files of one version, the later name, so that
        // the answer does not depend on the order the folder lists them in.
        auto& best = choice.script;
        if (!best || candidate->envelope.version > best->version ||
            (candidate->envelope.version == best->version && entry.path() > bestPath)) {
            best = std::move(candidate->envelope);
            bestPath = entry.path();
        }
    }
    if (choice.script) {
        choice.script->signature =
            crypto::signSha256(signingKey_.get(), choice.script->script, "script signature");
        choice.script->keyId = keyId_;
    }
    return choice;
}

void ScriptCatalogue::warnOutsideValidity(const std::string& path, const std::string& why) const {
    std::string line = "script " + path + " is not served: " + why;
    {
        const std::lock_guard lock(warnedMutex_);
        if (!warned_.insert(line).second) {
            return;  // every request reads the folder; the log says it once
        }
    }
    log::warning(line);
}

}  // namespace taplink::server
