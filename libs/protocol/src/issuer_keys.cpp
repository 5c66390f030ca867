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
constexpr std::array<std::pair<crypto::emv::Suite, std::string_view>, 2> kBankSuiteNames{{
    {crypto::emv::Suite::TripleDes, "3des"},
    {crypto::emv::Suite::Sm4, "sm4"},
}};
// PBOC cards carry UnionPay PANs (IIN 62...); a PAN has at most 19 digits (ISO/IEC 7812-1).
constexpr std::string_view kBankPanStart = "62";
constexpr std::size_t kMaxPanDigits = 19;

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

BankMasterKeys bankMasterKeys(Reader suite) {
    BankMasterKeys keys{hexOfSize(suite, "ac", kMasterKeySize),
                        hexOfSize(suite, "smi", kMasterKeySize),
                        hexOfSize(suite, "smc", kMasterKeySize)};
    suite.finish();
    return keys;
}

// Every member of "suites" is a known suite name with its keys; at least one.
template <class SuiteOf, class KeysOf, class Keys>
void readSuites(Reader& entry, const SuiteOf& suiteOf, const KeysOf& keysOf, Keys& into) {
    Reader suites = entry.object("suites");
    if (entry.required("suites").empty()) {
        entry.failMember("suites", "must name at least one suite");
    }
    for (const auto& item : entry.required("suites").items()) {
        const auto suite = suiteOf(item.key());
        if (!suite) {
            suites.failMember(item.key(), "is an unknown suite (3des, sm4)");
        }
        into.emplace(*suite, keysOf(suites.object(item.key())));
    }
    suites.finish();
}

std::string panPrefixOf(Reader& entry) {
    std::string prefix = entry.string("panPrefix");
    const bool digits =
        std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || prefix.size() < kBankPanStart.size() || prefix.size() > kMaxPanDigits ||
        !prefix.starts_with(kBankPanStart)) {
        entry.failMember("panPrefix", "must be 2 to 19 decimal digits starting with 62");
    }
    return prefix;
}

BankIssuer bankIssuerFrom(Reader& entry, std::string name) {
    BankIssuer issuer;
    issuer.name = std::move(name);
    issuer.panPrefix = panPrefixOf(entry);
    readSuites(entry, bankSuiteFromName, bankMasterKeys, issuer.suites);
    entry.finish();
    return issuer;
}

Issuer cityIssuerFrom(Reader& entry, std::string name, std::string scheme) {
    Issuer issuer;
    issuer.name = std::move(name);
    issuer.scheme = std::move(scheme);
    issuer.issuerId = hexOfSize(entry, "issuerId", kIssuerIdSize);
    issuer.keyIndex = byteNumber(entry, "keyIndex");
    issuer.keyVersion = byteNumber(entry, "keyVersion");
    readSuites(entry, suiteFromName, masterKeys, issuer.suites);
    entry.finish();
    return issuer;
}

void addCityIssuer(IssuerKeySet& set, Issuer issuer) {
    if (set.find(issuer.issuerId) != nullptr) {
        throw IssuerKeysError("issuer keys: issuer " + toHex(issuer.issuerId) + " is listed twice");
    }
    set.issuers.push_back(std::move(issuer));
}

void addBankIssuer(IssuerKeySet& set, BankIssuer issuer) {
    const bool listed =
        std::any_of(set.bankIssuers.begin(), set.bankIssuers.end(),
                    [&](const BankIssuer& other) { return other.panPrefix == issuer.panPrefix; });
    if (listed) {
        throw IssuerKeysError("issuer keys: PAN prefix " + issuer.panPrefix + " is listed twice");
    }
    set.bankIssuers.push_back(std::move(issuer));
}

// The scheme decides the members: a bank issuer has no issuer id, a city issuer no prefix.
void addIssuer(IssuerKeySet& set, Reader entry) {
    std::string name = entry.string("name");
    std::string scheme = entry.string("scheme");
    if (scheme == kBankScheme) {
        addBankIssuer(set, bankIssuerFrom(entry, std::move(name)));
    } else {
        addCityIssuer(set, cityIssuerFrom(entry, std::move(name), std::move(scheme)));
    }
}

}  // namespace

const IssuerMasterKeys* Issuer::keysFor(Suite suite) const {
    const auto found = suites.find(suite);
    return found != suites.end() ? &found->second : nullptr;
}

const BankMasterKeys* BankIssuer::keysFor(crypto::emv::Suite suite) const {
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

const BankIssuer* IssuerKeySet::findBankByPan(std::string_view pan) const {
    const BankIssuer* best = nullptr;
    for (const BankIssuer& issuer : bankIssuers) {
        const bool longer = best == nullptr || issuer.panPrefix.size() > best->panPrefix.size();
        if (pan.starts_with(issuer.panPrefix) && longer) {
            best = &issuer;
        }
    }
    return best;
}

std::string_view suiteName(crypto::emv::Suite suite) {
    for (const auto& [value, name] : kBankSuiteNames) {
        if (value == suite) {
            return name;
        }
    }
    return "unknown";
}

std::optional<crypto::emv::Suite> bankSuiteFromName(std::string_view name) {
    for (const auto& [value, known] : kBankSuiteNames) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
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
        addIssuer(set, Reader(list[i], "issuers[" + std::to_string(i) + "]"));
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
