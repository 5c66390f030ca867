#include "scripted_topup_server.hpp"

#include <ctime>
#include <utility>

#include "cards/test_issuer.hpp"
#include "chip_management.hpp"
#include "net/net_error.hpp"
#include "taplink/base/masking.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::service::testing {

namespace {

namespace wire = net::wire;
namespace ep = crypto::epurse;

constexpr std::int64_t kAuthorizationLifetime = 300;  // seconds, as taplink-server's default

std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// The HTTP status taplink-server answers each code with (docs/server.md).
long statusOf(const std::string& code) {
    if (code == "order_not_found" || code == "script_not_found" || code == "not_found") {
        return 404;
    }
    if (code == "device_revoked" || code == "bad_signature" || code == "terminal_mismatch") {
        return 403;
    }
    if (code == "order_settled" || code == "already_settled" || code == "order_cancelled" ||
        code == "result_conflict" || code == "unknown_authorization") {
        return 409;
    }
    return code == "malformed_request" || code == "malformed_result" ? 400 : 422;
}

[[noreturn]] void refuseWith(const std::string& code, const std::string& message) {
    throw net::ServerRefusal(statusOf(code), code, message);
}

Bytes tacOf(const wire::TopupResult& result) {
    const ep::Suite suite = ep::suiteFromAlgorithmId(result.algorithmId);
    const Bytes dtk = ep::diversify(suite, sim::testIssuerKeys(suite).tac, result.cardSerial);
    return ep::tac(
        suite, dtk,
        cards::epurse::tacInputForLoad(result.balanceAfter, result.onlineAtc, result.amount,
                                       result.terminalId, result.date, result.time));
}

}  // namespace

ScriptedTopupServer::ScriptedTopupServer(X509* device, nlohmann::json scriptEnvelope)
    : chipSerial_(chip::chipSerialOf(device)),
      samPublicKey_(chip::samPublicKeyOf(device)),
      scriptEnvelope_(std::move(scriptEnvelope)) {
    X509_up_ref(device);
    device_.reset(device);
}

void ScriptedTopupServer::addOrder(const std::string& orderId, std::uint32_t amount,
                                   wire::OrderStatus status, const std::string& scheme) {
    const std::lock_guard lock(mutex_);
    orders_[orderId].order = wire::Order{orderId, amount, "CNY", scheme, status};
    if (scheme == wire::kBankPurchaseScheme) {  // present exactly for bank-purchase orders
        orders_[orderId].order.merchant = "TapLink 演示商店 Demo Shop";
    }
}

wire::OrderStatus ScriptedTopupServer::orderStatus(const std::string& orderId) const {
    const std::lock_guard lock(mutex_);
    return orders_.at(orderId).order.status;
}

void ScriptedTopupServer::setParamsVersion(const std::string& orderId, std::uint32_t version) {
    const std::lock_guard lock(mutex_);
    orders_.at(orderId).order.paramsVersion = version;
}

void ScriptedTopupServer::setScriptEnvelope(nlohmann::json envelope) {
    const std::lock_guard lock(mutex_);
    scriptEnvelope_ = std::move(envelope);
}

void ScriptedTopupServer::addScriptEnvelope(nlohmann::json envelope) {
    const std::lock_guard lock(mutex_);
    const std::string scheme = envelope.value("scheme", "");
    otherScripts_[scheme] = std::move(envelope);
}

void ScriptedTopupServer::refuse(ServerCall call, const std::string& code,
                                 std::optional<std::size_t> times) {
    const std::lock_guard lock(mutex_);
    faults_[call] = Fault{Fault::Kind::Refused, code, times};
}

void ScriptedTopupServer::failUnreachable(ServerCall call, std::optional<std::size_t> times) {
    const std::lock_guard lock(mutex_);
    faults_[call] = Fault{Fault::Kind::Unreachable, {}, times};
}

