// topup.start, tx.status and tx.cancel.
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "app/web_access.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

json outcomeJson(const service::TopupOutcome& outcome) {
    json result{{"orderId", outcome.orderId},
                {"amount", outcome.amount},
                {"balanceBefore", outcome.balanceBefore},
                {"balanceAfter", outcome.balanceAfter},
                {"tac", toHex(outcome.tac)},
                {"settled", outcome.settled},
                {"receipt", outcome.receipt.is_object() ? outcome.receipt : json::object()}};
    if (outcome.timings) {
        result["timings"] = timingsJson(*outcome.timings);
    }
    return result;
}

// A web page's top-up waits for the user (or the kiosk policy) once the card is there.
service::TopupService::Confirm webConfirmation(const TopupServices& services, const api::Peer& peer,
                                               const service::TopupProgress& progress) {
    return [services, peer, progress](const service::ConfirmationRequest& request,
                                      const std::function<bool()>& cancelled) {
        progress("awaiting_confirmation");
        if (services.settings.web().confirmation == Confirmation::Auto) {
            return;
        }
        const auto card = readCardSummary(services.cards, request.reader);
        const json details{{"orderId", request.orderId},
                           {"amount", request.amount},
                           {"currency", kCurrency},
                           {"card",
                            {{"reader", request.reader},
                             {"scheme", cards::toString(card.scheme)},
                             {"serial", card.maskedSerial}}}};
        requireAllowed(services.trustedUi.ask(orderQuestion("topup", peer, details), cancelled),
                       "top-up");
    };
}

// tx.status and tx.cancel: a web page reaches only the orders it started itself.
void requireOwnOrder(const TopupServices& services, const api::CallContext& call,
                     const std::string& orderId) {
    if (call.session().isWeb() && !services.claims.isClaimedBy(orderId, webOrigin(call))) {
        throw api::ApiError(api::ErrorCode::NotFound,
                            "no top-up of order " + orderId + " started from this page");
    }
}

}  // namespace

std::string rfc3339(std::int64_t unixSeconds) {
    const auto time = static_cast<std::time_t>(unixSeconds);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, length);
}

std::string webOrigin(const api::CallContext& call) {
    return canonicalOrigin(call.peer().origin).value_or(call.peer().origin);
}

WebClaim::WebClaim(WebOrderClaims& claims, const api::CallContext& call, const std::string& orderId,
                   std::string_view verb)
    : claims_(claims), orderId_(orderId), origin_(webOrigin(call)) {
    if (!net::wire::isValidOrderId(orderId) || !claims_.claim(orderId_, origin_)) {
        throw api::ApiError(api::ErrorCode::OrderNotFound,
                            "this page cannot " + std::string(verb) + " order " + orderId);
    }
}

WebClaim::~WebClaim() {
    try {
        claims_.releaseIfUnknown(orderId_, origin_);
    } catch (const std::exception& error) {  // the journal could not be read: keep the claim
        log::warning("order " + orderId_ + ": web claim kept: " + error.what());
    }
}

json timingsJson(const service::TopupTimings& timings) {
    return json{{"totalMs", timings.total},
                {"cardMs", timings.card},
                {"chipMs", timings.chip},
                {"serverMs", timings.server},
                {"daemonMs", timings.daemon}};
}

UiQuestion orderQuestion(std::string kind, const api::Peer& peer, json details) {
    return UiQuestion{std::move(kind), canonicalOrigin(peer.origin).value_or(peer.origin),
                      peer.transport, peer.extensionId, std::move(details)};
}

void requireAllowed(UiAnswer answer, std::string_view what) {
    const std::string the = "the " + std::string(what);
    switch (answer) {
        case UiAnswer::Allow:
        case UiAnswer::AllowAndRemember:
            return;
        case UiAnswer::Deny:
            throw service::ServiceError(api::ErrorCode::UserDenied,
                                        the + " was refused in the confirmation dialog");
        case UiAnswer::Timeout:
            throw service::ServiceError(api::ErrorCode::Timeout,
                                        the + " was not confirmed in time");
        case UiAnswer::NoUi:
            throw service::ServiceError(api::ErrorCode::ConfirmationUnavailable,
                                        "a web page's " + std::string(what) +
                                            " needs confirming and no TapLink app is running");
        case UiAnswer::Cancelled:
            break;
    }
    throw service::ServiceError(api::ErrorCode::Cancelled, the + " was cancelled");
}

void registerTopupMethods(api::Dispatcher& dispatcher, TopupServices services) {
    dispatcher.add(
        api::method::kTopupStart,
        [services](const json& params, api::CallContext& call) {
            api::params::allowOnly(params, {"orderId", "reader"});
            const std::string orderId = api::params::requiredString(params, "orderId");
            const std::string reader = api::params::optionalString(params, "reader").value_or("");
            const service::TopupProgress progress = [&call, &orderId](const std::string& stage) {
                call.notify(api::notification::kTopupProgress,
                            json{{"orderId", orderId}, {"stage", stage}});
            };
            service::TopupService::Confirm confirm;
            std::optional<WebClaim> claim;
            if (call.session().isWeb()) {
                claim.emplace(services.claims, call, orderId, "top up");
                confirm = webConfirmation(services, call.peer(), progress);
            }
            // Whatever happened, open top-ups of other orders may now be settled or reported.
            const WakeResumer wake{services.resumer};
            const auto outcome = services.topups.run(
                orderId, reader, progress, [&call] { return call.cancelled(); }, confirm);
            return outcomeJson(outcome);
        },
        api::Access::Web);

    dispatcher.add(
        api::method::kTxStatus,
        [services](const json& params, api::CallContext& call) {
            api::params::allowOnly(params, {"orderId"});
            const std::string orderId = api::params::requiredString(params, "orderId");
            requireOwnOrder(services, call, orderId);
            if (auto ecStatus = ecTxStatus(services.topups, orderId)) {
                return *ecStatus;
            }
            if (auto purchaseStatus = purchaseTxStatus(services.topups, orderId)) {
                return *purchaseStatus;
            }
            const auto record = services.topups.status(orderId);
            json status{{"orderId", record.orderId},
                        {"state", journal::toString(record.state)},
                        {"amount", record.amount},
                        {"updatedAt", rfc3339(record.updatedAt)}};
            if (!record.failure.empty()) {
                status["failure"] = record.failure;
            }
            return status;
        },
        api::Access::Web);

    dispatcher.add(
        api::method::kTxCancel,
        [services](const json& params, api::CallContext& call) {
            api::params::allowOnly(params, {"orderId"});
            const std::string orderId = api::params::requiredString(params, "orderId");
            requireOwnOrder(services, call, orderId);
            services.topups.cancel(orderId);
            return json{{"orderId", orderId}, {"cancelled", true}};
        },
        api::Access::Web);
}

}  // namespace taplink::app
