#include "scripted_ec_issuer.hpp"

#include <array>
#include <ctime>

#include "cards/test_issuer.hpp"
#include "service/bank_attempt_support.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::service::testing {

namespace {

namespace cemv = crypto::emv;
namespace wire = net::wire;
using nlohmann::json;

constexpr std::array<std::uint8_t, 2> kApproved{0x30, 0x30};  // 8A "00"
constexpr std::array<std::uint8_t, 2> kDeclined{0x35, 0x31};  // 8A "51", insufficient funds
constexpr std::array<std::uint8_t, 5> kPutBalanceHeader{0x04, 0xDA, 0x9F, 0x79,
                                                        0x0A};  // docs/server.md

[[noreturn]] void refuse(long status, const std::string& code) {
    throw net::ServerRefusal(status, code, "the test issuer refuses: " + code);
}

struct CardKeys {
    cemv::Suite suite;
    Bytes acSession;
    Bytes smiSession;
};

// The card's session keys (EMV Book 2 A1.3) under the test bank issuer's master keys.
CardKeys keysOf(ByteView iad, const std::string& pan, std::uint8_t psn, std::uint16_t atc) {
    const cemv::Suite suite = cemv::suiteFromAlgorithmIndicator(iad[7]);
    const auto keys = sim::testBankIssuerKeys(suite);
    const auto session = [&](const Bytes& imk) {
        return cemv::sessionKey(suite, cemv::iccMasterKey(suite, imk, pan, psn), atc);
    };
    return {suite, session(keys.ac), session(keys.smi)};
}

CardKeys keysOf(const wire::EcAuthorizeRequest& body) {
    return keysOf(body.iad, body.pan, body.psn, body.atc);
}

// AC over CDOL1 data || AIP || ATC || CVR (IAD bytes 4-7), docs/server.md.
bool arqcVerifies(const CardKeys& keys, ByteView cdol1Data, ByteView aip, std::uint16_t atc,
                  ByteView iad, ByteView arqc) {
    const Bytes input =
        ByteWriter().bytes(cdol1Data).bytes(aip).u16(atc).bytes(iad.subspan(3, 4)).take();
    const Bytes expected = cemv::applicationCryptogram(keys.suite, keys.acSession, input);
    return expected == Bytes(arqc.begin(), arqc.end());
}

bool arqcVerifies(const wire::EcAuthorizeRequest& body, const CardKeys& keys) {
    return arqcVerifies(keys, body.cdol1Data, body.aip, body.atc, body.iad, body.arqc);
}

// 72 { 9F18 id, 86 PUT DATA 9F79 } (EMV Book 3 Annex A).
Bytes issuerScript(const wire::EcAuthorizeRequest& body, const CardKeys& keys,
                   std::uint64_t newBalance) {
    const Bytes value = emv::encodeAmount(newBalance);
    const Bytes mac =
        cemv::scriptMac(keys.suite, keys.smiSession,
                        cemv::scriptMacInput(kPutBalanceHeader, body.atc, body.arqc, value));
    const Bytes command = ByteWriter().bytes(kPutBalanceHeader).bytes(value).bytes(mac).take();
    return tlv::Tlv::constructedOf(
               emv::tag::kIssuerScriptAfterFinalGac,
               {tlv::Tlv::primitive(emv::tag::kIssuerScriptIdentifier, crypto::randomBytes(4)),
                tlv::Tlv::primitive(emv::tag::kIssuerScriptCommand, command)})
        .encode();
}

namespace pay = chip::pay;

const Bytes& sealedObject(const pay::SealedPurchase& sealed, std::uint32_t tag) {
    const tlv::Tlv* found = tlv::find(sealed.cardData, tag);
    if (found == nullptr) {
        refuse(422, "seal_invalid");
    }
    return found->value;
}

// docs/bank-cards.md, "Purchase: the terminal data" (from the contract, not the script).
emv::TerminalData purchaseTerminalData(const pay::SealedPurchase& sealed) {
    return {{0x9F02, emv::encodeAmount(sealed.request.amount)},
            {0x9F03, emv::encodeAmount(0)},
            {0x9F1A, fromHex("0156")},
            {0x95, fromHex("0000000000")},
            {0x5F2A, emv::encodeNumeric(sealed.request.currency, pay::kCurrencySize)},
            {0x9A, sealed.request.date},
            {0x9C, Bytes{sealed.request.type}},
            {0x9F37, sealed.unpredictableNumber},
            {0x9F66, fromHex("10800000")}};
}

std::uint16_t atcOf(ByteView atc) {
    return static_cast<std::uint16_t>((atc[0] << 8U) | atc[1]);
}

Bytes arcOf(std::string_view code) {
    return Bytes(code.begin(), code.end());
}

json answerOf(const std::string& orderId, const Bytes& arc, const Bytes& arpc) {
    return {{"orderId", orderId},
            {"arc", toHex(arc)},
            {"arpc", toHex(arpc)},
            {"issuerAuthenticationData", toHex(ByteWriter().bytes(arpc).bytes(arc).take())}};
}

}  // namespace

