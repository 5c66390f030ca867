#include "api/ecload_api.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "api/api_error.hpp"
#include "api/card_transaction.hpp"
#include "api/device_request.hpp"
#include "api/pan_privacy.hpp"
#include "api/replay_or_conflict.hpp"
#include "store/random_ids.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/crypto/crypto_error.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_error.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;
using wire::OrderStatus;

constexpr std::uint32_t kAmountAuthorisedTag = 0x9F02;
constexpr std::uint32_t kCurrencyTag = 0x5F2A;
constexpr std::uint32_t kTransactionTypeTag = 0x9C;
using Pair = std::array<std::uint8_t, 2>;
constexpr Pair kYuanCurrency{0x01, 0x56};  // 5F2A: ISO 4217 numeric 156, n3 in 2 bytes
// 9C of an EC load (JR/T 0025.13): 60 load from a designated account, 62 from a
// non-designated account. A cash load (63) or a purchase is not an account-funded load.
constexpr std::uint8_t kDesignatedAccountLoad = 0x60;
constexpr std::uint8_t kNonDesignatedAccountLoad = 0x62;
constexpr Pair kApprovedArc{0x30, 0x30};           // 8A "00", EMV Book 4 A6
constexpr Pair kInsufficientFundsArc{0x35, 0x31};  // 8A "51", insufficient funds
constexpr std::uint8_t kScriptSucceeded = 0x20;    // 9F5B result byte, upper nibble 2
constexpr std::uint8_t kScriptResultMask = 0xF0;

Bytes bytesOf(const Pair& pair) {
    return {pair.begin(), pair.end()};
}

[[noreturn]] void refuse(int status, const char* code, const std::string& message) {
    throw ApiError(status, code, message);
}

// The terminal data of the first GENERATE AC that the issuer checks.
struct LoadTerms {
    std::uint64_t amount = 0;
    Bytes currency;
    std::uint8_t transactionType = 0;
};

// The value the CDOL1 data gives tag, of exactly size bytes.
Bytes requiredTerm(const emv::TerminalData& terms, std::uint32_t tag, std::size_t size) {
    const auto value = terms.find(tag);
    if (value == terms.end() || value->second.size() != size) {
        refuse(400, "malformed_request",
               "cdol1 must name " + toHex(tlv::encodeTag(tag)) + " with " + std::to_string(size) +
                   " bytes");
    }
    return value->second;
}

// 400 malformed_request when cdol1 does not parse, cdol1Data does not fit it (EMV Book 3
// 5.4) or it lacks 9F02, 5F2A or 9C.
LoadTerms loadTermsOf(const wire::EcAuthorizeRequest& body) {
    try {
        const emv::TerminalData terms = emv::readDolData(emv::parseDol(body.cdol1), body.cdol1Data);
        return LoadTerms{
            emv::decodeAmount(requiredTerm(terms, kAmountAuthorisedTag, emv::kAmountSize), "9F02"),
            requiredTerm(terms, kCurrencyTag, 2), requiredTerm(terms, kTransactionTypeTag, 1)[0]};
    } catch (const emv::EmvError& error) {
        refuse(400, "malformed_request", std::string("cdol1 or its data: ") + error.what());
    }
}

// An ARQC is what the first GENERATE AC must have given.
void requireArqc(std::uint8_t cid) {
    if ((cid & wire::kCidTypeMask) != wire::kCidArqc) {
        refuse(400, "malformed_request", "the first GENERATE AC did not give an ARQC");
    }
}

void checkLoadTerms(const LoadTerms& terms, const OrderRecord& order) {
    const bool loadType = terms.transactionType == kDesignatedAccountLoad ||
                          terms.transactionType == kNonDesignatedAccountLoad;
    if (terms.amount != order.amount ||
        !std::equal(terms.currency.begin(), terms.currency.end(), kYuanCurrency.begin()) ||
        !loadType) {
        refuse(422, "amount_mismatch",
               "the card was asked for " + std::to_string(terms.amount) + " fen in currency " +
                   toHex(terms.currency) + ", type " + toHex(Bytes{terms.transactionType}) +
                   "; the order is an EC load of " + std::to_string(order.amount) + " fen in 0156");
    }
}

