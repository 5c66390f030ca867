#include "taplink/protocol/issuer_keys.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "taplink/base/strict_json.hpp"

namespace taplink::sim {

namespace {

using crypto::epurse::Suite;
using nlohmann::json;

constexpr std::size_t kMasterKeySize = 16;
constexpr std::size_t kIssuerIdSize = 8;

constexpr std::array<std::pair<Suite, std::string_view>, 2> kSuiteNames{{
    {Suite::TripleDes, "3des"},
    {Suite::Sm4, "sm4"},
}};

// The issuer-key file is read strictly: a member nobody reads is refused too.
using Reader = JsonObjectReader<DescribedAs<IssuerKeysError>>;

Bytes hexOfSize(Reader& in, const char* name, std::size_t size) {
    Bytes bytes;
    try {
        bytes = fromHex(in.string(name));
    } catch (const std::invalid_argument& error) {
        in.failMember(name, std::string(": ") + error.what());
    }
    if (bytes.size() != size) {
        in.failMember(name, "must be " + std::to_string(size) + " bytes");
    }
    return bytes;
}

std::uint8_t byteNumber(Reader& in, const char* name) {
    return static_cast<std::uint8_t>(in.integer(name, 0, 0xFF));
}

IssuerMasterKeys masterKeys(Reader suite) {
    IssuerMasterKeys keys{hexOfSize(suite, "load", kMasterKeySize),
                          hexOfSize(suite, "purchase", kMasterKeySize),
                          hexOfSize(suite, "tac", kMasterKeySize)};
    suite.finish();
    return keys;
}

void readSuites(Reader& entry, Issuer& issuer) {
    Reader suites = entry.object("suites");
    if (entry.required("suites").empty()) {
        entry.failMember("suites", "must name at least one suite");
    }
    for (const auto& item : entry.required("suites").items()) {
        const auto suite = suiteFromName(item.key());
        if (!suite) {
            suites.failMember(item.key(), "is an unknown suite (3des, sm4)");
        }
        issuer.suites.emplace(*suite, masterKeys(suites.object(item.key())));
    }
    suites.finish();
}

Issuer issuerFrom(Reader entry) {
    Issuer issuer;
    issuer.name = entry.string("name");
    issuer.scheme = entry.string("scheme");
    issuer.issuerId = hexOfSize(entry, "issuerId", kIssuerIdSize);
    issuer.keyIndex = byteNumber(entry, "keyIndex");
    issuer.keyVersion = byteNumber(entry, "keyVersion");
    readSuites(entry, issuer);
    entry.finish();
    return issuer;
}

}  // namespace

const IssuerMasterKeys* Issuer::keysFor(Suite suite) const {
    const auto found = suites.find(suite);
    return found != suites.end() ? &found->second : nullptr;
}

const Issuer* IssuerKeySet::find(ByteView issuerId) const {
    const auto found = std::find_if(issuers.begin(), issuers.end(), [&](const Issuer& issuer) {
        return std::equal(issuer.issuerId.begin(), issuer.issuerId.end(), issuerId.begin(),
                          issuerId.end());
    });
    return found != issuers.end() ? &*found : nullptr;
}

const Issuer* IssuerKeySet::firstOfScheme(std::string_view scheme) const {
    const auto found = std::find_if(issuers.begin(), issuers.end(),
                                    [&](const Issuer& issuer) { return issuer.scheme == scheme; });
    return found != issuers.end() ? &*found : nullptr;
}

std::string_view suiteName(Suite suite) {
    for (const auto& [value, name] : kSuiteNames) {
        if (value == suite) {
            return name;
        }
    }
    return "unknown";
}

std::optional<Suite> suiteFromName(std::string_view name) {
    for (const auto& [value, known] : kSuiteNames) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}

IssuerKeySet parseIssuerKeys(std::string_view jsonText) {
    const json document = json::parse(jsonText, nullptr, false);
    if (document.is_discarded()) {
        throw IssuerKeysError("issuer keys: not JSON");
    }
    Reader in(document, "issuer keys");
    if (in.string("format") != kIssuerKeysFormat) {
        in.failMember("format", "must be \"" + std::string(kIssuerKeysFormat) + "\"");
    }
    const json& list = in.required("issuers");
    if (!list.is_array() || list.empty()) {
        in.failMember("issuers", "must be a non-empty array");
    }
    in.finish();
    IssuerKeySet set;
    for (std::size_t i = 0; i < list.size(); ++i) {
        Issuer issuer = issuerFrom(Reader(list[i], "issuers[" + std::to_string(i) + "]"));
        if (set.find(issuer.issuerId) != nullptr) {
            throw IssuerKeysError("issuer keys: issuer " + toHex(issuer.issuerId) +
                                  " is listed twice");
        }
        set.issuers.push_back(std::move(issuer));
    }
    return set;
}

IssuerKeySet loadIssuerKeys(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw IssuerKeysError("cannot read issuer keys " + path);
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    try {
        return parseIssuerKeys(contents.str());
    } catch (const IssuerKeysError& error) {
        throw IssuerKeysError(path + ": " + error.what());
    }
}

}  // namespace taplink::sim