void ScriptedTopupServer::loseAnswer(ServerCall call, std::optional<std::size_t> times) {
    const std::lock_guard lock(mutex_);
    faults_[call] = Fault{Fault::Kind::AnswerLost, {}, times};
}

void ScriptedTopupServer::clearFault(ServerCall call) {
    const std::lock_guard lock(mutex_);
    faults_.erase(call);
}

void ScriptedTopupServer::beforeCall(std::function<void(ServerCall)> hook) {
    const std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
}

std::size_t ScriptedTopupServer::calls(ServerCall call) const {
    const std::lock_guard lock(mutex_);
    const auto found = calls_.find(call);
    return found == calls_.end() ? 0 : found->second;
}

std::vector<wire::TopupResult> ScriptedTopupServer::settledResults() const {
    const std::lock_guard lock(mutex_);
    return settled_;
}

wire::Order ScriptedTopupServer::fetchOrder(const std::string& orderId) {
    const bool lost = enter(ServerCall::FetchOrder);
    const std::lock_guard lock(mutex_);
    return answer(lost, orderLocked(orderId).order);
}

nlohmann::json ScriptedTopupServer::fetchScript(const std::string& scheme) {
    const bool lost = enter(ServerCall::FetchScript);
    const std::lock_guard lock(mutex_);
    if (const auto other = otherScripts_.find(scheme); other != otherScripts_.end()) {
        return answer(lost, other->second);
    }
    if (scriptEnvelope_.value("scheme", "") != scheme) {
        refuseWith("script_not_found", "no recharge script for scheme " + scheme);
    }
    return answer(lost, scriptEnvelope_);
}

nlohmann::json ScriptedTopupServer::exchange(const std::string& orderId, const std::string& call,
                                             const nlohmann::json& request) {
    const bool lost = enter(ServerCall::Exchange);
    if (call == "ecload-authorize") {
        const std::lock_guard lock(mutex_);
        const OrderEntry& entry = orderLocked(orderId);
        if (entry.order.status != wire::OrderStatus::Open) {
            refuseWith("order_settled", "order " + orderId + " is not open");
        }
        if (entry.order.scheme != wire::kBankEcScheme) {
            refuseWith("scheme_unsupported", "order " + orderId + " is not a bank-ec order");
        }
        return answer(lost, ec.authorize(orderId, entry.order.amount, request,
                                         chip::terminalIdOf(chipSerial_)));
    }
    if (call == "purchase-authorize") {
        if (purchaseAuthorize) {
            return answer(lost, purchaseAuthorize(orderId, request));
        }
        const std::lock_guard lock(mutex_);
        const OrderEntry& entry = orderLocked(orderId);
        if (entry.order.status != wire::OrderStatus::Open) {
            refuseWith("order_settled", "order " + orderId + " is not open");
        }
        if (entry.order.scheme != wire::kBankPurchaseScheme) {
            refuseWith("scheme_unsupported", "order " + orderId + " is not a bank-purchase order");
        }
        return answer(lost, ec.authorizePurchase(orderId, entry.order.amount,
                                                 entry.order.merchant.value_or(""), request));
    }
    if (call != "authorize") {
        refuseWith("not_found", "no endpoint /v1/orders/{id}/" + call);
    }
    return answer(lost, authorize(orderId, request));
}

net::PurchaseReportOutcome ScriptedTopupServer::reportPurchase(const std::string& orderId,
                                                               net::PurchaseReport kind,
                                                               ByteView message,
                                                               ByteView signature) {
    const bool lost = enter(ServerCall::ReportPurchase);
    const std::lock_guard lock(mutex_);
    OrderEntry& entry = orderLocked(orderId);
    if (!crypto::verifySha256Signature(X509_get0_pubkey(device_.get()), message, signature)) {
        refuseWith("bad_signature", "the purchase message is not signed by this device's key");
    }
    net::PurchaseReportOutcome outcome = ec.decidePurchase(orderId, kind, message);
    entry.order.status = outcome.receipt.status == "settled" ? wire::OrderStatus::Settled
                                                             : wire::OrderStatus::Reversed;
    return answer(lost, outcome);
}

