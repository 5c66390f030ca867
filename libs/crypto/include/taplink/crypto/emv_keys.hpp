// Key derivation and cryptograms of the PBOC 3.0 debit/credit application (JR/T 0025, on
// EMV 4.3 Book 2), for both crypto suites. One place for the formulas: the simulated bank
// card, taplink-server's issuer role and the tests all use these. docs/cards.md gives the
// sources and the choices made where the public sources are silent (the SM4 suite).
#pragma once

#include <cstdint>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/block_cipher.hpp"

namespace taplink::crypto::emv {

enum class Suite {
    TripleDes,  // two-key triple DES, 8-byte blocks, retail MAC (ISO/IEC 9797-1 algorithm 3)
    Sm4,        // SM4, 16-byte blocks, CBC-MAC (ISO/IEC 9797-1 algorithm 1)
};

// The cryptogram version number the card puts in 9F10 byte 3 and the algorithm indicator in
// 9F10 byte 8 (JR/T 0025.5 issuer application data). CVN 01 for both suites; the algorithm
// indicator tells them apart: 01 triple DES, 04 SM4.
inline constexpr std::uint8_t kCryptogramVersion = 0x01;
std::uint8_t algorithmIndicatorOf(Suite suite);
// Throws CryptoError for an indicator this code does not know.
Suite suiteFromAlgorithmIndicator(std::uint8_t indicator);

// ICC master key, EMV Book 2 A1.4.1 option A. Y = the rightmost 16 digits of PAN || PSN
// (PSN 00 when the card has none), left-padded with 0 digits, as 8 bytes:
//   triple DES: MK = 3DES(IMK, Y) || 3DES(IMK, Y XOR FF..FF)
//   SM4:        MK = SM4(IMK, Y || (Y XOR FF..FF))
// `pan` is the PAN's digits (as in 5A without the F padding), psn one byte as in 5F34 (n 2,
// two BCD digits: 01 is digits "01"). Throws CryptoError for an IMK that is not 16 bytes, a
// PAN that is not 12-19 decimal digits or a PSN that is not BCD.
Bytes iccMasterKey(Suite suite, ByteView issuerMasterKey, std::string_view pan, std::uint8_t psn);

// Session key for an ATC (JR/T 0025.5; the published worked examples in docs/cards.md):
//   R = 00 00 00 00 00 00 || ATC || 00 00 00 00 00 00 || (ATC XOR FF FF)     (16 bytes)
//   triple DES: SK = 3DES(MK, R[0..8)) || 3DES(MK, R[8..16))
//   SM4:        SK = SM4(MK, R)
// The same derivation gives the AC key (from MK-AC) and the MAC key (from MK-SMI). Throws
// CryptoError for a master key that is not 16 bytes.
Bytes sessionKey(Suite suite, ByteView masterKey, std::uint16_t atc);

// Application cryptogram (ARQC, TC or AAC) over the data the CVN names (EMV Book 2 8.1.1;
// for CVN 01: CDOL1 data || AIP || ATC || CVR, the CVR being 9F10 bytes 4-7), padded by
// ISO/IEC 9797-1 method 2. Triple DES: the retail MAC (algorithm 3); SM4: CBC-MAC
// (algorithm 1), left 8 bytes. Always 8 bytes; a session key that is not 16 bytes throws.
Bytes applicationCryptogram(Suite suite, ByteView sessionKey, ByteView data);

// ARPC method 1 (EMV Book 2 8.2.1): X = ARQC XOR (ARC || 00 00 00 00 00 00).
//   triple DES: ARPC = 3DES(SK, X)
//   SM4:        ARPC = left 8 bytes of SM4(SK, X || 00 00 00 00 00 00 00 00)
// Session key 16 bytes, ARQC 8 bytes, ARC 2 bytes (as in 8A, e.g. "00" = 30 30); anything
// else throws.
Bytes arpcMethod1(Suite suite, ByteView sessionKey, ByteView arqc, ByteView arc);

// Issuer script MAC (EMV Book 2 9.2.1, JR/T 0025.5): the input is
//   CLA INS P1 P2 Lc || ATC || ARQC || command data without the MAC
// (Lc counting the MAC), padded by method 2, MACed like the application cryptogram under
// the MAC session key; the left 4 bytes. scriptMacInput throws CryptoError unless header5
// is 5 bytes, the ARQC 8 and Lc (header5[4]) the data's length + 4; scriptMac for a MAC
// session key that is not 16 bytes.
Bytes scriptMacInput(ByteView header5, std::uint16_t atc, ByteView arqc, ByteView data);
Bytes scriptMac(Suite suite, ByteView macSessionKey, ByteView input);

}  // namespace taplink::crypto::emv
