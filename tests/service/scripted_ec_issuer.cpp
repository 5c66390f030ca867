#include "scripted_ec_issuer.hpp"

#include <array>
#include <ctime>

#include "cards/test_issuer.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/emv/bcd.hpp"
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

CardKeys keysOf(const wire::EcAuthorizeRequest& body) {
    const cemv::Suite suite = cemv::suiteFromAlgorithmIndicator(body.iad.at(7));
    const auto keys = sim::testBankIssuerKeys(suite);
    const auto session = [&](const Bytes& imk) {
        return cemv::sessionKey(suite, cemv::iccMasterKey(suite, imk, body.pan, body.psn),
                                body.atc);
    };
    return {suite, session(keys.ac), session(keys.smi)};
}

// AC over CDOL1 data || AIP || ATC || CVR (IAD bytes 4-7), docs/server.md.
bool arqcVerifies(const wire::EcAuthorizeRequest& body, const CardKeys& keys) {
    const Bytes input = ByteWriter()
                            .bytes(body.cdol1Data)
                            .bytes(body.aip)
                            .u16(body.atc)
                            .bytes(ByteView(body.iad).subspan(3, 4))
                            .take();
    return cemv::applicationCryptogram(keys.suite, keys.acSession, input) == body.arqc;
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

ScriptedEcIssuer::Ledger ScriptedEcIssuer::ledger(const std::string& orderId) const {
    const auto found = ledgers_.find(orderId);
    return found == ledgers_.end() ? Ledger{} : found->second;
}

std::string ScriptedEcIssuer::decision(const std::string& orderId) const {
    const auto found = decided_.find(orderId);
    return found == decided_.end() ? "" : found->second.receipt.status;
}

}  // namespace taplink::service::testing
