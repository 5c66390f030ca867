#include "api/device_api.hpp"

#include <stdexcept>

#include "api/device_request.hpp"
#include "api/replay_or_conflict.hpp"
#include "api/tsm_jobs.hpp"
#include "api/views.hpp"
#include "store/random_ids.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/wiped_on_exit.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
namespace ep = crypto::epurse;
using http::PathParams;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::string_view kCityScheme = "city-epurse";

[[noreturn]] void refuse(int status, const char* code, const std::string& message) {
    throw ApiError(status, code, message);
}

// The order id of /v1/orders/{id}... for the event log; empty for other paths.
std::string orderIdInPath(const std::string& path) {
    constexpr std::string_view kPrefix = "/v1/orders/";
    if (path.rfind(kPrefix, 0) != 0) {
        return {};
    }
    std::string id = path.substr(kPrefix.size(), path.find('/', kPrefix.size()) - kPrefix.size());
    return wire::isValidOrderId(id) ? id : std::string();
}

const sim::IssuerMasterKeys& issuerKeys(const sim::IssuerKeySet& issuers, ByteView issuerId,
                                        ep::Suite suite, const sim::Issuer** issuerOut) {
    const sim::Issuer* issuer = issuers.find(issuerId);
    if (issuer == nullptr || issuer->scheme != kCityScheme) {
        refuse(422, "issuer_unknown", "no city e-purse issuer " + toHex(issuerId) + " here");
    }
    const sim::IssuerMasterKeys* keys = issuer->keysFor(suite);
    if (keys == nullptr) {
        refuse(422, "suite_unsupported",
               "issuer " + toHex(issuerId) + " has no " + std::string(sim::suiteName(suite)) +
                   " keys");
    }
    *issuerOut = issuer;
    return *keys;
}

// The load authorization the chip will open: the card's DLK, bound to everything it may do.
chip::sam::LoadAuthorization loadAuthorization(const wire::AuthorizeRequest& body,
                                               const OrderRecord& order, const sim::Issuer& issuer,
                                               ByteView dlk, std::int64_t expiresAt) {
    chip::sam::LoadAuthorization authorization;
    authorization.algorithmId = body.algorithmId;  // the card's byte: 00 and 01 both 3DES
    authorization.cardSerial = body.cardSerial;
    authorization.amount = order.amount;
    authorization.terminalId = body.terminalId;
    authorization.onlineAtc = body.onlineAtc;
    authorization.nonce = crypto::randomBytes(chip::sam::kNonceSize);
    authorization.expiry = static_cast<std::uint64_t>(expiresAt);
    authorization.keyIndex = issuer.keyIndex;
    authorization.keyVersion = issuer.keyVersion;
    authorization.dlk.assign(dlk.begin(), dlk.end());
    return authorization;
}

// MAC1 shows that the balance and online ATC the device sent are the card's own: the card
// made it under its load key over its balance, this amount and this terminal (INITIALIZE FOR
// LOAD, JR/T 0025 e-purse), so the balance limit below is checked against what the card holds.
void requireCardsMac1(const wire::AuthorizeRequest& body, const OrderRecord& order, ep::Suite suite,
                      ByteView dlk) {
    Bytes sessionKey = ep::loadSessionKey(suite, dlk, body.random, body.onlineAtc);
    const crypto::WipedOnExit sessionKeyWiped(sessionKey);
    const Bytes expected = ep::sessionMac(
        suite, sessionKey,
        cards::epurse::mac1InputForLoad(body.balance, order.amount, body.terminalId));
    if (!crypto::constantTimeEqual(expected, body.mac1)) {
        refuse(422, "mac1_invalid",
               "the card's MAC1 does not verify: the balance, online ATC or terminal are not "
               "what the card said, or the card is not this issuer's");
    }
}

// A result for an order that is settled already: a replay or a conflict.
[[noreturn]] void replayOrConflict(const SettlementRecord& earlier, ByteView result) {
    server::replayOrConflict(
        DecidedOrder{earlier.orderId, earlier.result, "settled", wire::refusal::kAlreadySettled,
                     wire::toJson(receiptOf(earlier))},
        result);
}

}  // namespace

