#include "api/purchase_api.hpp"

#include <openssl/crypto.h>

#include "api/account_pin.hpp"
#include "api/device_request.hpp"
#include "api/pan_privacy.hpp"
#include "api/replay_or_conflict.hpp"
#include "api/tsm_jobs.hpp"
#include "store/random_ids.hpp"
#include "taplink/base/log.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
namespace arc = wire::purchase_arc;
namespace pay = chip::pay;
using http::Request;
using http::Response;
using nlohmann::json;

// RFC 4648 base32: upper-case letters and digits, 32 of them, so a random byte's low five
// bits pick one without bias.
constexpr std::string_view kAuthCodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::uint8_t kFiveBits = 0x1F;

[[noreturn]] void refuse(int status, const char* code, const std::string& message) {
    throw ApiError(status, code, message);
}

// 89, an 6 (EMV Book 3 annex A): the approval's reference for the cardholder and merchant.
std::string newAuthCode() {
    const Bytes random = crypto::randomBytes(wire::kAuthCodeSize);
    std::string code;
    for (const std::uint8_t byte : random) {
        code.push_back(kAuthCodeAlphabet[byte & kFiveBits]);
    }
    return code;
}

// The payment keys wiped when they go.
struct WipedKeys {
    chip::mgmt::PaymentKeys keys;
    explicit WipedKeys(chip::mgmt::PaymentKeys opened) : keys(std::move(opened)) {}
    WipedKeys(const WipedKeys&) = delete;
    WipedKeys& operator=(const WipedKeys&) = delete;
    ~WipedKeys() {
        for (Bytes* key : {&keys.channelKey, &keys.pinKey, &keys.tokenSeed}) {
            OPENSSL_cleanse(key->data(), key->size());
        }
    }
};

// Why the chip's payment parameters are older than the newest the TSM queued for it, as far
// as the store knows them (the applet's last authenticated MANAGE answer); nullopt when they
// are not, or when the store has no such answer (docs/server.md, "TSM").
std::optional<std::string> outdatedParameters(ServerStore& store, const std::string& chipSerial) {
    const auto queued = store.tsmParameters(chipSerial);
    const auto applet = store.tsmApplet(chipSerial, chip::mgmt::Applet::Payment);
    if (!queued || !applet || !applet->lifecycle || applet->parametersVersion >= queued->version) {
        return std::nullopt;
    }
    return "chip " + chipSerial + " applied payment parameters version " +
           std::to_string(applet->parametersVersion) + ", the TSM queued version " +
           std::to_string(queued->version) + ": sync the chip first";
}

// The replay's event is a note: an answer already committed goes out even when the note
// cannot be written (a 5xx would make the device think it was never debited).
void noteReplay(ServerStore& store, const std::string& orderId, const std::string& chipSerial,
                const std::string& code, const std::string& detail) noexcept {
    try {
        store.recordEvent(EventRecord{0, 0, "replay", orderId, chipSerial, code, detail});
    } catch (const std::exception& error) {
        log::warning("order " + orderId + ": cannot record the replay: " + error.what());
    }
}

}  // namespace

// The opened seal: what the chip sealed, its card and the PIN (wiped when it goes).
struct PurchaseApi::Opened {
    pay::SealedPurchase purchase;
    SealedCard card;
    std::optional<std::string> pin;

    Opened() = default;
    Opened(Opened&&) noexcept = default;  // leaves an empty PIN behind
    Opened(const Opened&) = delete;
    Opened& operator=(const Opened&) = delete;
    Opened& operator=(Opened&&) = delete;
    ~Opened() {
        if (pin) {
            OPENSSL_cleanse(pin->data(), pin->size());
        }
    }
};

// What authorize verified, for the issuer's decision inside the store's transaction.
struct PurchaseApi::Checked {
    const DeviceCaller& caller;
    const OrderRecord& order;
    const Opened& opened;
    const IssuerCard& card;
    ByteView terminalId;
    IssuerFacts facts;
};

PurchaseApi::PurchaseApi(ServerStore& store, const sim::IssuerKeySet& issuers,
                         std::optional<Bytes> paymentSealKey)
    : store_(store), issuers_(issuers), paymentSealKey_(std::move(paymentSealKey)) {}

