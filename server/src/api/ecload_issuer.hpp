// The issuer's cryptography of an EC load (docs/server.md, "Electronic-cash load"), from the
// bank issuer's master keys in issuers.json through taplink/crypto/emv_keys.hpp: the
// cryptograms the card made, the ARPC and the issuer script that writes the new balance.
#pragma once

#include <cstdint>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

// One card in one transaction, as the issuer sees it.
struct EcCard {
    crypto::emv::Suite suite = crypto::emv::Suite::TripleDes;
    const sim::BankMasterKeys* keys = nullptr;
    std::string pan;
    std::uint8_t psn = 0;
    std::uint16_t atc = 0;
};

// CVN 01 (EMV Book 2 8.1.1, JR/T 0025.5): CDOL data || AIP || ATC || CVR, the CVR being
// 9F10 bytes 4-7. The IAD must hold at least 7 bytes.
Bytes cryptogramInput(ByteView cdolData, ByteView aip, std::uint16_t atc, ByteView iad);
// The ARQC, TC or AAC the card's AC session key gives for that input.
Bytes expectedCryptogram(const EcCard& card, ByteView input);
// ARPC method 1 (EMV Book 2 8.2.1) for the ARQC and the ARC.
Bytes issuerArpc(const EcCard& card, ByteView arqc, ByteView arc);
// PUT DATA 9F79 with secure messaging (EMV Book 2 9.2.1, Book 3 6.5.x):
//   04 DA 9F 79 0A || new EC balance (n12, 6 bytes, fen) || MAC (4, MK-SMI session key)
Bytes ecBalanceScriptCommand(const EcCard& card, ByteView arqc, std::uint32_t newBalance);
// Issuer script template 2 (EMV Book 3 annex A, tag 72): 9F18 script id (4) || 86 command.
Bytes issuerScriptTemplate(ByteView scriptId, ByteView command);

}  // namespace taplink::server