net::ReportOutcome ScriptedTopupServer::reportResult(const std::string& orderId, ByteView result,
                                                     ByteView signature) {
    const bool lost = enter(ServerCall::ReportResult);
    return answer(lost, settle(orderId, result, signature));
}

net::EcReportOutcome ScriptedTopupServer::reportEcLoad(const std::string& orderId,
                                                       net::EcReport kind, ByteView message,
                                                       ByteView signature) {
    const bool lost = enter(ServerCall::ReportEcLoad);
    const std::lock_guard lock(mutex_);
    OrderEntry& entry = orderLocked(orderId);
    net::EcReportOutcome outcome =
        ec.decide(orderId, kind, message, signature, X509_get0_pubkey(device_.get()));
    entry.order.status = outcome.receipt.status == "settled" ? wire::OrderStatus::Settled
                                                             : wire::OrderStatus::Reversed;
    return answer(lost, outcome);
}

// POST /v1/orders/{id}/result as taplink-server answers it.
net::ReportOutcome ScriptedTopupServer::settle(const std::string& orderId, ByteView result,
                                               ByteView signature) {
    if (!crypto::verifySha256Signature(X509_get0_pubkey(device_.get()), result, signature)) {
        refuseWith("bad_signature", "the result is not signed by this device's key");
    }
    wire::TopupResult parsed;
    try {
        parsed = wire::parseResult(result);
    } catch (const wire::WireFormatError& error) {
        refuseWith("malformed_result", error.what());
    }
    if (parsed.orderId != orderId) {
        refuseWith("order_mismatch", "the result is for order " + parsed.orderId);
    }
    const std::lock_guard lock(mutex_);
    OrderEntry& entry = orderLocked(orderId);
    if (!entry.settledResult.empty()) {
        if (entry.settledResult == Bytes(result.begin(), result.end())) {
            return net::ReportOutcome{true, entry.receipt};  // 409 already_settled, sameResult
        }
        refuseWith("result_conflict", "order " + orderId + " was settled with another result");
    }
    checkResult(entry, parsed);
    entry.order.status = wire::OrderStatus::Settled;
    entry.settledResult.assign(result.begin(), result.end());
    entry.receipt = wire::Receipt{"RCP-" + std::to_string(settled_.size() + 1),
                                  orderId,
                                  parsed.amount,
                                  maskSerial(parsed.cardSerial),
                                  parsed.balanceAfter,
                                  parsed.tac,
                                  now()};
    settled_.push_back(parsed);
    return net::ReportOutcome{false, entry.receipt};
}

template <class Answer>
Answer ScriptedTopupServer::answer(bool lost, Answer value) {
    if (lost) {
        throw net::NetError(net::NetErrorKind::ConnectionLost,
                            "the connection to the test server broke before its answer came");
    }
    return value;
}

// Counts the call and throws the fault chosen for it, after the test's hook has run.
bool ScriptedTopupServer::enter(ServerCall call) {
    std::function<void(ServerCall)> hook;
    std::optional<Fault> fault;
    {
        const std::lock_guard lock(mutex_);
        ++calls_[call];
        hook = hook_;
        const auto found = faults_.find(call);
        if (found != faults_.end()) {
            fault = found->second;
            auto& remaining = found->second.remaining;
            if (remaining && *remaining <= 1) {
                faults_.erase(found);
            } else if (remaining) {
                --*remaining;
            }
        }
    }
    if (hook) {
        hook(call);
    }
    if (fault && fault->kind == Fault::Kind::Refused) {
        refuseWith(fault->code, "the test server refuses: " + fault->code);
    }
    if (fault && fault->kind == Fault::Kind::Unreachable) {
        throw net::NetError(net::NetErrorKind::Unreachable, "the test server is unreachable");
    }
    return fault.has_value();
}

