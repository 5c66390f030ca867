// The cards taplink-sim can insert, by profile name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "card/virtual_card.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::sim {

// "iso-t1": a T=1 card with an ISO 7816-4 file system and the diagnostics application.
// "iso-t0": the same files behind a T=0 ATR, answering like a T=0 card (61xx, 6Cxx).
// "city-3des", "city-3des-00", "city-sm4": a city transit card with the PBOC e-purse
//   application, keys diversified from its issuer's master keys (CardOptions::issuer; by
//   default the test issuer of cards/test_issuer.hpp) in the triple-DES or SM4 suite. Their
//   INITIALIZE FOR LOAD/PURCHASE answers algorithm id 01, 00 and 04 (JR/T 0025 e-purse:
//   00 and 01 both mean triple DES; cards in the field answer either).
// "bank-3des", "bank-sm4": a PBOC 3.0 bank card (contactless, PPSE) with the debit
//   application A000000333010101 and electronic cash, ICC keys derived from its bank
//   issuer's master keys (CardOptions::bankIssuer; by default the test bank issuer) in the
//   triple-DES or SM4 suite (cards/bank_card.hpp).
// "bank-dual": the same in triple DES with a credit application A000000333010102 beside the
//   debit one; the credit application has the higher priority and no PDOL.
// "secure-chip": the device's secure chip: a PIV application (device key and certificate),
//   the load SAM and the payment applet, managed over SCP03 (docs/chip.md).
std::vector<std::string> profileNames();

struct CardOptions {
    Bytes serial;  // 10-byte application serial of a city card; empty: the default
    // Initial balance in fen for a new city card, or EC balance for a new bank card.
    std::optional<std::uint32_t> balance;
    std::string stateDir;  // where city and bank cards keep their state; empty: memory
    // Whose keys, issuer id, key index and key version a new city card gets; nullptr: the
    // default city issuer (below).
    std::shared_ptr<const Issuer> issuer;
    // Bank cards: the PAN (16-19 digits, Luhn-valid, under the issuer's prefix; empty: the
    // profile's default), the expiry date YYMMDD (empty: 311231) and whose master keys the
    // ICC keys derive from (nullptr: the default bank issuer, cards/bank_card.hpp).
    std::string pan;
    std::string expiry;
    std::shared_ptr<const BankIssuer> bankIssuer;
    // Secure chips: the TSM master key their management keys derive from (nullptr: the
    // default, cards/secure_chip.hpp).
    std::shared_ptr<const protocol::TsmMasterKey> tsmKeys;
};

// The issuer of city cards whose options name none: the built-in test issuer
// (cards/test_issuer.hpp) until set. taplink-sim sets it once at start from --issuer-keys,
// so that cards inserted through the control socket get the same keys. Thread-safe.
void setDefaultCityIssuer(std::shared_ptr<const Issuer> issuer);
std::shared_ptr<const Issuer> defaultCityIssuer();

// The serial a city card gets when none is given: 00..00 0042.
Bytes defaultCitySerial();

// Gives a card with its own state its identity, and when that state lives in a file, the
// means to build it again from the file (VirtualCard::reopened).
void identifyAndMakeReopenable(VirtualCard& card, std::string identity, std::string_view profile,
                               const CardOptions& options, ByteView serial);

// Throws std::invalid_argument for an unknown profile or bad options, std::runtime_error
// for an unreadable state file.
std::shared_ptr<VirtualCard> makeCard(std::string_view profile, const CardOptions& options = {});

}  // namespace taplink::sim
