// The bank issuer's cryptography (docs/server.md, "Electronic-cash load" and "Purchase
// (acquirer and issuer)"), from the bank issuer's master keys in issuers.json through
// taplink/crypto/emv_keys.hpp: the cryptograms the card made and the ARPC, for the EC load
// and the purchase alike, and the issuer script that writes an EC load's new balance.
#pragma once

#include <cstdint>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

// One card in one transaction (an EC load or a purchase), as the issuer sees it.
struct IssuerCard {
    crypto::emv::Suite suite = crypto::emv::Suite::TripleDes;
    const sim::BankMasterKeys* keys = nullptr;
    std::string pan;
    std::uint8_t psn = 0;
    std::uint16_t atc = 0;
};

// 9F10 byte 8 (JR/T 0025.5): the algorithm indicator that names the card's suite.
inline constexpr std::size_t kAlgorithmIndicatorOffset = 7;

// The card's issuer and keys from the PAN and the IAD's algorithm indicator; ApiError 422
// issuer_unknown when no bank issuer here serves the PAN, suite_unsupported when it has no
// keys of that suite.
IssuerCard issuerCardOf(const sim::IssuerKeySet& issuers, const std::string& pan, std::uint8_t psn,
                        std::uint16_t atc, std::uint8_t algorithmIndicator);

// CVN 01 (EMV Book 2 8.1.1, JR/T 0025.5): CDOL data || AIP || ATC || CVR, the CVR being
// 9F10 bytes 4-7. The IAD must hold at least 7 bytes.
Bytes cryptogramInput(ByteView cdolData, ByteView aip, std::uint16_t atc, ByteView iad);
// The ARQC, TC or AAC the card's AC session key gives for that input.
Bytes expectedCryptogram(const IssuerCard& card, ByteView input);
// ARPC method 1 (EMV Book 2 8.2.1) for the ARQC and the ARC.
Bytes issuerArpc(const IssuerCard& card, ByteView arqc, ByteView arc);
// PUT DATA 9F79 with secure messaging (EMV Book 2 9.2.1, Book 3 6.5.x):
//   04 DA 9F 79 0A || new EC balance (n12, 6 bytes, fen) || MAC (4, MK-SMI session key)
Bytes ecBalanceScriptCommand(const IssuerCard& card, ByteView arqc, std::uint32_t newBalance);
// Issuer script template 2 (EMV Book 3 annex A, tag 72): 9F18 script id (4) || 86 command.
Bytes issuerScriptTemplate(ByteView scriptId, ByteView command);

}  // namespace taplink::server