json answerOf(const std::string& orderId, ByteView arc, const Bytes& arpc) {
    return wire::toJson(wire::EcAuthorizeResponse{orderId, Bytes(arc.begin(), arc.end()), arpc,
                                                  concat(arpc, arc), std::nullopt, std::nullopt,
                                                  std::nullopt});
}

wire::EcReceipt receiptOf(const EcDecisionRecord& decision) {
    return wire::EcReceipt{
        decision.receiptId,           decision.orderId,        decision.kind,     decision.amount,
        maskedPan(decision.panLast4), decision.ecBalanceAfter, decision.decidedAt};
}

json decisionAnswer(const EcDecisionRecord& decision) {
    return {{"orderId", decision.orderId},
            {"status", decision.kind},
            {"decidedAt", decision.decidedAt},
            {"receipt", wire::toJson(receiptOf(decision))}};
}

[[noreturn]] void replayOrConflict(const EcDecisionRecord& earlier, ByteView message) {
    server::replayOrConflict(
        DecidedOrder{earlier.orderId, earlier.message, earlier.kind,
                     earlier.kind == "settled" ? "already_settled" : "already_reversed",
                     wire::toJson(receiptOf(earlier))},
        message);
}

bool scriptSucceeded(ByteView scriptResult, ByteView scriptId) {
    return (scriptResult[0] & kScriptResultMask) == kScriptSucceeded &&
           crypto::constantTimeEqual(scriptResult.subspan(1), scriptId);
}

// Settle when the card holds the new balance; otherwise the card never took the money.
std::pair<std::string, std::string> decisionOf(const wire::EcLoadResult& result,
                                               const EcAuthorizationRecord& authorization) {
    const bool tc = (result.cid & wire::kCidTypeMask) == wire::kCidTc;
    const bool script = scriptSucceeded(result.scriptResult, authorization.scriptId);
    const std::string seen = std::string(tc ? "TC" : "AAC") + ", script " +
                             toHex(result.scriptResult) + ", EC balance " +
                             std::to_string(result.ecBalanceAfter);
    if (result.ecBalanceAfter == authorization.newBalance) {
        return {"settled", tc && script ? "tc" : "anomaly: the card holds the load after " + seen};
    }
    return {"reversed", "card did not take the load: " + seen};
}

// ARC "00" with the stored 91 (ARPC || ARC), the issuer script that writes the new balance,
// and the nonce.
json approvedAnswer(const IssuerCard& card, const EcAuthorizationRecord& record) {
    const Bytes& issuerData = record.issuerAuthenticationData;
    // 91 (method 1, EMV Book 2 8.2.1): ARPC (8, the ARQC's size) || ARC.
    const ByteView arpc = ByteView(issuerData).first(wire::kArqcSize);
    const Bytes script = issuerScriptTemplate(
        record.scriptId, ecBalanceScriptCommand(card, record.arqc, record.newBalance));
    return wire::toJson(wire::EcAuthorizeResponse{record.orderId, bytesOf(kApprovedArc),
                                                  Bytes(arpc.begin(), arpc.end()), issuerData,
                                                  record.nonce, script, record.newBalance});
}

void requireBankEc(const OrderRecord& order) {
    if (order.scheme != wire::kBankEcScheme) {
        refuse(422, wire::refusal::kSchemeUnsupported,
               "order " + order.orderId + " is not a bank-card EC load");
    }
}

}  // namespace

EcLoadApi::EcLoadApi(ServerStore& store, const sim::IssuerKeySet& issuers)
    : store_(store), issuers_(issuers) {}

OrderRecord EcLoadApi::ecOrder(const std::string& orderId) const {
    auto order = wire::isValidOrderId(orderId) ? store_.findOrder(orderId) : std::nullopt;
    if (!order) {
        refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
    }
    return *order;
}

