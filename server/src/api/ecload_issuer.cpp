#include "api/ecload_issuer.hpp"

#include <openssl/crypto.h>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
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
Bytes sessionKeyFrom(const EcCard& card, ByteView issuerMasterKey) {
    const WipedKey master{emv::iccMasterKey(card.suite, issuerMasterKey, card.pan, card.psn)};
    return emv::sessionKey(card.suite, master.bytes, card.atc);
}

}  // namespace

Bytes cryptogramInput(ByteView cdolData, ByteView aip, std::uint16_t atc, ByteView iad) {
    return ByteWriter()
        .bytes(cdolData)
        .bytes(aip)
        .u16(atc)
        .bytes(iad.subspan(kCvrOffset, kCvrSize))
        .take();
}

Bytes expectedCryptogram(const EcCard& card, ByteView input) {
    const WipedKey session{sessionKeyFrom(card, card.keys->ac)};
    return emv::applicationCryptogram(card.suite, session.bytes, input);
}

Bytes issuerArpc(const EcCard& card, ByteView arqc, ByteView arc) {
    const WipedKey session{sessionKeyFrom(card, card.keys->ac)};
    return emv::arpcMethod1(card.suite, session.bytes, arqc, arc);
}

Bytes ecBalanceScriptCommand(const EcCard& card, ByteView arqc, std::uint32_t newBalance) {
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
