// The card issuers' master keys: what the top-up server's HSM stand-in holds and what
// taplink-sim personalises city and bank cards from. The file format ("taplink-issuers/1",
// written by certs/make-pki.sh; docs/server.md):
//   {"format":"taplink-issuers/1","issuers":[{"name","scheme":"city-epurse",
//     "issuerId":"HEX 8 bytes","keyIndex":N,"keyVersion":N,
//     "suites":{"3des":{"load","purchase","tac"},"sm4":{...}}},
//    {"name","scheme":"bank-pboc","panPrefix":"62 and up to 17 more digits",
//     "suites":{"3des":{"ac","smi","smc"},"sm4":{...}}}]}
// Each key is 16 bytes of hex; a suite may be left out, at least one must be there. The
// scheme decides which members an entry has; city and bank issuers are kept apart.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"

namespace taplink::sim {

struct IssuerMasterKeys {
    Bytes load;      // MLK: card load keys DLK derive from it
    Bytes purchase;  // MPK: card purchase keys DPK
    Bytes tac;       // MTK: card TAC keys DTK
};

inline constexpr std::string_view kIssuerKeysFormat = "taplink-issuers/1";

struct Issuer {
    std::string name;
    std::string scheme;  // "city-epurse"
    Bytes issuerId;      // 8 bytes, EF 0x15 bytes 1-8
    std::uint8_t keyIndex = 0x01;
    std::uint8_t keyVersion = 0x01;
    std::map<crypto::epurse::Suite, IssuerMasterKeys> suites;

    // The master keys of a suite, or nullptr when this issuer has none for it.
    const IssuerMasterKeys* keysFor(crypto::epurse::Suite suite) const;
};

inline constexpr std::string_view kBankScheme = "bank-pboc";

// Issuer master keys of a PBOC 3.0 bank application (EMV Book 2 A1.4.1: each ICC master
// key derives from its own IMK with the card's PAN and PSN, taplink/crypto/emv_keys.hpp).
struct BankMasterKeys {
    Bytes ac;   // IMK-AC: application cryptograms and ARPC
    Bytes smi;  // IMK-SMI: secure messaging for integrity (the issuer script MAC)
    Bytes smc;  // IMK-SMC: secure messaging for confidentiality
};

struct BankIssuer {
    std::string name;
    std::string panPrefix;  // decimal digits; the issuer's cards' PANs start with it
    std::map<crypto::emv::Suite, BankMasterKeys> suites;

    const BankMasterKeys* keysFor(crypto::emv::Suite suite) const;
};

struct IssuerKeySet {
    std::vector<Issuer> issuers;  // city-epurse issuers
    std::vector<BankIssuer> bankIssuers;

    // nullptr when no issuer has that id.
    const Issuer* find(ByteView issuerId) const;
    // The first issuer of the scheme; nullptr when there is none.
    const Issuer* firstOfScheme(std::string_view scheme) const;
    // The bank issuer with the longest prefix of `pan`; nullptr when none matches.
    const BankIssuer* findBankByPan(std::string_view pan) const;
};

// A file that is not a well-formed "taplink-issuers/1" document; says what is wrong.
class IssuerKeysError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "3des" or "sm4", the names of the suites in the file.
std::string_view suiteName(crypto::epurse::Suite suite);
std::optional<crypto::epurse::Suite> suiteFromName(std::string_view name);
std::string_view suiteName(crypto::emv::Suite suite);
std::optional<crypto::emv::Suite> bankSuiteFromName(std::string_view name);

// Throws IssuerKeysError (unknown format, missing or ill-typed field, key not 16 bytes,
// duplicate issuer id or PAN prefix, a PAN prefix that is not 2-19 digits starting 62, no
// issuers).
IssuerKeySet parseIssuerKeys(std::string_view jsonText);
// The same for a file; IssuerKeysError also when it cannot be read.
IssuerKeySet loadIssuerKeys(const std::string& path);

}  // namespace taplink::sim