// 404 for no order, 409 for one that is not a purchase (as the EC load's closed orders).
OrderRecord PurchaseApi::purchaseOrder(const std::string& orderId) const {
    auto order = wire::isValidOrderId(orderId) ? store_.findOrder(orderId) : std::nullopt;
    if (!order) {
        refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
    }
    if (order->scheme != wire::kBankPurchaseScheme) {
        refuse(409, wire::refusal::kSchemeUnsupported,
               "order " + orderId + " is not a bank-card purchase");
    }
    return std::move(*order);
}

// --- POST /v1/orders/{id}/purchase/authorize

// The stored answer to these sealed bytes from this chip, byte for byte, before any other
// check: the chip locked, the order closed or the keys gone since must not hide a debit.
std::optional<Response> PurchaseApi::answeredBefore(const Request& request,
                                                    const DeviceCaller& caller,
                                                    const std::string& orderId) {
    const auto body = parseBody<wire::PurchaseAuthorizeRequest>(request);
    auto answer = store_.purchaseAnswerFor(orderId, toHex(crypto::sha256(body.sealed)),
                                           caller.device.chipSerialHex);
    if (!answer) {
        return std::nullopt;
    }
    noteReplay(store_, orderId, caller.device.chipSerialHex, "", "purchase authorize again");
    return http::jsonResponse(200, json::parse(*answer));
}

Response PurchaseApi::authorize(const Request& request, const DeviceCaller& caller,
                                const std::string& orderId) {
    const auto body = parseBody<wire::PurchaseAuthorizeRequest>(request);
    const OrderRecord order = purchaseOrder(orderId);
    refuseClosed(order);
    requireCallersTerminal(body.terminalId, caller);
    const Opened opened = openSeal(caller, body.sealed);
    checkPurchaseTerms(opened.purchase.request, orderId, order.amount, todayYymmdd());
    const SealedCard& sealed = opened.card;
    const IssuerCard card = issuerCardOf(issuers_, sealed.pan, sealed.psn, sealed.atc,
                                         sealed.iad[kAlgorithmIndicatorOffset]);
    checkArqc(card, opened);
    const Checked checked{caller, order, opened, card, body.terminalId, factsOf(caller, opened)};
    const PurchaseAttemptRecord attempt{orderId,
                                        toHex(crypto::sha256(body.sealed)),
                                        caller.device.chipSerialHex,
                                        panHash(store_.panHashKey(), sealed.pan),
                                        sealed.atc,
                                        sealed.arqc,
                                        "",
                                        "",
                                        nowSeconds()};
    const auto outdated = outdatedParameters(store_, caller.device.chipSerialHex);
    const PurchaseAuthorizeResult outcome =
        store_.authorizePurchase(attempt, [&](const std::optional<AccountRecord>& account) {
            if (outdated) {  // past the store's replay check: an earlier answer stands
                refuse(409, wire::refusal::kParamsOutdated, *outdated);
            }
            return verdictFor(checked, account);
        });
    if (outcome.outcome == PurchaseAuthorizeOutcome::SameRequest) {
        noteReplay(store_, orderId, caller.device.chipSerialHex, "", "purchase authorize again");
    }
    refuseUndecided(outcome.outcome, orderId);
    return http::jsonResponse(200, json::parse(outcome.answer));
}

// The seal opened with the caller's chip's channel key, its PIN block with the PIN key.
PurchaseApi::Opened PurchaseApi::openSeal(const DeviceCaller& caller, ByteView sealed) const {
    auto keys = paymentSealKey_
                    ? openPaymentKeys(store_, *paymentSealKey_, caller.device.chipSerialHex)
                    : std::nullopt;
    if (!keys) {
        refuse(422, wire::refusal::kPaymentKeysMissing,
               "the server holds no payment keys for chip " + caller.device.chipSerialHex);
    }
    const WipedKeys wiped{std::move(*keys)};
    Opened opened;
    try {
        opened.purchase =
            pay::openSealedPurchase(wiped.keys.channelKey, caller.device.chipSerial, sealed);
        opened.card = sealedCardOf(opened.purchase);
        if (opened.purchase.pinBlock) {
            opened.pin = crypto::decipherFormat4(wiped.keys.pinKey, *opened.purchase.pinBlock,
                                                 opened.card.pan);
        }
    } catch (const pay::SealError& error) {
        refuse(422, wire::refusal::kSealInvalid, error.what());
    } catch (const pay::PurchaseFormatError& error) {
        refuse(422, wire::refusal::kSealInvalid, error.what());
    } catch (const crypto::PinBlockError&) {
        refuse(422, wire::refusal::kSealInvalid, "the PIN block does not open with the PIN key");
    }
    return opened;
}