DeviceApi::DeviceApi(ServerStore& store, const sim::IssuerKeySet& issuers,
                     const ScriptCatalogue& scripts, FaultInjector& faults,
                     DeviceApiSettings settings, AnswerSigner signer, TsmSettings tsm)
    : store_(store),
      issuers_(issuers),
      scripts_(scripts),
      faults_(faults),
      settings_(settings),
      signer_(std::move(signer)),
      ecLoad_(store, issuers),
      purchase_(store, issuers,
                tsm.masterKey ? std::optional(paymentKeySealKey(*tsm.masterKey)) : std::nullopt),
      tsm_(store, std::move(tsm)) {
    const auto route = [this](auto member) {
        return [this, member](const Request& request, Call& call, const PathParams& path) {
            return (this->*member)(request, call, path);
        };
    };
    router_.add("GET", "/v1/orders/{}", route(&DeviceApi::order));
    router_.add("GET", "/v1/scripts/{}", route(&DeviceApi::script));
    router_.add("POST", "/v1/orders/{}/authorize", route(&DeviceApi::authorize));
    router_.add("POST", "/v1/orders/{}/result", route(&DeviceApi::result));
    addEcLoadRoutes();
    addPurchaseRoutes();
    addTsmRoutes();
}

// The bank-card EC load (api/ecload_api.*): the same device identity and refusal log.
void DeviceApi::addEcLoadRoutes() {
    using Step = Response (EcLoadApi::*)(const Request&, const DeviceCaller&, const std::string&);
    const auto route = [this](Step step) {
        return [this, step](const Request& request, Call& call, const PathParams& path) {
            return (ecLoad_.*step)(request, DeviceCaller{call.device, call.certificate}, path[0]);
        };
    };
    router_.add("POST", "/v1/orders/{}/ecload/authorize",
                [this, authorize = route(&EcLoadApi::authorize)](const Request& request, Call& call,
                                                                 const PathParams& path) {
                    refuseLockedChip(call);
                    return authorize(request, call, path);
                });
    router_.add("POST", "/v1/orders/{}/ecload/result", route(&EcLoadApi::result));
    router_.add("POST", "/v1/orders/{}/ecload/reverse", route(&EcLoadApi::reverse));
}

// The Tap & Pay purchase (api/purchase_api.*): the same device identity and refusal log; a
// locked payment applet cannot start one, but the answer already given to the same sealed
// bytes is given again first (the device may hold a debit it never heard of).
void DeviceApi::addPurchaseRoutes() {
    using Step = Response (PurchaseApi::*)(const Request&, const DeviceCaller&, const std::string&);
    const auto route = [this](Step step) {
        return [this, step](const Request& request, Call& call, const PathParams& path) {
            return (purchase_.*step)(request, DeviceCaller{call.device, call.certificate}, path[0]);
        };
    };
    router_.add("POST", "/v1/orders/{}/purchase/authorize",
                [this, authorize = route(&PurchaseApi::authorize)](
                    const Request& request, Call& call, const PathParams& path) {
                    const DeviceCaller caller{call.device, call.certificate};
                    if (auto answered = purchase_.answeredBefore(request, caller, path[0])) {
                        return std::move(*answered);
                    }
                    refuseLockedChip(call, chip::mgmt::Applet::Payment);
                    return authorize(request, call, path);
                });
    router_.add("POST", "/v1/orders/{}/purchase/result", route(&PurchaseApi::result));
    router_.add("POST", "/v1/orders/{}/purchase/reverse", route(&PurchaseApi::reverse));
}

