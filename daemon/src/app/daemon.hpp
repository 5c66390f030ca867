// taplinkd's composition root: it builds the parts (the configuration, the card port, the
// journal, the readers, the chip, the top-ups, the web access rules, the API servers) and
// wires them together. It only wires: each method family gets the services it uses
// (method_families.hpp), and nothing reaches back through the Daemon.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/call_admission.hpp"
#include "api/dispatcher.hpp"
#include "api/unix_server.hpp"
#include "api/websocket_server.hpp"
#include "app/card_info_gate.hpp"
#include "app/daemon_config.hpp"
#include "app/live_settings.hpp"
#include "app/resumer.hpp"
#include "app/trusted_ui.hpp"
#include "app/web_access.hpp"
#include "app/web_order_claims.hpp"
#include "journal/answer_journal.hpp"
#include "journal/topup_journal.hpp"
#include "service/card_port.hpp"
#include "service/chip_management.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/topup_service.hpp"

namespace taplink::app {

class Daemon {
  public:
    // `cards` reaches the card readers: pcscd unless a test gives its own.
    explicit Daemon(DaemonConfig config, std::unique_ptr<service::CardPort> cards = nullptr);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Starts the reader monitor, the API socket and the resumer. Throws on a setup failure
    // (socket folder unsafe, journal unreadable).
    void start();
    void stop();

    const std::string& socketPath() const;
    // The WebSocket's port; 0 when it is off (web.websocket.enabled false, or it could not
    // listen: taplinkd then serves the Unix socket alone).
    std::uint16_t websocketPort() const;

  private:
    void registerMethods();
    void onReaderEvent(const std::string& event, const std::string& reader);
    // Sends an event to every transport's subscribed connections.
    void broadcast(std::string_view event, const nlohmann::json& params);
    void startWebSocket();
    static std::size_t webSocketCap(std::size_t wanted);
    // The server client over mutual TLS with the chip's key, made on first use.
    std::shared_ptr<net::TopupServerClient> serverClient();
    void dropServerClient();
    // The chip's first TSM sync, once the readers are known; its failures are only logged.
    void syncChipAtStart();

    DaemonConfig config_;
    std::unique_ptr<service::CardPort> cards_;
    journal::TopupJournal journal_;
    journal::AnswerJournal answers_{journal_};  // the server's signed answers, as proof
    std::vector<net::AnswerKey> allowanceKeys_;
    service::ReaderRegistry readers_;
    service::ChipSession chip_;
    LiveSettings settings_;
    service::ChipManagement chipManagement_;
    std::unique_ptr<service::TopupService> topups_;
    Resumer resumer_;
    TrustedUi trustedUi_;
    CardInfoGate cardInfoGate_{trustedUi_, settings_};
    WebOrderClaims claims_;
    WebAccess webAccess_;
    api::Dispatcher dispatcher_;
    // One limit of web callers' calls for both transports (taplink-nm's and the WebSocket).
    std::shared_ptr<api::WebCallLimit> webCalls_ = std::make_shared<api::WebCallLimit>();
    std::unique_ptr<api::UnixServer> server_;
    std::unique_ptr<api::WebSocketServer> websocket_;
    std::thread startupSync_;

    std::mutex clientMutex_;
    std::shared_ptr<net::TopupServerClient> serverClient_;
};

}  // namespace taplink::app