// The ARQC over the CDOL1 data rebuilt here: it proves the card signed the sealed amount,
// date and unpredictable number.
void PurchaseApi::checkArqc(const IssuerCard& card, const Opened& opened) const {
    const Bytes input = cryptogramInput(rebuiltCdol1Data(opened.card, opened.purchase),
                                        opened.card.aip, opened.card.atc, opened.card.iad);
    if (!crypto::constantTimeEqual(expectedCryptogram(card, input), opened.card.arqc)) {
        refuse(422, wire::refusal::kArqcInvalid,
               "the ARQC does not verify with the card's AC key over the sealed terminal data");
    }
}

// The server's copy of the chip's parameters (the TSM's last queued): without it the PIN
// rule and the per-transaction limit cannot be applied, so nothing is authorized (fail
// closed; a personalise always queues them).
chip::mgmt::PaymentParameters PurchaseApi::paymentLimits(const DeviceCaller& caller) const {
    const auto parameters = store_.tsmParameters(caller.device.chipSerialHex);
    if (!parameters) {
        refuse(422, wire::refusal::kParamsMissing,
               "the server holds no payment parameters for chip " + caller.device.chipSerialHex);
    }
    return chip::mgmt::PaymentParameters::parse(parameters->value);
}

IssuerFacts PurchaseApi::factsOf(const DeviceCaller& caller, const Opened& opened) const {
    IssuerFacts facts;
    facts.amount = static_cast<std::uint32_t>(opened.purchase.request.amount);
    facts.expired = pay::isBefore(opened.card.expiry, opened.purchase.request.date);
    facts.limits = paymentLimits(caller);
    facts.pinGiven = opened.pin.has_value();
    facts.pinMatches = [this, &opened](const AccountRecord& account) {
        return crypto::constantTimeEqual(
            fromHex(account.pinHash),
            fromHex(pinHash(store_.pinHashKey(), account.accountId, *opened.pin)));
    };
    return facts;
}

// The issuer's answer with its ARPC (method 1, EMV Book 2 8.2.1), and the approval.
PurchaseVerdict PurchaseApi::verdictFor(const Checked& checked,
                                        const std::optional<AccountRecord>& account) {
    const IssuerDecision decision = issuerDecision(checked.facts, account);
    const Bytes arcBytes = wire::arcBytes(decision.arc);
    const Bytes arpc = issuerArpc(checked.card, checked.opened.card.arqc, arcBytes);
    wire::PurchaseAuthorizeResponse response{checked.order.orderId, arcBytes,
                                             concat(arpc, arcBytes)};
    PurchaseVerdict verdict{std::string(decision.arc), decision.detail, decision.pinTriesLeft,
                            std::nullopt, ""};
    if (decision.arc == arc::kApproved) {
        verdict.approval = approvalOf(checked, *account);
        verdict.approval->issuerAuthenticationData = response.issuerAuthenticationData;
        response.nonce = verdict.approval->nonce;
        response.authCode = verdict.approval->authCode;
    }
    if (decision.arc == arc::kIncorrectPin) {
        response.pinTriesLeft = decision.pinTriesLeft;
    }
    verdict.answer = wire::toJson(response).dump();
    return verdict;
}

PurchaseAuthorizationRecord PurchaseApi::approvalOf(const Checked& checked,
                                                    const AccountRecord& account) const {
    const SealedCard& card = checked.opened.card;
    PurchaseAuthorizationRecord record;
    record.orderId = checked.order.orderId;
    record.accountId = account.accountId;
    record.deviceFingerprint = checked.caller.device.fingerprint;
    record.chipSerial = checked.caller.device.chipSerialHex;
    record.panHash = account.panHash;
    record.panSealed = sealPan(store_.panSealKey(), record.orderId, card.pan);
    record.panLast4 = panLastFour(card.pan);
    record.psn = card.psn;
    record.algorithmIndicator = card.iad[kAlgorithmIndicatorOffset];
    record.aip = card.aip;
    record.atc = card.atc;
    record.arqc = card.arqc;
    record.terminalId = Bytes(checked.terminalId.begin(), checked.terminalId.end());
    record.nonce = crypto::randomBytes(wire::kNonceSize);
    record.authCode = newAuthCode();
    record.issuedAt = nowSeconds();
    return record;
}

