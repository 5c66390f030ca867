// taplinkd's parts and how they are wired: the configuration, the services (readers, chip,
// journal, top-ups) and the API handlers that expose them (one file per method family).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/unix_server.hpp"
#include "api/websocket_server.hpp"
#include "app/daemon_config.hpp"
#include "app/trusted_ui.hpp"
#include "app/web_access.hpp"
#include "journal/topup_journal.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/topup_service.hpp"
#include "taplink/cards/card_summary.hpp"

namespace taplink::app {

class Daemon {
  public:
    explicit Daemon(DaemonConfig config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Starts the reader monitor, the API socket and the resumer. Throws on a setup failure
    // (socket folder unsafe, journal unreadable).
    void start();
    void stop();

    // The configuration taplinkd started with. What settings.set can change is read through
    // serverSettings() and webSettings() instead.
    const DaemonConfig& config() const { return config_; }
    net::HttpsSettings serverSettings() const;
    WebSettings webSettings() const;
    // settings.get's answer, and settings.set: writes the change to the config file, then
    // applies it (a new server connection for the next call). ConfigError when invalid.
    nlohmann::json settings() const;
    nlohmann::json changeSettings(const nlohmann::json& change);
    // An origin the user approved "always": added to web.allowedOrigins and the config file.
    void rememberOrigin(const std::string& origin);

    TrustedUi& trustedUi() { return trustedUi_; }
    // A web page's topup.start claims the order for its origin: true when the order is new to
    // taplinkd or already this origin's. tx.status and tx.cancel answer only that origin, and
    // no page reaches an order the owner or another origin started.
    bool claimWebOrder(const std::string& orderId, const std::string& origin);
    bool isWebOrderOf(const std::string& orderId, const std::string& origin) const;

    // Sends an event to every transport's subscribed connections.
    void broadcast(std::string_view event, const nlohmann::json& params);
    service::ReaderRegistry& readers() { return readers_; }
    service::ChipSession& chip() { return chip_; }
    journal::TopupJournal& journal() { return journal_; }
    service::TopupService& topups() { return *topups_; }
    std::shared_ptr<net::TopupServerClient> serverClient();
    const std::string& socketPath() const;
    // The WebSocket's port; 0 when it is off (web.websocket.enabled false, or it could not
    // listen: taplinkd then serves the Unix socket alone).
    std::uint16_t websocketPort() const;

    // Wakes the resumer now (a card was inserted: it may be one a top-up was writing).
    void wakeResumer();

  private:
    void onReaderEvent(const std::string& event, const std::string& reader);
    // Writes the change to the config file and takes it over; true when the server's address
    // or pin changed. settingsMutex_ held.
    bool changeSettingsLocked(const nlohmann::json& change);
    void resumeLoop();
    void startWebSocket();

    DaemonConfig config_;
    journal::TopupJournal journal_;
    service::ReaderRegistry readers_;
    service::ChipSession chip_;
    std::unique_ptr<service::TopupService> topups_;
    TrustedUi trustedUi_;
    WebAccess webAccess_;
    api::Dispatcher dispatcher_;
    std::unique_ptr<api::UnixServer> server_;
    std::unique_ptr<api::WebSocketServer> websocket_;

    mutable std::mutex settingsMutex_;  // guards config_.server and config_.web after start
    std::map<std::string, std::string> webOrders_;  // order id -> origin; settingsMutex_
    std::deque<std::string> webOrderAge_;           // the oldest claim is forgotten first

    std::mutex resumeMutex_;
    std::condition_variable resumeWake_;
    bool resumeRequested_ = true;
    bool stopping_ = false;
    std::thread resumer_;

    std::mutex clientMutex_;
    std::shared_ptr<net::TopupServerClient> serverClient_;
};

// Registers every method of the API on the dispatcher (reader_methods.cpp,
// topup_methods.cpp, device_methods.cpp).
void registerReaderMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerTopupMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerDeviceMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerUiMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerSettingsMethods(api::Dispatcher& dispatcher, Daemon& daemon);

// Reads the card on the reader (card.info, and the card a web top-up asks to confirm).
cards::CardSummary readCardSummary(const std::string& reader);

// Runs a handler body and turns a service failure into the API's error.
template <class Body>
nlohmann::json answer(Body body) {
    try {
        return body();
    } catch (const api::ApiError&) {
        throw;
    } catch (...) {
        const auto failure = service::describeFailure(std::current_exception(), "");
        throw api::ApiError(failure.code(), failure.what());
    }
}

}  // namespace taplink::app
