#include "taplink/crypto/epurse_keys.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::crypto::epurse {
namespace {

constexpr std::size_t kCardKeySize = 16;     // MK, DK, DLK, DPK, DTK in both suites
constexpr std::size_t kRandomSize = 4;       // card random from INITIALIZE FOR LOAD/PURCHASE
constexpr std::size_t kTerminalSeqSize = 4;  // terminal transaction sequence number
constexpr std::size_t kDiversifierSize = 8;  // D: rightmost 8 bytes of the serial
constexpr std::size_t kSessionMacSize = 4;

std::string_view suiteName(Suite suite) {
    return suite == Suite::Sm4 ? "SM4" : "3DES";
}

// Block cipher that encrypts with the 16-byte card keys of the suite.
Cipher keyCipher(Suite suite) {
    return suite == Suite::Sm4 ? Cipher::Sm4 : Cipher::TripleDes;
}

// Session key: the suite's cipher under the card key over input (6 or 8 bytes), which is
// followed by 80 00 .. 00 up to one block when it is shorter than a block (ISO/IEC 9797-1
// method 2 within a single block; an 8-byte input fills a triple-DES block and gets none).
Bytes deriveSessionKey(Suite suite, ByteView cardKey, Bytes input, std::string_view context) {
    requireSize<CryptoError>(cardKey, kCardKeySize, std::string(context) + ": card key");
    const Cipher cipher = keyCipher(suite);
    const std::size_t block = blockSize(cipher);
    if (input.size() < block) {
        input.push_back(0x80);
        input.resize(block, 0x00);
    }
    return encryptEcb(cipher, cardKey, input);
}

Bytes randomAndAtc(ByteView random, std::uint16_t atc, std::string_view context) {
    requireSize<CryptoError>(random, kRandomSize, std::string(context) + ": random");
    return ByteWriter().bytes(random).u16(atc).take();
}

}  // namespace

Suite suiteFromAlgorithmId(std::uint8_t algorithmId) {
    switch (algorithmId) {
        case 0x00:
        case 0x01:
            return Suite::TripleDes;
        case 0x04:
            return Suite::Sm4;
        default:
            break;
    }
    throw CryptoError("epurse: unknown algorithm identifier " + toHex(ByteView(&algorithmId, 1)) +
                      " (expected 00, 01 or 04)");
}

std::uint8_t algorithmIdOf(Suite suite) {
    return suite == Suite::Sm4 ? 0x04 : 0x01;
}

Bytes diversify(Suite suite, ByteView masterKey, ByteView applicationSerial) {
    const std::string context =
        std::string("epurse::diversify (") + std::string(suiteName(suite)) + ")";
    requireSize<CryptoError>(masterKey, kCardKeySize, std::string(context) + ": master key");
    if (applicationSerial.size() < kDiversifierSize) {
        throw CryptoError(context + ": application serial must be at least " +
                          std::to_string(kDiversifierSize) + " bytes, got " +
                          std::to_string(applicationSerial.size()));
    }
    const ByteView d = applicationSerial.last(kDiversifierSize);
    Bytes notD(d.begin(), d.end());
    for (auto& byte : notD) {
        byte = static_cast<std::uint8_t>(~byte);
    }
    if (suite == Suite::Sm4) {
        return encryptEcb(Cipher::Sm4, masterKey, concat(d, notD));
    }
    return concat(encryptEcb(Cipher::TripleDes, masterKey, d),
                  encryptEcb(Cipher::TripleDes, masterKey, notD));
}

Bytes loadSessionKey(Suite suite, ByteView dlk, ByteView random, std::uint16_t onlineAtc) {
    const std::string context =
        std::string("epurse::loadSessionKey (") + std::string(suiteName(suite)) + ")";
    return deriveSessionKey(suite, dlk, randomAndAtc(random, onlineAtc, context), context);
}

Bytes purchaseSessionKey(Suite suite, ByteView dpk, ByteView random, std::uint16_t offlineAtc,
                         ByteView terminalSequence) {
    const std::string context =
        std::string("epurse::purchaseSessionKey (") + std::string(suiteName(suite)) + ")";
    requireSize<CryptoError>(terminalSequence, kTerminalSeqSize,
                             std::string(context) + ": terminal sequence number");
    Bytes input = randomAndAtc(random, offlineAtc, context);
    const ByteView seqRight = terminalSequence.last(2);
    input.insert(input.end(), seqRight.begin(), seqRight.end());
    return deriveSessionKey(suite, dpk, std::move(input), context);
}

Bytes sessionMac(Suite suite, ByteView sessionKey, ByteView data) {
    const std::string context =
        std::string("epurse::sessionMac (") + std::string(suiteName(suite)) + ")";
    const Cipher cipher = suite == Suite::Sm4 ? Cipher::Sm4 : Cipher::Des;
    requireSize<CryptoError>(sessionKey, keySize(cipher), std::string(context) + ": session key");
    const Bytes mac = cbcMac(cipher, sessionKey, data);
    return {mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(kSessionMacSize)};
}

Bytes tac(Suite suite, ByteView dtk, ByteView data) {
    const std::string context = std::string("epurse::tac (") + std::string(suiteName(suite)) + ")";
    requireSize<CryptoError>(dtk, kCardKeySize, std::string(context) + ": DTK");
    if (suite == Suite::Sm4) {
        return sessionMac(suite, dtk, data);
    }
    Bytes key(8);
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<std::uint8_t>(dtk[i] ^ dtk[i + 8]);
    }
    return sessionMac(suite, key, data);
}

}  // namespace taplink::crypto::epurse