// Chip management, the TSM role (api/tsm_api.*): the same device identity and refusal log.
void DeviceApi::addTsmRoutes() {
    using Step = Response (TsmApi::*)(const Request&, const DeviceIdentity&, const std::string&);
    const auto route = [this](Step step) {
        return [this, step](const Request& request, Call& call, const PathParams& path) {
            return (tsm_.*step)(request, call.device, path[0]);
        };
    };
    router_.add("POST", "/v1/tsm/sync",
                [this](const Request& request, Call& call, const PathParams& /*path*/) {
                    return tsm_.sync(request, call.device);
                });
    router_.add("POST", "/v1/tsm/jobs/{}/open", route(&TsmApi::open));
    router_.add("POST", "/v1/tsm/jobs/{}/authenticate", route(&TsmApi::authenticate));
    router_.add("POST", "/v1/tsm/jobs/{}/result", route(&TsmApi::result));
}

void DeviceApi::refuseLockedChip(const Call& call, chip::mgmt::Applet applet) const {
    if (store_.isTsmAppletLocked(call.device.chipSerialHex, applet)) {
        refuse(403, wire::refusal::kChipLocked,
               "the secure chip of device " + call.device.chipSerialHex +
                   " is locked by its management system");
    }
}

Response DeviceApi::handle(const Request& request, const http::Peer& peer) {
    Call call;
    call.certificate = peer.certificate;
    Response response = answer(request, call);
    if (call.device.chipSerial.empty()) {
        return response;
    }
    try {
        signAnswer(request, call, response);
    } catch (const std::exception& error) {  // OpenSSL failed: the device must not act on it
        recordRefusal(request, call.device.chipSerialHex,
                      ApiError(500, "signing_failed", std::string("cannot sign: ") + error.what()));
        return http::errorResponse(500, "signing_failed", "the answer could not be signed");
    }
    return response;
}