IssuerCard EcLoadApi::cardOf(const std::string& pan, std::uint8_t psn, std::uint16_t atc,
                             std::uint8_t algorithmIndicator) const {
    return issuerCardOf(issuers_, pan, psn, atc, algorithmIndicator);
}

AccountRecord EcLoadApi::linkedAccount(const OrderRecord& order, const std::string& pan) const {
    const auto accountId = store_.accountOfOrder(order.orderId);
    auto account = accountId ? store_.findAccount(*accountId) : std::nullopt;
    if (!account || !crypto::constantTimeEqual(fromHex(account->panHash),
                                               fromHex(panHash(store_.panHashKey(), pan)))) {
        refuse(422, wire::refusal::kCardNotLinked,
               "the card is not the one the order's account funds");
    }
    return *account;
}

// --- POST /v1/orders/{id}/ecload/authorize

Response EcLoadApi::authorize(const Request& request, const DeviceCaller& caller,
                              const std::string& orderId) {
    const auto body = parseBody<wire::EcAuthorizeRequest>(request);
    const LoadTerms terms = loadTermsOf(body);
    requireArqc(body.cid);
    const OrderRecord order = ecOrder(orderId);
    refuseClosed(order);
    requireBankEc(order);
    const IssuerCard card =
        cardOf(body.pan, body.psn, body.atc, body.iad[kAlgorithmIndicatorOffset]);
    requireCallersTerminal(body.terminalId, caller);
    const AccountRecord account = linkedAccount(order, body.pan);
    checkLoadTerms(terms, order);
    checkArqc(card, body, order);
    return http::jsonResponse(200, approve(caller, order, account, card, body));
}

EcAuthorizationRecord EcLoadApi::newAuthorization(const DeviceCaller& caller,
                                                  const OrderRecord& order,
                                                  const AccountRecord& account,
                                                  const wire::EcAuthorizeRequest& body) const {
    EcAuthorizationRecord record;
    record.orderId = order.orderId;
    record.accountId = account.accountId;
    record.deviceFingerprint = caller.device.fingerprint;
    record.chipSerial = caller.device.chipSerialHex;
    record.panHash = account.panHash;
    record.panSealed = sealPan(store_.panSealKey(), order.orderId, body.pan);
    record.panLast4 = panLastFour(body.pan);
    record.psn = body.psn;
    record.algorithmIndicator = body.iad[kAlgorithmIndicatorOffset];
    record.aip = body.aip;
    record.atc = body.atc;
    record.arqc = body.arqc;
    record.terminalId = body.terminalId;
    record.nonce = crypto::randomBytes(wire::kNonceSize);
    record.scriptId = crypto::randomBytes(wire::kScriptIdSize);
    record.newBalance = body.ecBalance + order.amount;
    record.issuedAt = nowSeconds();
    return record;
}

json EcLoadApi::approve(const DeviceCaller& caller, const OrderRecord& order,
                        const AccountRecord& account, const IssuerCard& card,
                        const wire::EcAuthorizeRequest& body) {
    EcAuthorizationRecord record = newAuthorization(caller, order, account, body);
    record.issuerAuthenticationData =
        concat(issuerArpc(card, record.arqc, kApprovedArc), kApprovedArc);  // 91, method 1
    record.answer = approvedAnswer(card, record).dump();
    const EcAuthorizeOutcome outcome = store_.recordEcAuthorization(record, order.amount);
    if (outcome == EcAuthorizeOutcome::SameRequest) {
        store_.recordEvent(EventRecord{0, 0, "replay", order.orderId, caller.device.chipSerialHex,
                                       "", "EC authorize again"});
    }
    if (outcome == EcAuthorizeOutcome::Declined) {
        return declined(order, card, body.arqc);
    }
    refuseUnrecorded(outcome, order.orderId);
    return json::parse(record.answer);
}