json ScriptedEcIssuer::authorize(const std::string& orderId, std::uint32_t amount,
                                 const json& request, ByteView terminalId) {
    requests_.push_back(request);
    wire::EcAuthorizeRequest body;
    try {
        body = wire::EcAuthorizeRequest::fromJson(request);
    } catch (const std::exception&) {
        refuse(400, "malformed_request");
    }
    if (decided_.count(orderId) != 0) {
        refuse(409, "order_settled");
    }
    if (const auto earlier = authorized_.find(orderId); earlier != authorized_.end()) {
        if (earlier->second.request == request) {
            return earlier->second.answer;  // a lost answer: the same again, no second debit
        }
        refuse(409, "authorization_outstanding");
    }
    if (Bytes(terminalId.begin(), terminalId.end()) != body.terminalId) {
        refuse(403, "terminal_mismatch");
    }
    const CardKeys keys = keysOf(body);
    if (!arqcVerifies(body, keys)) {
        refuse(422, "arqc_invalid");
    }
    if (std::uint64_t{body.ecBalance} + amount > body.ecBalanceLimit) {
        refuse(422, "ec_limit_exceeded");
    }
    const bool funded = !declineArc && accountBalance >= amount;
    const Bytes arc = funded ? Bytes(kApproved.begin(), kApproved.end())
                             : Bytes(kDeclined.begin(), kDeclined.end());
    Bytes arpc = cemv::arpcMethod1(keys.suite, keys.acSession, body.arqc, arc);
    if (spoilArpc) {
        arpc[0] ^= 0x01U;
    }
    json answer = answerOf(orderId, arc, arpc);
    if (!funded) {
        return answer;  // nothing debited or stored
    }
    const std::uint64_t newBalance = body.ecBalance + amount;
    const Bytes nonce = crypto::randomBytes(16);
    answer["nonce"] = toHex(nonce);
    answer["issuerScript"] = toHex(issuerScript(body, keys, newBalance));
    answer["newBalance"] = newBalance;
    accountBalance -= amount;
    ++ledgers_[orderId].debits;
    authorized_[orderId] = Authorization{
        request, answer, amount, newBalance, nonce, body.atc, body.pan.substr(body.pan.size() - 4)};
    return answer;
}

net::EcReportOutcome ScriptedEcIssuer::decide(const std::string& orderId, net::EcReport kind,
                                              ByteView message, ByteView signature,
                                              EVP_PKEY* device) {
    if (!crypto::verifySha256Signature(device, message, signature)) {
        refuse(403, "bad_signature");
    }
    if (const auto earlier = decided_.find(orderId); earlier != decided_.end()) {
        if (earlier->second.message == Bytes(message.begin(), message.end())) {
            return {true, earlier->second.receipt};
        }
        refuse(409, kind == net::EcReport::Reversal && earlier->second.receipt.status == "settled"
                        ? "order_settled"
                        : "result_conflict");
    }
    const auto given = authorized_.find(orderId);
    if (kind == net::EcReport::Result) {
        const wire::EcLoadResult result = wire::parseEcLoadResult(message);
        if (given == authorized_.end() || result.nonce != given->second.nonce ||
            result.atc != given->second.atc) {
            refuse(409, "unknown_authorization");
        }
        return decideLocked(orderId, given->second,
                            result.ecBalanceAfter == given->second.newBalance, message);
    }
    const wire::EcLoadReversal reversal = wire::parseEcLoadReversal(message);
    if (given == authorized_.end() || reversal.nonce != given->second.nonce ||
        reversal.atc != given->second.atc) {
        refuse(409, "unknown_authorization");
    }
    return decideLocked(orderId, given->second, false, message);
}