namespace {

// Which endpoint's signature faults apply to a request (the path's last segment).
std::optional<Endpoint> signedEndpointOf(const std::string& path) {
    const auto endsWith = [&path](std::string_view tail) {
        return path.size() >= tail.size() &&
               path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (endsWith("/authorize")) {
        return Endpoint::Authorize;
    }
    return endsWith("/result") ? std::optional(Endpoint::Result) : std::nullopt;
}

}  // namespace

void DeviceApi::signAnswer(const Request& request, const Call& call, Response& response) {
    const auto endpoint = signedEndpointOf(request.path);
    if (endpoint && faults_.take(*endpoint, FaultMode::Unsigned)) {
        return;
    }
    signer_.sign(request, call.device.chipSerial, response);
    if (endpoint && !response.body.empty() && faults_.take(*endpoint, FaultMode::Forged)) {
        // After it was signed, as a tampering proxy would.
        char& changed = response.body.at(response.body.size() / 2);
        changed = static_cast<char>(changed ^ 0x01);
    }
}

Response DeviceApi::answer(const Request& request, Call& call) {
    try {
        if (call.certificate == nullptr) {
            refuse(403, "device_certificate_required", "a device certificate is required");
        }
        try {
            call.device = identifyDevice(call.certificate);
        } catch (const chip::DeviceCertificateError& error) {
            refuse(403, "device_certificate_invalid", error.what());
        } catch (const std::invalid_argument& error) {
            refuse(403, "device_certificate_invalid", error.what());
        }
        const DeviceRecord device =
            store_.seeDevice(DeviceSighting{call.device.fingerprint, call.device.chipSerialHex,
                                            call.device.subject, call.device.notAfter});
        if (device.revoked) {
            refuse(403, wire::refusal::kDeviceRevoked,
                   "device " + call.device.chipSerialHex + " is revoked");
        }
        return router_.dispatch(request, call);
    } catch (const ApiError& error) {
        recordRefusal(request, call.device.chipSerialHex, error);
        return error.response();
    }
}

void DeviceApi::recordRefusal(const Request& request, const std::string& chipSerial,
                              const ApiError& error) const {
    const bool replay = error.code() == wire::refusal::kAlreadySettled ||
                        error.code() == "already_reversed" || error.code() == "replay";
    store_.recordEvent(EventRecord{0, 0, replay ? "replay" : "refused", orderIdInPath(request.path),
                                   chipSerial, error.code(),
                                   request.method + " " + request.path + ": " + error.what()});
}

void DeviceApi::injectFault(Endpoint endpoint, FaultMode mode) {
    if (const auto status = faults_.take(endpoint, mode)) {
        throw ApiError(*status, "injected_fault",
                       "fault injected " + std::string(toString(mode)) + " " +
                           std::string(toString(endpoint)));
    }
}

OrderRecord DeviceApi::existingOrder(const std::string& orderId) const {
    auto order = wire::isValidOrderId(orderId) ? store_.findOrder(orderId) : std::nullopt;
    if (!order) {
        refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
    }
    return *order;
}

// --- GET /v1/orders/{id}

Response DeviceApi::order(const Request& /*request*/, Call& call, const PathParams& path) {
    injectFault(Endpoint::Order, FaultMode::Before);
    const OrderRecord order = existingOrder(path[0]);
    injectFault(Endpoint::Order, FaultMode::After);
    wire::Order view = orderView(order);
    if (order.scheme == wire::kBankPurchaseScheme) {
        // The newest parameters queued for the caller's chip, applied or not: the daemon
        // syncs a chip that is behind before it touches the card.
        if (const auto parameters = store_.tsmParameters(call.device.chipSerialHex)) {
            view.paramsVersion = parameters->version;
        }
    }
    return http::jsonResponse(200, wire::toJson(view));
}

// --- GET /v1/scripts/{scheme}

Response DeviceApi::script(const Request& /*request*/, Call& /*call*/, const PathParams& path) {
    injectFault(Endpoint::Script, FaultMode::Before);
    const ScriptChoice choice = scripts_.newest(path[0]);
    const auto& envelope = choice.script;
    if (!envelope) {
        refuse(404, "script_not_found",
               choice.outsideValidity > 0 ? "the recharge scripts for scheme " + path[0] +
                                                " are all outside their validity period"
                                          : "no recharge script for scheme " + path[0]);
    }
    injectFault(Endpoint::Script, FaultMode::After);
    if (faults_.take(Endpoint::Script, FaultMode::Corrupt)) {
        auto tampered = *envelope;
        tampered.script.at(tampered.script.size() / 2) ^= 0x01U;  // after it was signed
        return http::jsonResponse(200, wire::toJson(tampered));
    }
    return http::jsonResponse(200, wire::toJson(*envelope));
}

// --- POST /v1/orders/{id}/authorize

Response DeviceApi::authorize(const Request& request, Call& call, const PathParams& path) {
    injectFault(Endpoint::Authorize, FaultMode::Before);
    refuseLockedChip(call);
    if (auto replayed = replayedAuthorization(path[0])) {
        return http::jsonResponse(200, *replayed);
    }
    const auto body = parseBody<wire::AuthorizeRequest>(request);
    const OrderRecord order = existingOrder(path[0]);
    if (order.status == wire::OrderStatus::Settled) {
        refuse(409, wire::refusal::kOrderSettled, "order " + order.orderId + " is already settled");
    }
    if (order.status == wire::OrderStatus::Cancelled) {
        refuse(409, "order_cancelled", "order " + order.orderId + " was cancelled");
    }
    if (order.scheme != kCityScheme) {
        refuse(422, wire::refusal::kSchemeUnsupported,
               "orders of scheme " + order.scheme + " cannot be loaded");
    }
    const ep::Suite suite = ep::suiteFromAlgorithmId(body.algorithmId);
    const sim::Issuer* issuer = nullptr;
    const sim::IssuerMasterKeys& keys = issuerKeys(issuers_, body.issuerId, suite, &issuer);
    if (body.keyVersion != issuer->keyVersion) {
        refuse(422, "key_version_unsupported",
               "the card's load key version " + std::to_string(body.keyVersion) +
                   " is not the issuer's " + std::to_string(issuer->keyVersion));
    }
    if (body.terminalId != call.device.terminalId) {
        refuse(403, "terminal_mismatch",
               "terminal " + toHex(body.terminalId) + " is not this device's " +
                   toHex(call.device.terminalId));
    }
    Bytes dlk = ep::diversify(suite, keys.load, body.cardSerial);
    const crypto::WipedOnExit dlkWiped(dlk);
    requireCardsMac1(body, order, suite, dlk);
    if (std::uint64_t{body.balance} + order.amount > settings_.maxCardBalance) {
        refuse(
            422, "balance_limit_exceeded",
            "the card would hold more than " + std::to_string(settings_.maxCardBalance) + " fen");
    }
    const std::int64_t now = nowSeconds();
    const std::int64_t expiresAt = now + settings_.authorizationLifetimeSeconds;
    chip::sam::LoadAuthorization authorization =
        loadAuthorization(body, order, *issuer, dlk, expiresAt);
    const crypto::WipedOnExit authorizationDlkWiped(authorization.dlk);
    const Bytes envelope = chip::sam::sealLoadAuthorization(call.device.samPublicKey,
                                                            call.device.chipSerial, authorization);

    AuthorizationRecord record{0,
                               order.orderId,
                               call.device.fingerprint,
                               call.device.chipSerialHex,
                               body.issuerId,
                               body.cardSerial,
                               body.algorithmId,
                               body.keyVersion,
                               body.balance,
                               body.onlineAtc,
                               body.terminalId,
                               authorization.nonce,
                               expiresAt,
                               now};
    refuseUnrecorded(store_.recordAuthorization(record), order.orderId, now);
    injectFault(Endpoint::Authorize, FaultMode::After);
    json answer = wire::toJson(wire::AuthorizeResponse{
        order.orderId, authorization.nonce, expiresAt, std::string(kCityScheme), envelope,
        signer_.signForChip(call.device.chipSerial, envelope)});
    {
        const std::lock_guard lock(firstAuthorizationsMutex_);
        firstAuthorizations_.emplace(order.orderId, answer);
    }
    return http::jsonResponse(200, answer);
}

void DeviceApi::refuseUnrecorded(const AuthorizeResult& result, const std::string& orderId,
                                 std::int64_t now) {
    switch (result.outcome) {
        case AuthorizeOutcome::Recorded:
            return;
        case AuthorizeOutcome::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + orderId);
        case AuthorizeOutcome::OrderSettled:
            refuse(409, wire::refusal::kOrderSettled, "order " + orderId + " is already settled");
        case AuthorizeOutcome::OrderCancelled:
            refuse(409, "order_cancelled", "order " + orderId + " was cancelled");
        case AuthorizeOutcome::BoundToAnotherDevice:
            throw ApiError(409, wire::refusal::kOrderBound,
                           "order " + orderId +
                               " is being loaded by another device; the same card can go on here "
                               "once that authorization has expired (in " +
                               std::to_string(result.until - now) + " s)",
                           json{{"retryAt", result.until}});
        case AuthorizeOutcome::Outstanding:
            refuse(409, "authorization_outstanding",
                   "an authorization for another card or online ATC is outstanding: report the "
                   "result of the earlier attempt");
    }
}

