// The API's method families (one file each: reader_methods.cpp, topup_methods.cpp, ...), and
// what each one needs. A family gets only the services it uses, and Daemon, the composition
// root, hands them over; a new family is a struct and a register function here.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "app/card_info_gate.hpp"
#include "app/live_settings.hpp"
#include "app/resumer.hpp"
#include "app/trusted_ui.hpp"
#include "app/web_order_claims.hpp"
#include "journal/topup_journal.hpp"
#include "net/topup_server_client.hpp"
#include "service/card_port.hpp"
#include "service/chip_management.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/topup_service.hpp"
#include "taplink/cards/card_summary.hpp"

namespace taplink::app {

// readers.list, card.info, card.history.
struct ReaderServices {
    service::CardPort& cards;
    CardInfoGate& cardInfoGate;
    service::ReaderRegistry& readers;
    service::ChipSession& chip;
    std::string cardReader;  // configured; empty: any card reader
    std::string chipReader;  // configured; empty: found by its SAM
};
void registerReaderMethods(api::Dispatcher& dispatcher, ReaderServices services);

// topup.start, tx.status, tx.cancel.
struct TopupServices {
    service::TopupService& topups;
    service::CardPort& cards;
    WebOrderClaims& claims;
    TrustedUi& trustedUi;
    const LiveSettings& settings;
    Resumer& resumer;
};
void registerTopupMethods(api::Dispatcher& dispatcher, TopupServices services);

// ecload.start and pay.start: the top-up's services but the card port (the kernel reads the
// card inside the attempt).
struct BankCardServices {
    service::TopupService& topups;
    WebOrderClaims& claims;
    TrustedUi& trustedUi;
    const LiveSettings& settings;
    Resumer& resumer;
};
// ecload.start (bank-card EC load).
void registerEcLoadMethods(api::Dispatcher& dispatcher, BankCardServices services);
// tx.status of an EC load; nullopt when the order has no EC-load record.
std::optional<nlohmann::json> ecTxStatus(service::TopupService& topups, const std::string& orderId);
// pay.start (Tap & Pay purchase).
void registerPayMethods(api::Dispatcher& dispatcher, BankCardServices services);
// tx.status of a purchase; nullopt when the order has no purchase record.
std::optional<nlohmann::json> purchaseTxStatus(service::TopupService& topups,
                                               const std::string& orderId);
// ui.request kind "application" for an EC load or a purchase (`what`: "EC load"). An owner's
// call with no trusted UI attached takes the highest priority (EMV Book 1 12.4).
service::ApplicationChoice applicationChoice(const BankCardServices& services,
                                             const api::Peer& peer, bool web,
                                             std::string_view what);
// The only currency taplinkd's results and questions name (ISO 4217, numeric 156).
inline constexpr std::string_view kCurrency = "CNY";
// What the top-up and EC-load families share: unix seconds as RFC 3339 UTC, and the web
// caller's origin as taplinkd compares it (the gate let only valid ones through).
std::string rfc3339(std::int64_t unixSeconds);
std::string webOrigin(const api::CallContext& call);
// What a bank-card start call (ecload.start, pay.start) names: the order and the card reader
// ("" any), and its progress sent to the caller as `notification` (docs/api.md).
struct StartCall {
    std::string orderId;
    std::string reader;
    service::TopupProgress progress;
};
StartCall startCall(const nlohmann::json& params, api::CallContext& call,
                    std::string_view notification);
// A web page's claim on the order of its start call (docs/api.md): OrderNotFound "this page
// cannot <verb> order <id>" unless the order is new to taplinkd or already this origin's.
// When the call ends, the claim is released unless taplinkd's journals now hold the order
// (the server answered it), so made-up order ids take no room.
class WebClaim {
  public:
    WebClaim(WebOrderClaims& claims, const api::CallContext& call, const std::string& orderId,
             std::string_view verb);
    ~WebClaim();
    WebClaim(const WebClaim&) = delete;
    WebClaim& operator=(const WebClaim&) = delete;

  private:
    WebOrderClaims& claims_;
    std::string orderId_;
    std::string origin_;
};
// Wakes the resumer when a start call ends, however it ends: open orders of other
// transactions may now be settled or reported.
struct WakeResumer {
    Resumer& toWake;
    ~WakeResumer() { toWake.wake(); }
};
// A trusted-UI question of `kind` ("topup", "ecload", "pay", "pin", "application") from the
// caller.
UiQuestion orderQuestion(std::string kind, const api::Peer& peer, nlohmann::json details);
// Returns when the trusted UI allowed `what` ("top-up", "EC load"); otherwise throws the
// ServiceError its answer means (user_denied, timeout, confirmation_unavailable, cancelled).
void requireAllowed(UiAnswer answer, std::string_view what);
// ui.request kind `kind` ("ecload", "pay") for a bank-card start call: the order, its
// merchant when it has one, and the card as the kernel read it; nothing asked under the
// "auto" confirmation setting. `what` names the action in a refusal ("EC load").
service::TopupService::Confirm bankCardConfirmation(const BankCardServices& services,
                                                    const api::Peer& peer, std::string kind,
                                                    std::string what);
// The "timings" of topup.start's and ecload.start's result (docs/api.md).
nlohmann::json timingsJson(const service::TopupTimings& timings);
// tx.status of a bank-card record (EC load, purchase) under its `scheme` (docs/api.md).
template <typename BankRecord>
nlohmann::json bankTxStatus(const BankRecord& record, std::string_view scheme) {
    nlohmann::json status{{"orderId", record.orderId},
                          {"scheme", scheme},
                          {"state", toString(record.state)},  // found in journal:: by ADL
                          {"amount", record.amount},
                          {"updatedAt", rfc3339(record.updatedAt)}};
    if (!record.failure.empty()) {
        status["failure"] = record.failure;
    }
    return status;
}

// device.info, diagnostics.
struct DeviceServices {
    service::CardPort& cards;
    service::ReaderRegistry& readers;
    service::ChipSession& chip;
    service::ChipManagement& management;
    journal::TopupJournal& journal;
    const LiveSettings& settings;
    std::function<std::shared_ptr<net::TopupServer>()> server;
};
void registerDeviceMethods(api::Dispatcher& dispatcher, DeviceServices services);

// chip.status, chip.sync, token.generate (owner only: the CLI and the GUI).
struct ChipServices {
    service::ChipManagement& management;
    service::ChipSession& chip;  // token.generate: the payment applet's GENERATE TOKEN
};
void registerChipMethods(api::Dispatcher& dispatcher, ChipServices services);
// chip.status's result.
nlohmann::json chipStatusJson(const std::vector<service::AppletState>& applets);

// ui.attach, ui.detach, ui.respond.
void registerUiMethods(api::Dispatcher& dispatcher, TrustedUi& trustedUi);
// settings.get, settings.set.
void registerSettingsMethods(api::Dispatcher& dispatcher, LiveSettings& settings);

// Reads the card on the reader (card.info, and the card a web top-up asks to confirm).
cards::CardSummary readCardSummary(service::CardPort& cards, const std::string& reader);

}  // namespace taplink::app
