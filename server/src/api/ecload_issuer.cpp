#include "api/ecload_issuer.hpp"

#include <openssl/crypto.h>

#include "api/api_error.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/crypto_error.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::server {

namespace {

namespace emv = crypto::emv;

constexpr std::size_t kCvrOffset = 3;  // 9F10 bytes 4-7
constexpr std::size_t kCvrSize = 4;
constexpr std::uint32_t kScriptIdTag = 0x9F18;
constexpr std::uint32_t kIssuerScriptCommandTag = 0x86;
constexpr std::uint32_t kIssuerScriptTemplate2 = 0x72;

// Bytes that hold key material and are wiped when they go.
struct WipedKey {
    Bytes bytes;
    ~WipedKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// The card's session key for the ATC from one of its issuer master keys.
Bytes sessionKeyFrom(const IssuerCard& card, ByteView issuerMasterKey) {
    const WipedKey master{emv::iccMasterKey(card.suite, issuerMasterKey, card.pan, card.psn)};
    return emv::sessionKey(card.suite, master.bytes, card.atc);
}

}  // namespace

IssuerCard issuerCardOf(const sim::IssuerKeySet& issuers, const std::string& pan, std::uint8_t psn,
                        std::uint16_t atc, std::uint8_t algorithmIndicator) {
    const sim::BankIssuer* issuer = issuers.findBankByPan(pan);
    if (issuer == nullptr) {
        throw ApiError(422, "issuer_unknown", "no bank issuer here for the card");
    }
    IssuerCard card{emv::Suite::TripleDes, nullptr, pan, psn, atc};
    try {
        card.suite = emv::suiteFromAlgorithmIndicator(algorithmIndicator);
        card.keys = issuer->keysFor(card.suite);
    } catch (const crypto::CryptoError&) {
    }
    if (card.keys == nullptr) {
        throw ApiError(
            422, "suite_unsupported",
            "the issuer has no keys for algorithm indicator " + toHex(Bytes{algorithmIndicator}));
    }
    return card;
}

Bytes cryptogramInput(ByteView cdolData, ByteView aip, std::uint16_t atc, ByteView iad) {
    return ByteWriter()
        .bytes(cdolData)
        .bytes(aip)
        .u16(atc)
        .bytes(iad.subspan(kCvrOffset, kCvrSize))
        .take();
}

Bytes expectedCryptogram(const IssuerCard& card, ByteView input) {
    const WipedKey session{sessionKeyFrom(card, card.keys->ac)};
    return emv::applicationCryptogram(card.suite, session.bytes, input);
}

Bytes issuerArpc(const IssuerCard& card, ByteView arqc, ByteView arc) {
    const WipedKey session{sessionKeyFrom(card, card.keys->ac)};
    return emv::arpcMethod1(card.suite, session.bytes, arqc, arc);
}

Bytes ecBalanceScriptCommand(const IssuerCard& card, ByteView arqc, std::uint32_t newBalance) {
    const Bytes header = fromHex("04DA9F790A");
    const Bytes balance = taplink::emv::encodeAmount(newBalance);
    const WipedKey session{sessionKeyFrom(card, card.keys->smi)};
    const Bytes mac = emv::scriptMac(card.suite, session.bytes,
                                     emv::scriptMacInput(header, card.atc, arqc, balance));
    return ByteWriter().bytes(header).bytes(balance).bytes(mac).take();
}

Bytes issuerScriptTemplate(ByteView scriptId, ByteView command) {
    using tlv::Tlv;
    return Tlv::constructedOf(
               kIssuerScriptTemplate2,
               {Tlv::primitive(kScriptIdTag, Bytes(scriptId.begin(), scriptId.end())),
                Tlv::primitive(kIssuerScriptCommandTag, Bytes(command.begin(), command.end()))})
        .encode();
}

}  // namespace taplink::server