net::EcReportOutcome ScriptedEcIssuer::decideLocked(const std::string& orderId,
                                                    const Authorization& given, bool settle,
                                                    ByteView message) {
    if (!settle) {
        accountBalance += given.amount;
        ++ledgers_[orderId].refunds;
    }
    wire::EcReceipt receipt{
        "RCP-EC-" + std::to_string(decided_.size() + 1),
        orderId,
        settle ? "settled" : "reversed",
        given.amount,
        "\u2026" + given.panLast4,
        static_cast<std::uint32_t>(settle ? given.newBalance : given.newBalance - given.amount),
        static_cast<std::int64_t>(std::time(nullptr))};
    decided_[orderId] = Decision{Bytes(message.begin(), message.end()), receipt};
    return {false, receipt};
}

json ScriptedEcIssuer::authorizePurchase(const std::string& orderId, std::uint32_t amount,
                                         const std::string& merchant, const json& request) {
    requests_.push_back(request);
    if (purchaseDecisions_.count(orderId) != 0) {
        refuse(409, "order_settled");
    }
    if (const auto earlier = purchases_.find(orderId); earlier != purchases_.end()) {
        if (earlier->second.request == request) {
            return earlier->second.answer;  // a lost answer: the same again, no second debit
        }
        if (!earlier->second.nonce.empty()) {  // a declined one debited nothing: try again
            refuse(409, "authorization_outstanding");
        }
    }
    json answer = decidePurchaseAnswer(orderId, amount, merchant, request);
    return answer;
}

json ScriptedEcIssuer::decidePurchaseAnswer(const std::string& orderId, std::uint32_t amount,
                                            const std::string& merchant, const json& request) {
    const auto body = wire::PurchaseAuthorizeRequest::fromJson(request);
    pay::SealedPurchase sealed;
    try {
        sealed = pay::openSealedPurchase(paymentKeys.value().channelKey,
                                         paymentKeys.value().chipSerial, body.sealed);
    } catch (const std::exception&) {
        refuse(422, "seal_invalid");
    }
    if (sealed.request.amount != amount || sealed.request.type != 0x00 ||
        sealed.request.orderReference != crypto::sha256(Bytes(orderId.begin(), orderId.end()))) {
        refuse(422, "purchase_mismatch");
    }
    const std::string pan = *pay::panDigits(sealedObject(sealed, emv::tag::kPan));
    const Bytes& iad = sealedObject(sealed, emv::tag::kIssuerApplicationData);
    const std::uint16_t atc = atcOf(sealedObject(sealed, emv::tag::kAtc));
    const CardKeys keys = keysOf(iad, pan, sealedObject(sealed, 0x5F34).at(0), atc);
    const Bytes cdol1Data = emv::buildDolData(emv::parseDol(sealedObject(sealed, emv::tag::kCdol1)),
                                              purchaseTerminalData(sealed));
    const Bytes& arqc = sealedObject(sealed, emv::tag::kApplicationCryptogram);
    if (!arqcVerifies(keys, cdol1Data, sealedObject(sealed, emv::tag::kAip), atc, iad, arqc)) {
        refuse(422, "arqc_invalid");
    }
    std::string_view code = wire::purchase_arc::kApproved;
    if (sealed.pinBlock) {
        const std::string pin = crypto::decipherFormat4(paymentKeys->pinKey, *sealed.pinBlock, pan);
        if (pinTriesLeft == 0) {
            code = wire::purchase_arc::kPinTriesExceeded;
        } else if (pin != accountPin) {
            --pinTriesLeft;
            code = wire::purchase_arc::kIncorrectPin;
        }
    }
    if (code == wire::purchase_arc::kApproved && (declineArc || accountBalance < amount)) {
        code = wire::purchase_arc::kInsufficientFunds;
    }
    const Bytes arc = arcOf(code);
    Bytes arpc = cemv::arpcMethod1(keys.suite, keys.acSession, arqc, arc);
    if (spoilArpc) {
        arpc[0] ^= 0x01U;
    }
    json answer{{"orderId", orderId},
                {"arc", toHex(arc)},
                {"issuerAuthenticationData", toHex(ByteWriter().bytes(arpc).bytes(arc).take())}};
    PurchaseAuthorization given{
        request, json(), amount, merchant, {}, atc, pan.substr(pan.size() - 4), ""};
    if (code == wire::purchase_arc::kIncorrectPin) {
        answer["pinTriesLeft"] = pinTriesLeft;
    }
    if (code == wire::purchase_arc::kApproved) {
        given.nonce = crypto::randomBytes(16);
        given.authCode = "A1B2C3";
        answer["nonce"] = toHex(given.nonce);
        answer["authCode"] = given.authCode;
        accountBalance -= amount;
        ++ledgers_[orderId].debits;
    }
    given.answer = answer;
    purchases_[orderId] = given;
    return answer;
}