ScriptedTopupServer::OrderEntry& ScriptedTopupServer::orderLocked(const std::string& orderId) {
    const auto found = orders_.find(orderId);
    if (found == orders_.end()) {
        refuseWith("order_not_found", "no order " + orderId);
    }
    return found->second;
}

// POST /v1/orders/{id}/authorize as taplink-server answers it (server/src/api/device_api.cpp).
nlohmann::json ScriptedTopupServer::authorize(const std::string& orderId,
                                              const nlohmann::json& request) {
    wire::AuthorizeRequest body;
    try {
        body = wire::AuthorizeRequest::fromJson(request);
    } catch (const wire::WireFormatError& error) {
        refuseWith("malformed_request", error.what());
    }
    const std::lock_guard lock(mutex_);
    OrderEntry& entry = orderLocked(orderId);
    if (entry.order.status != wire::OrderStatus::Open) {
        refuseWith(
            entry.order.status == wire::OrderStatus::Settled ? "order_settled" : "order_cancelled",
            "order " + orderId + " is not open");
    }
    const sim::Issuer issuer = sim::testIssuer();
    if (body.issuerId != issuer.issuerId || body.keyVersion != issuer.keyVersion) {
        refuseWith("issuer_unknown", "not a card of the test issuer");
    }
    if (body.terminalId != chip::terminalIdOf(chipSerial_)) {
        refuseWith("terminal_mismatch",
                   "terminal " + toHex(body.terminalId) + " is not this device");
    }
    const ep::Suite suite = ep::suiteFromAlgorithmId(body.algorithmId);
    chip::sam::LoadAuthorization authorization;
    authorization.algorithmId = body.algorithmId;
    authorization.cardSerial = body.cardSerial;
    authorization.amount = entry.order.amount;
    authorization.terminalId = body.terminalId;
    authorization.onlineAtc = body.onlineAtc;
    authorization.nonce = crypto::randomBytes(chip::sam::kNonceSize);
    authorization.expiry = static_cast<std::uint64_t>(now() + kAuthorizationLifetime);
    authorization.keyIndex = issuer.keyIndex;
    authorization.keyVersion = issuer.keyVersion;
    authorization.dlk = ep::diversify(suite, sim::testIssuerKeys(suite).load, body.cardSerial);
    const Bytes sealed =
        chip::sam::sealLoadAuthorization(samPublicKey_, chipSerial_, authorization);
    entry.authorizations.push_back(Authorization{
        authorization.nonce, body.cardSerial, body.onlineAtc, body.algorithmId, body.terminalId});
    return wire::toJson(wire::AuthorizeResponse{
        orderId, authorization.nonce, static_cast<std::int64_t>(authorization.expiry),
        "city-epurse", sealed, ::taplink::testing::signTestAllowance(chipSerial_, sealed)});
}

// What a result must pass before it settles an order (taplink-server's checkedSettlement).
void ScriptedTopupServer::checkResult(const OrderEntry& entry,
                                      const wire::TopupResult& result) const {
    if (entry.order.status == wire::OrderStatus::Cancelled) {
        refuseWith("order_cancelled", "order " + entry.order.orderId + " was cancelled");
    }
    if (result.amount != entry.order.amount ||
        std::uint64_t{result.balanceBefore} + result.amount != result.balanceAfter) {
        refuseWith("amount_mismatch", "the result's amounts do not add up to the order's");
    }
    bool issued = false;
    for (const auto& given : entry.authorizations) {
        issued = issued ||
                 (given.nonce == result.nonce && given.cardSerial == result.cardSerial &&
                  given.onlineAtc == result.onlineAtc && given.algorithmId == result.algorithmId &&
                  given.terminalId == result.terminalId);
    }
    if (!issued) {
        refuseWith("unknown_authorization", "no such authorization was issued for this order");
    }
    if (tacOf(result) != result.tac) {
        refuseWith("tac_invalid", "the TAC does not verify with the card's TAC key");
    }
}

}  // namespace taplink::service::testing
