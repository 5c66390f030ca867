// GENERATE AC (EMV Book 3 6.5.5, 9.3): the first asks for an ARQC with the CDOL1 data, the
// second for a TC (approved) or an AAC (declined) with the CDOL2 data.
#pragma once

#include <cstdint>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// P1 b8-b7 and CID b8-b7 (Book 3 6.5.5.2, table 13).
enum class CryptogramType : std::uint8_t { Aac = 0x00, Tc = 0x40, Arqc = 0x80 };

const char* cryptogramName(CryptogramType type);

struct GenerateAcResult {
    std::uint8_t cid = 0;  // 9F27 as the card sent it
    CryptogramType type = CryptogramType::Aac;
    std::uint16_t atc = 0;        // 9F36
    Bytes cryptogram;             // 9F26, 8 bytes
    Bytes issuerApplicationData;  // 9F10, may be empty
};

// 80 AE P1 00 Lc <CDOL data> 00 (Book 3 6.5.5.2); no CDA.
apdu::CommandApdu generateAcCommand(CryptogramType type, ByteView cdolData);

// Format 1: 80 { CID (1) ATC (2) AC (8) IAD (0-32) }; format 2: 77 with 9F27, 9F36, 9F26
// and optionally 9F10 (Book 3 6.5.5.4). Both give the same result; MalformedAnswer for
// anything else, including CID b8-b7 = 11 (RFU).
GenerateAcResult parseGenerateAcAnswer(ByteView answer);

// The card may answer with a lower cryptogram than asked, never a higher one
// (AAC < ARQC < TC, Book 3 9.3); the second GENERATE AC gives only TC or AAC.
void checkCryptogramType(CryptogramType asked, CryptogramType answered, bool secondGenerateAc);

GenerateAcResult firstGenerateAc(apdu::ApduChannel& channel, ByteView cdol1Data);
// approve: TC asked, else AAC.
GenerateAcResult secondGenerateAc(apdu::ApduChannel& channel, bool approve, ByteView cdol2Data);

}  // namespace taplink::emv
