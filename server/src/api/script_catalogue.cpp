#include "api/script_catalogue.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "taplink/base/strict_json.hpp"
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

net::wire::ScriptEnvelope envelopeOf(const nlohmann::json& json, const std::string& text) {
    JsonObjectReader<DescribedAs<NotACommandScript>> script(json, "script");
    if (const auto* kind = script.optional("kind"); kind != nullptr && *kind != "command") {
        script.failMember("kind", "must be \"command\"");
    }
    net::wire::ScriptEnvelope envelope;
    envelope.scheme = script.string("scheme");
    envelope.id = script.string("id");
    envelope.version = static_cast<std::uint32_t>(script.integer("version", 0, 0xFFFFFFFFU));
    envelope.script.assign(text.begin(), text.end());
    return envelope;
}

// The catalogue entry a file describes, or nullopt when it is not a command script.
std::optional<net::wire::ScriptEnvelope> describe(const std::string& text) {
    try {
        return envelopeOf(nlohmann::json::parse(text, nullptr, false), text);
    } catch (const NotACommandScript&) {
        return std::nullopt;
    }
}

}  // namespace

crypto::PkeyPtr loadScriptSigningKey(const std::string& path) {
    const crypto::BioPtr file(BIO_new_file(path.c_str(), "r"));
    if (!file) {
        ERR_clear_error();
        throw ScriptSigningError("cannot read the script-signing key " + path);
    }
    crypto::PkeyPtr key(PEM_read_bio_PrivateKey(file.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!key || !crypto::isP256(key.get())) {
        throw ScriptSigningError("the script-signing key " + path +
                                 " is not a PEM P-256 private key");
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

Bytes signSha256(EVP_PKEY* key, ByteView data) {
    const crypto::MdCtxPtr context(EVP_MD_CTX_new());
    if (!context) {
        crypto::throwOpenSslError("script signature: EVP_MD_CTX_new");
    }
    crypto::checkOpenSsl(
        EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr),
        "script signature: EVP_DigestSignInit_ex");
    std::size_t length = 0;
    crypto::checkOpenSsl(EVP_DigestSign(context.get(), nullptr, &length, data.data(), data.size()),
                         "script signature: EVP_DigestSign (size)");
    Bytes signature(length);
    crypto::checkOpenSsl(
        EVP_DigestSign(context.get(), signature.data(), &length, data.data(), data.size()),
        "script signature: EVP_DigestSign");
    signature.resize(length);
    return signature;
}

ScriptCatalogue::ScriptCatalogue(std::string folder, crypto::PkeyPtr signingKey)
    : folder_(std::move(folder)),
      signingKey_(std::move(signingKey)),
      keyId_(keyIdOf(signingKey_.get())) {}

std::optional<net::wire::ScriptEnvelope> ScriptCatalogue::newest(std::string_view scheme) const {
    std::optional<net::wire::ScriptEnvelope> best;
    std::filesystem::path bestPath;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder_, error)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") {
            continue;
        }
        const auto text = readFile(entry.path());
        auto candidate = text ? describe(*text) : std::nullopt;
        if (!candidate || candidate->scheme != scheme) {
            continue;
        }
        // The highest version; between two files of one version, the later name, so that
        // the answer does not depend on the order the folder lists them in.
        if (!best || candidate->version > best->version ||
            (candidate->version == best->version && entry.path() > bestPath)) {
            best = std::move(candidate);
            bestPath = entry.path();
        }
    }
    if (best) {
        best->signature = signSha256(signingKey_.get(), best->script);
        best->keyId = keyId_;
    }
    return best;
}

}  // namespace taplink::server
