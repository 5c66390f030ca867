// pay.start (Tap & Pay: a bank card pays a bank-purchase order) and the purchase side of
// tx.status: the same admission, web claims, confirmation and resumption as ecload.start,
// and the cardholder's online PIN through the trusted UI (ui.request kind "pin").
#include <openssl/crypto.h>

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "app/web_access.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;
namespace wire = net::wire;

// Exactly the result docs/api.md gives pay.start: nothing of the card's cryptograms.
json outcomeJson(const service::PurchaseOutcome& outcome) {
    return json{{"orderId", outcome.orderId},
                {"status", "approved"},
                {"amount", outcome.amount},
                {"currency", kCurrency},
                {"merchant", outcome.merchant},
                {"authCode", outcome.authCode},
                {"card",
                 {{"scheme", wire::kBankPurchaseScheme},
                  {"pan", outcome.pan},
                  {"application", outcome.application}}},
                {"settled", outcome.settled},
                {"receipt", outcome.receipt.is_object() ? outcome.receipt : json::object()}};
}

// Wipes the answer's copy of the PIN however the question ends.
struct WipedString {
    std::string text;
    WipedString() = default;
    WipedString(const WipedString&) = delete;
    WipedString& operator=(const WipedString&) = delete;
    ~WipedString() { OPENSSL_cleanse(text.data(), text.size()); }
};

// The tries the issuer said were left (ARC 55) when this order's last attempt failed on a
// wrong PIN: its failed journal record keeps the authorize answer's pinTriesLeft until the
// next attempt replaces the record, so it is read before that attempt starts.
std::optional<std::uint64_t> lastPinTriesLeft(const BankCardServices& services,
                                              const std::string& orderId) {
    const auto record = services.topups.purchaseStatus(orderId);
    if (!record || record->state != journal::PurchaseState::Failed ||
        !record->has("pinTriesLeft")) {
        return std::nullopt;
    }
    return record->integer("pinTriesLeft");
}

// ui.request kind "pin": the cardholder types the online PIN in the trusted UI (the GUI, or
// `taplink pay` on its terminal); ui.respond's choice carries it. After a wrong PIN for the
// order, the question says how many tries are left.
service::PinEntry pinEntry(const BankCardServices& services, const api::Peer& peer,
                           std::optional<std::uint64_t> pinTriesLeft) {
    return [services, peer, pinTriesLeft](const service::PinRequest& request,
                                          const std::function<bool()>& cancelled) {
        json details{{"orderId", request.orderId},
                     {"amount", request.amount},
                     {"currency", kCurrency},
                     {"merchant", request.merchant},
                     {"pan", request.pan}};
        if (pinTriesLeft) {
            details["pinTriesLeft"] = *pinTriesLeft;
        }
        WipedString pin;
        const UiAnswer answer =
            services.trustedUi.ask(orderQuestion("pin", peer, details), cancelled, &pin.text);
        if (answer == UiAnswer::NoUi) {
            throw service::ServiceError(
                api::ErrorCode::ConfirmationUnavailable,
                "the card asks for its PIN and no TapLink app (or "
                "`taplink pay`) is attached to ask it; nothing was charged");
        }
        requireAllowed(answer, "purchase");
        return script::SecretString(std::move(pin.text));
    };
}

}  // namespace

std::optional<json> purchaseTxStatus(service::TopupService& topups, const std::string& orderId) {
    const auto record = topups.purchaseStatus(orderId);
    if (!record) {
        return std::nullopt;
    }
    return bankTxStatus(*record, wire::kBankPurchaseScheme);
}

void registerPayMethods(api::Dispatcher& dispatcher, BankCardServices services) {
    dispatcher.add(
        api::method::kPayStart,
        [services](const json& params, api::CallContext& call) {
            const auto [orderId, reader, progress] =
                startCall(params, call, api::notification::kPayProgress);
            service::TopupService::Confirm confirm;
            std::optional<WebClaim> claim;
            if (call.session().isWeb()) {
                claim.emplace(services.claims, call, orderId, "pay");
                confirm = bankCardConfirmation(services, call.peer(), "pay", "purchase");
            }
            const auto triesLeft = lastPinTriesLeft(services, orderId);  // before it is gone
            const WakeResumer wake{services.resumer};
            const auto outcome = services.topups.runPurchase(
                orderId, reader, progress, [&call] { return call.cancelled(); }, confirm,
                applicationChoice(services, call.peer(), call.session().isWeb(), "purchase"),
                pinEntry(services, call.peer(), triesLeft));
            return outcomeJson(outcome);
        },
        api::Access::Web);
}

}  // namespace taplink::app