std::optional<json> DeviceApi::replayedAuthorization(const std::string& orderId) {
    const std::lock_guard lock(firstAuthorizationsMutex_);
    const auto first = firstAuthorizations_.find(orderId);
    if (first == firstAuthorizations_.end() ||
        !faults_.take(Endpoint::Authorize, FaultMode::Replay)) {
        return std::nullopt;
    }
    return first->second;
}

// --- POST /v1/orders/{id}/result

Response DeviceApi::result(const Request& request, Call& call, const PathParams& path) {
    injectFault(Endpoint::Result, FaultMode::Before);
    const auto report = parseBody<wire::ResultReport>(request);
    if (!verifyDeviceSignature(call.certificate, report.result, report.signature)) {
        refuse(403, wire::refusal::kBadSignature, "the result is not signed by this device's key");
    }
    wire::TopupResult result;
    try {
        result = wire::parseResult(report.result);
    } catch (const wire::WireFormatError& error) {
        refuse(400, "malformed_result", error.what());
    }
    if (result.orderId != path[0]) {
        refuse(400, "order_mismatch",
               "the result is for order " + result.orderId + ", not " + path[0]);
    }
    const OrderRecord order = existingOrder(path[0]);
    SettlementRecord settlement = checkedSettlement(call, order, report, result);
    const SettleOutcome outcome = store_.settle(settlement);
    switch (outcome.kind) {
        case SettleOutcome::Kind::Settled:
            break;
        case SettleOutcome::Kind::SameResult:
        case SettleOutcome::Kind::Conflict:
            replayOrConflict(*outcome.settlement, report.result);
        case SettleOutcome::Kind::OrderNotFound:
            refuse(404, wire::refusal::kOrderNotFound, "no order " + order.orderId);
        case SettleOutcome::Kind::OrderCancelled:
            refuse(409, "order_cancelled", "order " + order.orderId + " was cancelled");
    }
    injectFault(Endpoint::Result, FaultMode::After);
    return http::jsonResponse(
        200,
        wire::toJson(wire::Settlement{order.orderId, settlement.settledAt, receiptOf(settlement)}));
}

