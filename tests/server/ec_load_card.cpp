#include "ec_load_card.hpp"

#include <algorithm>
#include <array>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::servertest {

namespace {

namespace emv = crypto::emv;
namespace wire = net::wire;

constexpr std::array<std::uint8_t, 5> kPutDataHeader{0x04, 0xDA, 0x9F, 0x79, 0x0A};  // PUT DATA

}  // namespace

EcLoadCard::EcLoadCard(const sim::BankIssuer& issuer, emv::Suite suite, std::string pan,
                       std::uint32_t ecBalance, std::uint32_t ecBalanceLimit)
    : suite_(suite),
      keys_(*issuer.keysFor(suite)),
      pan_(std::move(pan)),
      balance_(ecBalance),
      limit_(ecBalanceLimit) {}

Bytes EcLoadCard::sessionKey(ByteView issuerMasterKey) const {
    return emv::sessionKey(suite_, emv::iccMasterKey(suite_, issuerMasterKey, pan_, psn_), atc_);
}

// 9F10 (JR/T 0025.5): length 07, DKI 01, CVN 01, CVR (4), algorithm indicator.
Bytes EcLoadCard::iad() const {
    return ByteWriter()
        .bytes(fromHex("070101"))
        .bytes(fromHex("03A00000"))
        .u8(emv::algorithmIndicatorOf(suite_))
        .take();
}

wire::EcAuthorizeRequest EcLoadCard::firstGenerateAc(const EcTerms& terms, ByteView terminalId) {
    ++atc_;
    terminalId_.assign(terminalId.begin(), terminalId.end());
    cdol1Data_ = ByteWriter()
                     .bytes(taplink::emv::encodeAmount(terms.amount))
                     .bytes(taplink::emv::encodeAmount(0))
                     .bytes(fromHex("0156"))
                     .bytes(fromHex("0000000000"))
                     .bytes(terms.currency)
                     .bytes(fromHex("261206"))
                     .u8(terms.transactionType)
                     .bytes(crypto::randomBytes(4))
                     .take();
    const Bytes cvr = fromHex("03A00000");  // as iad() gives it
    arqc_ = emv::applicationCryptogram(
        suite_, sessionKey(keys_.ac),
        ByteWriter().bytes(cdol1Data_).bytes(aip_).u16(atc_).bytes(cvr).take());
    return wire::EcAuthorizeRequest{
        pan_,       psn_,     fromHex("A000000333010101"),
        aip_,       atc_,     fromHex("9F02069F03069F1A0295055F2A029A039C019F3704"),
        cdol1Data_, 0x80,     arqc_,
        iad(),      balance_, limit_,
        terminalId_};
}

bool EcLoadCard::authenticates(const wire::EcAuthorizeResponse& answer) const {
    const Bytes expected = emv::arpcMethod1(suite_, sessionKey(keys_.ac), arqc_, answer.arc);
    return expected == answer.arpc &&
           answer.issuerAuthenticationData == concat(expected, answer.arc);
}

bool EcLoadCard::runScript(ByteView issuerScriptTemplate) {
    const auto objects = tlv::parse(issuerScriptTemplate);
    const tlv::Tlv* command = tlv::find(objects, 0x86);
    if (objects.size() != 1 || objects[0].tag != 0x72 || command == nullptr ||
        command->value.size() != 15 ||
        !std::equal(kPutDataHeader.begin(), kPutDataHeader.end(), command->value.begin())) {
        return false;
    }
    const ByteView data = ByteView(command->value).subspan(5);
    const Bytes mac =
        emv::scriptMac(suite_, sessionKey(keys_.smi),
                       emv::scriptMacInput(kPutDataHeader, atc_, arqc_, data.first(6)));
    if (!std::equal(mac.begin(), mac.end(), data.subspan(6).begin())) {
        return false;
    }
    balance_ = static_cast<std::uint32_t>(taplink::emv::decodeAmount(data.first(6), "9F79"));
    return true;
}

wire::EcLoadResult EcLoadCard::result(const std::string& orderId,
                                      const wire::EcAuthorizeResponse& answer, bool tc,
                                      std::uint8_t scriptResultByte) {
    // CDOL2 of the simulated card: 91 0A 8A 02 then CDOL1's objects.
    const Bytes cdol2Data = concat(concat(answer.issuerAuthenticationData, answer.arc), cdol1Data_);
    return secondAc(orderId, answer, cdol2Data, fromHex(tc ? "03600000" : "03200000"),
                    tc ? wire::kCidTc : wire::kCidAac, scriptResultByte);
}

wire::EcLoadResult EcLoadCard::secondAc(const std::string& orderId,
                                        const wire::EcAuthorizeResponse& answer, ByteView cdol2Data,
                                        ByteView cvr, std::uint8_t cid,
                                        std::uint8_t scriptResultByte) const {
    const Bytes cryptogram = emv::applicationCryptogram(
        suite_, sessionKey(keys_.ac),
        ByteWriter().bytes(cdol2Data).bytes(aip_).u16(atc_).bytes(cvr).take());
    const Bytes iad2 = ByteWriter().bytes(fromHex("070101")).bytes(cvr).u8(iad()[7]).take();
    Bytes scriptId(4, 0);
    if (answer.issuerScript) {
        const auto objects = tlv::parse(*answer.issuerScript);
        scriptId = tlv::find(objects, 0x9F18)->value;
    }
    return wire::EcLoadResult{orderId,
                              answer.nonce.value_or(Bytes(16, 0)),
                              atc_,
                              cid,
                              cryptogram,
                              Bytes(cdol2Data.begin(), cdol2Data.end()),
                              iad2,
                              concat(Bytes{scriptResultByte}, scriptId),
                              balance_,
                              terminalId_,
                              fromHex("261206"),
                              fromHex("101500")};
}

wire::EcLoadReversal EcLoadCard::reversal(const std::string& orderId,
                                          const wire::EcAuthorizeResponse& answer) const {
    return wire::EcLoadReversal{orderId,
                                answer.nonce.value_or(Bytes(16, 0)),
                                atc_,
                                wire::ReversalReason::CardDeclined,
                                terminalId_,
                                fromHex("261206"),
                                fromHex("101501")};
}

nlohmann::json signedReport(const Device& device, ByteView message) {
    return {{"result", base64Encode(message)},
            {"signature", base64Encode(signSha256(device.deviceKey.get(), message))}};
}

}  // namespace taplink::servertest
