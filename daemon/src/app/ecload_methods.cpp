// ecload.start (圈存, a bank card's electronic-cash load) and the EC side of tx.status:
// the same admission, web claims, confirmation and resumption as topup.start.
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "app/web_access.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

json outcomeJson(const service::EcLoadOutcome& outcome) {
    json result{{"orderId", outcome.orderId},
                {"amount", outcome.amount},
                {"balanceBefore", outcome.balanceBefore},
                {"balanceAfter", outcome.balanceAfter},
                {"card",
                 {{"scheme", net::wire::kBankEcScheme},
                  {"pan", outcome.pan},
                  {"application", outcome.application}}},
                {"settled", outcome.settled},
                {"receipt", outcome.receipt.is_object() ? outcome.receipt : json::object()}};
    if (outcome.timings) {  // a load that ran now
        result["timings"] = timingsJson(*outcome.timings);
        result["cardApdus"] = outcome.cardApdus;
    }
    return result;
}

}  // namespace

std::optional<json> ecTxStatus(service::TopupService& topups, const std::string& orderId) {
    const auto record = topups.ecStatus(orderId);
    if (!record) {
        return std::nullopt;
    }
    return bankTxStatus(*record, net::wire::kBankEcScheme);
}

service::TopupService::Confirm bankCardConfirmation(const BankCardServices& services,
                                                    const api::Peer& peer, std::string kind,
                                                    std::string what) {
    return [services, peer, kind = std::move(kind), what = std::move(what)](
               const service::ConfirmationRequest& request,
               const std::function<bool()>& cancelled) {
        if (services.settings.web().confirmation == Confirmation::Auto) {
            return;
        }
        const service::ConfirmedCard card = request.card.value_or(service::ConfirmedCard{});
        json details{{"orderId", request.orderId},
                     {"amount", request.amount},
                     {"currency", kCurrency},
                     {"card",
                      {{"reader", request.reader},
                       {"scheme", card.scheme},
                       {"pan", card.pan},
                       {"application", card.application}}}};
        if (request.merchant) {
            details["merchant"] = *request.merchant;
        }
        requireAllowed(services.trustedUi.ask(orderQuestion(kind, peer, details), cancelled), what);
    };
}

// ui.request kind "application": the cardholder picks among the matching applications. An
// owner's call with no trusted UI attached takes the highest priority (EMV Book 1 12.4).
service::ApplicationChoice applicationChoice(const BankCardServices& services,
                                             const api::Peer& peer, bool web,
                                             std::string_view what) {
    return [services, peer, web, what](
               const std::string& orderId, const std::vector<emv::Candidate>& candidates,
               const std::function<bool()>& cancelled) -> std::optional<Bytes> {
        json offered = json::array();
        for (const auto& candidate : candidates) {
            offered.push_back({{"aid", toHex(candidate.aid)},
                               {"label", candidate.label},
                               {"priority", candidate.priority.value_or(0)}});
        }
        std::string choice;
        const UiAnswer answer = services.trustedUi.ask(
            orderQuestion("application", peer, {{"orderId", orderId}, {"candidates", offered}}),
            cancelled, &choice);
        if (answer == UiAnswer::Deny) {
            return std::nullopt;
        }
        if (answer == UiAnswer::NoUi && !web) {
            return candidates.front().aid;
        }
        requireAllowed(answer, what);
        return fromHex(choice);
    };
}

StartCall startCall(const json& params, api::CallContext& call, std::string_view notification) {
    api::params::allowOnly(params, {"orderId", "reader"});
    StartCall start{api::params::requiredString(params, "orderId"),
                    api::params::optionalString(params, "reader").value_or(""),
                    {}};
    start.progress = [&call, notification, orderId = start.orderId](const std::string& stage) {
        call.notify(notification, json{{"orderId", orderId}, {"stage", stage}});
    };
    return start;
}

void registerEcLoadMethods(api::Dispatcher& dispatcher, BankCardServices services) {
    dispatcher.add(
        api::method::kEcloadStart,
        [services](const json& params, api::CallContext& call) {
            const auto [orderId, reader, progress] =
                startCall(params, call, api::notification::kEcloadProgress);
            service::TopupService::Confirm confirm;
            std::optional<WebClaim> claim;
            if (call.session().isWeb()) {
                claim.emplace(services.claims, call, orderId, "load");
                confirm = bankCardConfirmation(services, call.peer(), "ecload", "EC load");
            }
            const WakeResumer wake{services.resumer};
            const auto outcome = services.topups.runEcLoad(
                orderId, reader, progress, [&call] { return call.cancelled(); }, confirm,
                applicationChoice(services, call.peer(), call.session().isWeb(), "EC load"));
            return outcomeJson(outcome);
        },
        api::Access::Web);
}

}  // namespace taplink::app