void PurchaseApi::refuseUndecided(PurchaseAuthorizeOutcome outcome,
                                  const std::string& orderId) const {
    switch (outcome) {
        case PurchaseAuthorizeOutcome::Decided:
        case PurchaseAuthorizeOutcome::SameRequest:
            return;
        case PurchaseAuthorizeOutcome::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
        case PurchaseAuthorizeOutcome::OrderNotOpen:
            refuseClosed(purchaseOrder(orderId));
            refuse(409, "order_not_open", "order " + orderId + " is not open");
        case PurchaseAuthorizeOutcome::AtcReplayed:
            refuse(409, "atc_replayed",
                   "the card's ATC is not above the last one it showed: a recorded ARQC");
        case PurchaseAuthorizeOutcome::Outstanding:
            break;
    }
    refuse(409, "authorization_outstanding",
           "order " + orderId + " was approved for another sealed purchase: report its result");
}

// --- POST /v1/orders/{id}/purchase/result and /reverse

PurchaseAuthorizationRecord PurchaseApi::matchingAuthorization(const DeviceCaller& caller,
                                                               const std::string& orderId,
                                                               ByteView nonce, std::uint16_t atc,
                                                               ByteView terminalId) const {
    auto authorization = store_.purchaseAuthorizationFor(orderId);
    if (!authorization || !isAuthorizationFor(*authorization, caller, nonce, atc, terminalId)) {
        refuse(409, "unknown_authorization",
               "no purchase of order " + orderId +
                   " was approved to this device for this nonce, ATC and terminal");
    }
    return std::move(*authorization);
}

Response PurchaseApi::result(const Request& request, const DeviceCaller& caller,
                             const std::string& orderId) {
    const auto report = parseBody<wire::ResultReport>(request);
    const wire::PurchaseResult result = parseSignedMessage(
        signedMessage(caller, report), wire::parsePurchaseResult, orderId, "result");
    const OrderRecord order = undecidedOrder(orderId, report.result);
    const PurchaseAuthorizationRecord authorization =
        matchingAuthorization(caller, orderId, result.nonce, result.atc, result.terminalId);
    checkSecondCryptogram(result, authorization);
    PurchaseDecisionRecord decision = decisionFor(caller, report, order, authorization);
    const bool tc = (result.cid & wire::kCidTypeMask) == wire::kCidTc;
    decision.kind = tc ? "settled" : "reversed";
    decision.detail = tc ? "tc" : "aac";
    return decide(decision);
}

// The order a result may decide: a decided one answers the replay or the conflict here.
OrderRecord PurchaseApi::undecidedOrder(const std::string& orderId, ByteView message) const {
    OrderRecord order = purchaseOrder(orderId);
    if (const auto earlier = store_.purchaseDecisionFor(orderId)) {
        replayOrConflict(*earlier, message);
    }
    refuseClosed(order);
    return order;
}

// The TC or AAC over the CDOL2 data, with the card's AC key (its PAN, sealed at approval).
void PurchaseApi::checkSecondCryptogram(const wire::PurchaseResult& result,
                                        const PurchaseAuthorizationRecord& authorization) const {
    requireSecondAc(SecondAc{result.cid, result.cryptogram, result.cdol2Data, result.iad},
                    authorization.arqc, authorization.issuerAuthenticationData);
    const auto pan = openPan(store_.panSealKey(), authorization.orderId, authorization.panSealed);
    if (!pan) {
        throw std::runtime_error("the sealed PAN of order " + authorization.orderId +
                                 " does not open");
    }
    const IssuerCard card = issuerCardOf(issuers_, *pan, authorization.psn, result.atc,
                                         authorization.algorithmIndicator);
    const Bytes input =
        cryptogramInput(result.cdol2Data, authorization.aip, result.atc, result.iad);
    if (!crypto::constantTimeEqual(expectedCryptogram(card, input), result.cryptogram)) {
        refuseCryptogram("the cryptogram does not verify with the card's AC key");
    }
}

