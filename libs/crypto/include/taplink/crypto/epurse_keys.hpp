// Key derivation and MACs of the PBOC e-purse (JR/T 0025 e-purse as used by JT/T 978 and
// CJ/T 166 city cards), for both crypto suites. One place for the formulas; the card
// simulator, the daemon's card driver and the tests all use these.
#pragma once

#include <cstdint>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/block_cipher.hpp"

namespace taplink::crypto::epurse {

enum class Suite {
    TripleDes,  // algorithm id 00 or 01: 16-byte keys, 8-byte session keys, DES MACs
    Sm4,        // algorithm id 04: 16-byte keys and session keys, SM4 MACs
};

// Algorithm identifier as INITIALIZE FOR LOAD/PURCHASE return it. Throws CryptoError for
// an identifier this code does not know.
Suite suiteFromAlgorithmId(std::uint8_t algorithmId);
std::uint8_t algorithmIdOf(Suite suite);

// Card key from the issuer master key: D = rightmost 8 bytes of the application serial
// (which may be longer, e.g. the 10-byte e-purse serial; fewer than 8 bytes throws).
//   triple DES: DK = 3DES(MK, D) || 3DES(MK, ~D)      (16 bytes)
//   SM4:        DK = SM4(MK, D || ~D)                 (16 bytes)
Bytes diversify(Suite suite, ByteView masterKey, ByteView applicationSerial);

// Load session key SESLK from the card's load key DLK:
//   triple DES: 3DES(DLK, random(4) || onlineATC(2) || 80 00)                      (8 bytes)
//   SM4:        SM4(DLK, random(4) || onlineATC(2) || 80 00 00 00 00 00 00 00 00 00) (16 bytes)
// Throws CryptoError unless DLK is 16 bytes and random 4 bytes.
Bytes loadSessionKey(Suite suite, ByteView dlk, ByteView random, std::uint16_t onlineAtc);

// Purchase session key SESPK from DPK; terminalSequence is the terminal's 4-byte transaction
// sequence number, of which the rightmost 2 bytes are used:
//   triple DES: 3DES(DPK, random(4) || offlineATC(2) || seq(2))        (8 bytes; no padding)
//   SM4:        SM4(DPK, random(4) || offlineATC(2) || seq(2) || 80 00 00 00 00 00 00 00)
//                                                                      (16 bytes)
// where seq = terminalSequence[2..4). Unlike the load key, the triple-DES input already fills
// a block, so it gets no 80 00 padding.
// Throws CryptoError unless DPK is 16 bytes, random 4 bytes and terminalSequence 4 bytes.
Bytes purchaseSessionKey(Suite suite, ByteView dpk, ByteView random, std::uint16_t offlineAtc,
                         ByteView terminalSequence);

// MAC under a session key: CBC-MAC, IV 0, padding method 2, left 4 bytes of the last block.
// Single DES for an 8-byte session key (triple-DES suite), SM4 with a 16-byte session key
// for the SM4 suite; any other key size throws CryptoError.
Bytes sessionMac(Suite suite, ByteView sessionKey, ByteView data);

// TAC: the same MAC under DTK_left XOR DTK_right (triple DES suite) or DTK itself (SM4).
Bytes tac(Suite suite, ByteView dtk, ByteView data);

}  // namespace taplink::crypto::epurse
