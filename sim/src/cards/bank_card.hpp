// The simulated PBOC 3.0 bank cards ("bank-3des", "bank-sm4", "bank-dual"): the PPSE, the
// debit (and on bank-dual the credit) application with its records, FCI and state file.
// docs/cards.md, "The simulated bank card", lists every value.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "card/virtual_card.hpp"
#include "cards/profiles.hpp"

namespace taplink::sim {

inline constexpr std::string_view kDebitAidHex = "A000000333010101";
inline constexpr std::string_view kCreditAidHex = "A000000333010102";
inline constexpr std::string_view kPpseName = "2PAY.SYS.DDF01";

bool isBankProfile(std::string_view profile);

// Throws std::invalid_argument for bad options (PAN, expiry, balance over the EC limit, an
// issuer without keys of the suite), std::runtime_error for an unreadable state file.
std::shared_ptr<VirtualCard> makeBankCard(std::string_view profile, const CardOptions& options);

// The PAN a bank card of the profile gets from the issuer when none is given: the prefix,
// zeros, the profile's number (42 bank-3des, 43 bank-sm4, 44 bank-dual) to 18 digits, and
// the Luhn check digit.
std::string defaultBankPan(std::string_view profile, const BankIssuer& issuer);

// The issuer of bank cards whose options name none: the built-in test bank issuer
// (cards/test_issuer.hpp) until set (taplink-sim --issuer-keys). Thread-safe.
void setDefaultBankIssuer(std::shared_ptr<const BankIssuer> issuer);
std::shared_ptr<const BankIssuer> defaultBankIssuer();

}  // namespace taplink::sim