PurchaseDecisionRecord PurchaseApi::decisionFor(
    const DeviceCaller& caller, const wire::ResultReport& report, const OrderRecord& order,
    const PurchaseAuthorizationRecord& authorization) const {
    return newDecision<PurchaseDecisionRecord>(caller, report, order, authorization);
}

wire::PurchaseReceipt PurchaseApi::receiptOf(const PurchaseDecisionRecord& decision) const {
    const auto order = store_.findOrder(decision.orderId);
    const auto authorization = store_.purchaseAuthorizationFor(decision.orderId);
    return wire::PurchaseReceipt{decision.receiptId,
                                 decision.orderId,
                                 decision.kind,
                                 decision.amount,
                                 order ? order->merchant : std::string(),
                                 maskedPan(decision.panLast4),
                                 authorization ? authorization->authCode : std::string(),
                                 decision.decidedAt};
}

void PurchaseApi::replayOrConflict(const PurchaseDecisionRecord& earlier, ByteView message) const {
    server::replayOrConflict(DecidedOrder{earlier.orderId, earlier.message, earlier.kind,
                                          earlier.kind == "settled" ? wire::refusal::kAlreadySettled
                                                                    : "already_reversed",
                                          wire::toJson(receiptOf(earlier))},
                             message);
}

Response PurchaseApi::decide(const PurchaseDecisionRecord& decision) {
    const PurchaseDecideOutcome outcome = store_.decidePurchase(decision);
    switch (outcome.kind) {
        case PurchaseDecideOutcome::Kind::Decided:
            return http::jsonResponse(200, wire::toJson(receiptOf(decision)));
        case PurchaseDecideOutcome::Kind::SameMessage:
        case PurchaseDecideOutcome::Kind::Conflict:
            replayOrConflict(*outcome.decision, decision.message);
        case PurchaseDecideOutcome::Kind::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + decision.orderId);
        case PurchaseDecideOutcome::Kind::NotApproved:
        case PurchaseDecideOutcome::Kind::OrderClosed:
            break;
    }
    refuseClosed(purchaseOrder(decision.orderId));
    refuse(409, "unknown_authorization", "order " + decision.orderId + " has no approved purchase");
}

// An explicit reversal: only for an approved order with no decision; a reversed order answers
// its receipt again (idempotent) to the chip it was decided for, a settled one is 409
// order_settled. It needs no keys.
Response PurchaseApi::reverse(const Request& request, const DeviceCaller& caller,
                              const std::string& orderId) {
    const auto report = parseBody<wire::ResultReport>(request);
    const wire::PurchaseReversal reversal = parseSignedMessage(
        signedMessage(caller, report), wire::parsePurchaseReversal, orderId, "reversal");
    const OrderRecord order = purchaseOrder(orderId);
    if (auto earlier = reversedBefore(caller, orderId)) {
        return std::move(*earlier);
    }
    refuseClosed(order);
    const PurchaseAuthorizationRecord authorization =
        matchingAuthorization(caller, orderId, reversal.nonce, reversal.atc, reversal.terminalId);
    PurchaseDecisionRecord decision = decisionFor(caller, report, order, authorization);
    decision.kind = "reversed";
    decision.detail = "reversal: " + std::string(wire::toString(reversal.reason));
    return decide(decision);
}

std::optional<Response> PurchaseApi::reversedBefore(const DeviceCaller& caller,
                                                    const std::string& orderId) {
    const auto earlier = store_.purchaseDecisionFor(orderId);
    // Only the chip the order was decided for gets its receipt; another sees 409.
    if (!earlier || earlier->kind != "reversed" ||
        earlier->chipSerial != caller.device.chipSerialHex) {
        return std::nullopt;
    }
    noteReplay(store_, orderId, caller.device.chipSerialHex, "already_reversed",
               "purchase reversal again");
    return http::jsonResponse(200, wire::toJson(receiptOf(*earlier)));
}

}  // namespace taplink::server
