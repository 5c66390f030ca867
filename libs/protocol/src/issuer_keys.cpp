#include "taplink/protocol/issuer_keys.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

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

const json& member(const json& object, const char* name, const std::string& where) {
    if (!object.is_object() || !object.contains(name)) {
        throw IssuerKeysError(where + " lacks \"" + name + "\"");
    }
    return object.at(name);
}

std::string text(const json& object, const char* name, const std::string& where) {
    const json& value = member(object, name, where);
    if (!value.is_string()) {
        throw IssuerKeysError(where + "." + name + " must be a string");
    }
    return value.get<std::string>();
}

Bytes hexOfSize(const json& object, const char* name, std::size_t size, const std::string& where) {
    const std::string digits = text(object, name, where);
    Bytes bytes;
    try {
        bytes = fromHex(digits);
    } catch (const std::invalid_argument& error) {
        throw IssuerKeysError(where + "." + name + ": " + error.what());
    }
    if (bytes.size() != size) {
        throw IssuerKeysError(where + "." + name + " must be " + std::to_string(size) + " bytes");
    }
    return bytes;
}

std::uint8_t byteNumber(const json& object, const char* name, const std::string& where) {
    const json& value = member(object, name, where);
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > 0xFF) {
        throw IssuerKeysError(where + "." + name + " must be an integer from 0 to 255");
    }
    return static_cast<std::uint8_t>(value.get<std::int64_t>());
}

IssuerMasterKeys masterKeys(const json& suite, const std::string& where) {
    return {hexOfSize(suite, "load", kMasterKeySize, where),
            hexOfSize(suite, "purchase", kMasterKeySize, where),
            hexOfSize(suite, "tac", kMasterKeySize, where)};
}

Issuer issuerFrom(const json& entry, const std::string& where) {
    Issuer issuer;
    issuer.name = text(entry, "name", where);
    issuer.scheme = text(entry, "scheme", where);
    issuer.issuerId = hexOfSize(entry, "issuerId", kIssuerIdSize, where);
    issuer.keyIndex = byteNumber(entry, "keyIndex", where);
    issuer.keyVersion = byteNumber(entry, "keyVersion", where);
    const json& suites = member(entry, "suites", where);
    if (!suites.is_object() || suites.empty()) {
        throw IssuerKeysError(where + ".suites must name at least one suite");
    }
    for (const auto& item : suites.items()) {
        const auto suite = suiteFromName(item.key());
        if (!suite) {
            throw IssuerKeysError(where + ".suites: unknown suite \"" + item.key() +
                                  "\" (3des, sm4)");
        }
        issuer.suites.emplace(*suite, masterKeys(item.value(), where + ".suites." + item.key()));
    }
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
    if (text(document, "format", "issuer keys") != kIssuerKeysFormat) {
        throw IssuerKeysError("issuer keys: format must be \"" + std::string(kIssuerKeysFormat) +
                              "\"");
    }
    const json& list = member(document, "issuers", "issuer keys");
    if (!list.is_array() || list.empty()) {
        throw IssuerKeysError("issuer keys: \"issuers\" must be a non-empty array");
    }
    IssuerKeySet set;
    for (std::size_t i = 0; i < list.size(); ++i) {
        Issuer issuer = issuerFrom(list[i], "issuers[" + std::to_string(i) + "]");
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