net::PurchaseReportOutcome ScriptedEcIssuer::decidePurchase(const std::string& orderId,
                                                            net::PurchaseReport kind,
                                                            ByteView message) {
    const Bytes bytes(message.begin(), message.end());
    if (const auto earlier = purchaseDecisions_.find(orderId);
        earlier != purchaseDecisions_.end()) {
        if (earlier->second.message == bytes) {
            return {true, earlier->second.receipt};
        }
        refuse(409,
               earlier->second.receipt.status == "settled" ? "order_settled" : "result_conflict");
    }
    Bytes nonce;
    std::uint16_t atc = 0;
    bool settle = false;
    if (kind == net::PurchaseReport::Result) {
        purchaseResults.push_back(wire::parsePurchaseResult(message));
        nonce = purchaseResults.back().nonce;
        atc = purchaseResults.back().atc;
        settle = (purchaseResults.back().cid & wire::kCidTypeMask) == wire::kCidTc;
    } else {
        purchaseReversals.push_back(wire::parsePurchaseReversal(message));
        nonce = purchaseReversals.back().nonce;
        atc = purchaseReversals.back().atc;
    }
    const auto given = purchases_.find(orderId);
    PurchaseAuthorization known;
    if (given != purchases_.end()) {
        if (given->second.nonce.empty() || given->second.nonce != nonce ||
            given->second.atc != atc) {
            refuse(409, "unknown_authorization");
        }
        known = given->second;
        if (!settle) {
            accountBalance += known.amount;
            ++ledgers_[orderId].refunds;
        }
    }
    const wire::PurchaseReceipt receipt{
        "RCP-PAY-" + std::to_string(purchaseDecisions_.size() + 1),
        orderId,
        settle ? "settled" : "reversed",
        known.amount,
        known.merchant,
        "\u2026" + (known.panLast4.empty() ? "1234" : known.panLast4),
        known.authCode,
        static_cast<std::int64_t>(std::time(nullptr))};
    purchaseDecisions_[orderId] = PurchaseDecision{bytes, receipt};
    return {false, receipt};
}

ScriptedEcIssuer::Ledger ScriptedEcIssuer::ledger(const std::string& orderId) const {
    const auto found = ledgers_.find(orderId);
    return found == ledgers_.end() ? Ledger{} : found->second;
}

std::string ScriptedEcIssuer::decision(const std::string& orderId) const {
    const auto found = decided_.find(orderId);
    return found == decided_.end() ? "" : found->second.receipt.status;
}

}  // namespace taplink::service::testing
