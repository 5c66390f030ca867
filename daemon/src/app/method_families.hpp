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
// ecload.start (bank-card EC load), on the same services.
void registerEcLoadMethods(api::Dispatcher& dispatcher, TopupServices services);
// tx.status of an EC load; nullopt when the order has no EC-load record.
std::optional<nlohmann::json> ecTxStatus(const TopupServices& services, const std::string& orderId);
// What the top-up and EC-load families share: unix seconds as RFC 3339 UTC, and the web
// caller's origin as taplinkd compares it (the gate let only valid ones through).
std::string rfc3339(std::int64_t unixSeconds);
std::string webOrigin(const api::CallContext& call);
// A trusted-UI question of `kind` ("topup", "ecload", "application") from the caller.
UiQuestion orderQuestion(std::string kind, const api::Peer& peer, nlohmann::json details);
// Returns when the trusted UI allowed `what` ("top-up", "EC load"); otherwise throws the
// ServiceError its answer means (user_denied, timeout, confirmation_unavailable, cancelled).
void requireAllowed(UiAnswer answer, std::string_view what);
// The "timings" of topup.start's and ecload.start's result (docs/api.md).
nlohmann::json timingsJson(const service::TopupTimings& timings);

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

// chip.status, chip.sync (owner only: the CLI and the GUI).
struct ChipServices {
    service::ChipManagement& management;
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