void EcLoadApi::refuseUnrecorded(EcAuthorizeOutcome outcome, const std::string& orderId) const {
    switch (outcome) {
        case EcAuthorizeOutcome::Approved:
        case EcAuthorizeOutcome::SameRequest:
        case EcAuthorizeOutcome::Declined:
            return;
        case EcAuthorizeOutcome::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
        case EcAuthorizeOutcome::OrderNotOpen:
            refuseClosed(ecOrder(orderId));
            refuse(409, "order_not_open", "order " + orderId + " is not open");
        case EcAuthorizeOutcome::AtcReplayed:
            refuse(409, "atc_replayed",
                   "the card's ATC is not above the last one it showed: a recorded ARQC");
        case EcAuthorizeOutcome::Outstanding:
            break;
    }
    refuse(409, "authorization_outstanding",
           "an authorization for another card, ATC, device or terminal was given: report the "
           "result of the "
           "earlier attempt");
}

// ARC "51": the card is told the issuer declined, with an ARPC that proves it.
json EcLoadApi::declined(const OrderRecord& order, const IssuerCard& card, ByteView arqc) const {
    return answerOf(order.orderId, kInsufficientFundsArc,
                    issuerArpc(card, arqc, kInsufficientFundsArc));
}

// --- POST /v1/orders/{id}/ecload/result and /reverse

EcAuthorizationRecord EcLoadApi::matchingAuthorization(const DeviceCaller& caller,
                                                       const std::string& orderId, ByteView nonce,
                                                       std::uint16_t atc,
                                                       ByteView terminalId) const {
    auto authorization = store_.ecAuthorizationFor(orderId);
    if (!authorization || !isAuthorizationFor(*authorization, caller, nonce, atc, terminalId)) {
        refuse(409, "unknown_authorization",
               "no EC load of order " + orderId +
                   " was authorized to this device for this nonce, ATC and terminal");
    }
    return std::move(*authorization);
}

IssuerCard EcLoadApi::cardOf(const EcAuthorizationRecord& authorization) const {
    const auto pan = openPan(store_.panSealKey(), authorization.orderId, authorization.panSealed);
    if (!pan) {
        throw std::runtime_error("the sealed PAN of order " + authorization.orderId +
                                 " does not open");
    }
    return cardOf(*pan, authorization.psn, authorization.atc, authorization.algorithmIndicator);
}

Response EcLoadApi::result(const Request& request, const DeviceCaller& caller,
                           const std::string& orderId) {
    const auto report = parseBody<wire::ResultReport>(request);
    const wire::EcLoadResult result = parseSignedMessage(
        signedMessage(caller, report), wire::parseEcLoadResult, orderId, "result");
    const OrderRecord order = undecidedOrder(orderId, report.result);
    const EcAuthorizationRecord authorization =
        matchingAuthorization(caller, orderId, result.nonce, result.atc, result.terminalId);
    checkSecondCryptogram(result, authorization);
    EcDecisionRecord decision = decisionFor(caller, report, order, authorization);
    std::tie(decision.kind, decision.detail) = decisionOf(result, authorization);
    decision.ecBalanceAfter = result.ecBalanceAfter;
    return decide(decision);
}

// The order a result may decide: a decided one answers the replay or the conflict here.
OrderRecord EcLoadApi::undecidedOrder(const std::string& orderId, ByteView message) const {
    OrderRecord order = ecOrder(orderId);
    if (const auto earlier = store_.ecDecisionFor(orderId)) {
        replayOrConflict(*earlier, message);
    }
    refuseClosed(order);
    requireBankEc(order);
    return order;
}

// The only step after authorize that needs the card's keys (and so its sealed PAN).
void EcLoadApi::checkSecondCryptogram(const wire::EcLoadResult& result,
                                      const EcAuthorizationRecord& authorization) const {
    requireSecondAc(SecondAc{result.cid, result.cryptogram, result.cdol2Data, result.iad},
                    authorization.arqc, authorization.issuerAuthenticationData);
    const Bytes input =
        cryptogramInput(result.cdol2Data, authorization.aip, result.atc, result.iad);
    if (!crypto::constantTimeEqual(expectedCryptogram(cardOf(authorization), input),
                                   result.cryptogram)) {
        refuseCryptogram("the cryptogram does not verify with the card's AC key");
    }
}