// Everything a result must pass before it can settle an order. A settled order answers here
// already: the same result again is a replay, another one a conflict.
SettlementRecord DeviceApi::checkedSettlement(const Call& call, const OrderRecord& order,
                                              const wire::ResultReport& report,
                                              const wire::TopupResult& result) const {
    if (const auto earlier = store_.settlementFor(order.orderId)) {
        replayOrConflict(*earlier, report.result);
    }
    if (order.status == wire::OrderStatus::Cancelled) {
        refuse(409, "order_cancelled", "order " + order.orderId + " was cancelled");
    }
    if (result.amount != order.amount) {
        refuse(422, "amount_mismatch",
               "the result loads " + std::to_string(result.amount) + " fen, the order is for " +
                   std::to_string(order.amount));
    }
    if (std::uint64_t{result.balanceBefore} + result.amount != result.balanceAfter) {
        refuse(422, "balance_mismatch", "balance after is not balance before plus the amount");
    }
    const auto authorization = store_.findAuthorization(order.orderId, result.nonce);
    if (!authorization || authorization->chipSerial != call.device.chipSerialHex ||
        authorization->cardSerial != result.cardSerial ||
        authorization->terminalId != result.terminalId ||
        authorization->onlineAtc != result.onlineAtc ||
        authorization->algorithmId != result.algorithmId) {
        refuse(409, "unknown_authorization",
               "no authorization for this card, terminal, ATC and nonce was issued to this device "
               "for order " +
                   order.orderId);
    }
    const ep::Suite suite = ep::suiteFromAlgorithmId(result.algorithmId);
    const sim::Issuer* issuer = nullptr;
    const sim::IssuerMasterKeys& keys =
        issuerKeys(issuers_, authorization->issuerId, suite, &issuer);
    Bytes dtk = ep::diversify(suite, keys.tac, result.cardSerial);
    const Bytes expectedTac =
        ep::tac(suite, dtk,
                cards::epurse::tacInputForLoad(result.balanceAfter, result.onlineAtc, result.amount,
                                               result.terminalId, result.date, result.time));
    OPENSSL_cleanse(dtk.data(), dtk.size());
    if (!crypto::constantTimeEqual(expectedTac, result.tac)) {
        refuse(422, "tac_invalid", "the TAC does not verify with the card's TAC key");
    }
    SettlementRecord settlement;
    settlement.orderId = order.orderId;
    settlement.authorizationId = authorization->id;
    settlement.receiptId = newReceiptId();
    settlement.result = report.result;
    settlement.signature = report.signature;
    settlement.deviceFingerprint = call.device.fingerprint;
    settlement.chipSerial = call.device.chipSerialHex;
    settlement.cardSerial = result.cardSerial;
    settlement.balanceBefore = result.balanceBefore;
    settlement.amount = result.amount;
    settlement.balanceAfter = result.balanceAfter;
    settlement.onlineAtc = result.onlineAtc;
    settlement.tac = result.tac;
    settlement.settledAt = nowSeconds();
    return settlement;
}

}  // namespace taplink::server