void EcLoadApi::checkArqc(const IssuerCard& card, const wire::EcAuthorizeRequest& body,
                          const OrderRecord& order) const {
    const Bytes input = cryptogramInput(body.cdol1Data, body.aip, body.atc, body.iad);
    if (!crypto::constantTimeEqual(expectedCryptogram(card, input), body.arqc)) {
        refuse(422, "arqc_invalid", "the ARQC does not verify with the card's AC key");
    }
    if (std::uint64_t{body.ecBalance} + order.amount > body.ecBalanceLimit) {
        refuse(422, wire::refusal::kEcLimitExceeded,
               "the EC balance would pass the card's limit (9F77)");
    }
}

EcDecisionRecord EcLoadApi::decisionFor(const DeviceCaller& caller,
                                        const wire::ResultReport& report, const OrderRecord& order,
                                        const EcAuthorizationRecord& authorization) const {
    EcDecisionRecord decision = newDecision<EcDecisionRecord>(caller, report, order, authorization);
    decision.ecBalanceAfter = authorization.newBalance - order.amount;
    return decision;
}

Response EcLoadApi::decide(const EcDecisionRecord& decision) {
    const EcDecideOutcome outcome = store_.decideEcLoad(decision);
    switch (outcome.kind) {
        case EcDecideOutcome::Kind::Decided:
            return http::jsonResponse(200, decisionAnswer(decision));
        case EcDecideOutcome::Kind::SameMessage:
        case EcDecideOutcome::Kind::Conflict:
            replayOrConflict(*outcome.decision, decision.message);
        case EcDecideOutcome::Kind::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + decision.orderId);
        case EcDecideOutcome::Kind::NotDebited:
        case EcDecideOutcome::Kind::OrderClosed:
            break;
    }
    refuseClosed(ecOrder(decision.orderId));
    refuse(409, "unknown_authorization", "order " + decision.orderId + " has no EC load debit");
}

// An explicit reversal: only for a debited order with no decision; a reversed order answers
// its reversal again (idempotent), a settled one is 409 order_settled. It needs no keys: a
// debited order can always be refunded.
Response EcLoadApi::reverse(const Request& request, const DeviceCaller& caller,
                            const std::string& orderId) {
    const auto report = parseBody<wire::ResultReport>(request);
    const wire::EcLoadReversal reversal = parseSignedMessage(
        signedMessage(caller, report), wire::parseEcLoadReversal, orderId, "reversal");
    const OrderRecord order = ecOrder(orderId);
    if (auto earlier = reversedBefore(caller, orderId)) {
        return std::move(*earlier);
    }
    refuseClosed(order);
    requireBankEc(order);
    const EcAuthorizationRecord authorization =
        matchingAuthorization(caller, orderId, reversal.nonce, reversal.atc, reversal.terminalId);
    EcDecisionRecord decision = decisionFor(caller, report, order, authorization);
    decision.kind = "reversed";
    decision.detail = "reversal: " + std::string(wire::toString(reversal.reason));
    return decide(decision);
}

// The answer of an order reversed before, again; nullopt otherwise.
std::optional<Response> EcLoadApi::reversedBefore(const DeviceCaller& caller,
                                                  const std::string& orderId) {
    const auto earlier = store_.ecDecisionFor(orderId);
    if (!earlier || earlier->kind != "reversed") {
        return std::nullopt;
    }
    store_.recordEvent(EventRecord{0, 0, "replay", orderId, caller.device.chipSerialHex,
                                   "already_reversed", "EC reversal again"});
    return http::jsonResponse(200, decisionAnswer(*earlier));
}

}  // namespace taplink::server
