#include "app/daemon.hpp"

#include <algorithm>
#include <string_view>

#include "api/file_limit.hpp"
#include "app/failure_translation.hpp"
#include "app/method_families.hpp"
#include "script/signed_script.hpp"
#include "service/pcsc_card_port.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

std::vector<script::TrustedKey> loadScriptKeys(const DaemonConfig& config) {
    std::vector<script::TrustedKey> keys;
    keys.reserve(config.scriptSigningKeys.size());
    for (const auto& path : config.scriptSigningKeys) {
        keys.push_back(script::TrustedKey::fromPemFile(path));
    }
    return keys;
}

std::vector<net::AnswerKey> loadAllowanceKeys(const DaemonConfig& config) {
    std::vector<net::AnswerKey> keys;
    for (const auto& path : config.allowanceKeys) {
        const auto key = script::TrustedKey::fromPemFile(path);
        keys.push_back({key.keyId(), key.sharedKey()});
    }
    return keys;
}

}  // namespace

Daemon::Daemon(DaemonConfig config, std::unique_ptr<service::CardPort> cards)
    : config_(std::move(config)),
      cards_(cards ? std::move(cards) : std::make_unique<service::PcscCardPort>()),
      journal_(journal::TopupJournal::open(config_.journalPath)),
      allowanceKeys_(loadAllowanceKeys(config_)),
      readers_(*cards_, [this](const std::string& event,
                               const std::string& reader) { onReaderEvent(event, reader); }),
      chip_(*cards_, readers_, config_.chipReader, config_.chipPin),
      settings_(config_, [this] { dropServerClient(); }),
      chipManagement_(
          chip_, [this] { return std::shared_ptr<net::TsmServer>(serverClient()); },
          loadScriptKeys(config_), journal_),
      topups_(std::make_unique<service::TopupService>(
          *cards_, readers_, chip_, journal_, [this] { return serverClient(); },
          loadScriptKeys(config_), service::TopupSettings{config_.cardReader, config_.cardWait},
          [this] { chipManagement_.requireLoadSamOperational(); },
          [this](std::uint32_t version) { chipManagement_.requirePaymentParameters(version); })),
      resumer_([this] { topups_->resume(); }, config_.reportRetryEvery),
      claims_([this](const std::string& orderId) { return topups_->knowsOrder(orderId); }),
      webAccess_(
          trustedUi_, [this] { return settings_.web(); },
          [this](const std::string& origin) { settings_.rememberOrigin(origin); }) {
    registerMethods();
    dispatcher_.setErrorTranslator(translateFailure);
    dispatcher_.setCallerGate(
        [this](const api::Request& request, api::CallContext& call) {
            webAccess_.check(request, call);
        },
        [this](const api::Session& session) { return webAccess_.decided(session); });
}

Daemon::~Daemon() {
    stop();
}

void Daemon::registerMethods() {
    registerReaderMethods(dispatcher_, {*cards_, cardInfoGate_, readers_, chip_, config_.cardReader,
                                        config_.chipReader});
    registerTopupMethods(dispatcher_,
                         {*topups_, *cards_, claims_, trustedUi_, settings_, resumer_});
    const BankCardServices bankCards{*topups_, claims_, trustedUi_, settings_, resumer_};
    registerEcLoadMethods(dispatcher_, bankCards);
    registerPayMethods(dispatcher_, bankCards);
    registerDeviceMethods(dispatcher_, {*cards_, readers_, chip_, chipManagement_, journal_,
                                        settings_, [this] { return serverClient(); }});
    registerChipMethods(dispatcher_, {chipManagement_, chip_});
    registerUiMethods(dispatcher_, trustedUi_);
    registerSettingsMethods(dispatcher_, settings_);
}

std::shared_ptr<net::TopupServerClient> Daemon::serverClient() {
    // Lock order everywhere: the chip, then the client (made with the chip's identity).
    const auto chipHold = chip_.hold();
    const std::lock_guard lock(clientMutex_);
    if (!serverClient_) {
        auto https = std::make_shared<net::HttpsClient>(settings_.server(), chip_.clientIdentity());
        net::AnswerVerifier verifier(
            allowanceKeys_, chip_.identity()->chipSerial,
            [this](const net::wire::SignedAnswer& answer) { answers_.keep(answer); });
        serverClient_ =
            std::make_shared<net::TopupServerClient>(std::move(https), std::move(verifier));
    }
    return serverClient_;
}

void Daemon::dropServerClient() {
    {
        const std::lock_guard lock(clientMutex_);
        serverClient_.reset();
    }
    topups_->dropServerClient();
}

const std::string& Daemon::socketPath() const {
    return server_->socketPath();
}

void Daemon::start() {
    api::UnixServerOptions options;
    options.webCalls = webCalls_;
    if (!config_.socketPath.empty()) {
        options.socketPath = config_.socketPath;
    }
    // The server exists before the monitor's thread can broadcast through it.
    server_ = std::make_unique<api::UnixServer>(dispatcher_, options);
    startWebSocket();
    readers_.start();
    startupSync_ = std::thread([this] { syncChipAtStart(); });
    resumer_.start();
}

void Daemon::syncChipAtStart() {
    try {
        const service::SyncReport report = chipManagement_.sync();
        log::info("chip sync at start: " + std::to_string(report.jobs.size()) + " job(s)");
    } catch (const std::exception&) {
        log::warning(std::string("chip sync at start failed: ") +
                     translateFailure(std::current_exception()).what());
    }
}

void Daemon::stop() {
    if (startupSync_.joinable()) {
        startupSync_.join();
    }
    resumer_.stop();
    if (websocket_) {
        websocket_->stop();
    }
    if (server_) {
        server_->stop();
    }
    readers_.stop();
}

void Daemon::startWebSocket() {
    const WebSocketSettings& settings = config_.web.websocket;
    if (!settings.enabled) {
        return;
    }
    api::WebSocketServerOptions options;
    options.port = settings.port;
    options.maxMessageBytes = settings.maxMessageBytes;
    options.messagesPerSecond = settings.messagesPerSecond;
    options.burst = settings.burst;
    options.pingInterval = settings.pingInterval;
    options.idleTimeout = settings.idleTimeout;
    options.maxConnections = webSocketCap(options.maxConnections);
    // Pages nobody allowed get half the connections at most, however few the limit left.
    options.shares.unlisted = std::max<std::size_t>(options.maxConnections / 2, 1);
    options.shares.isListed = [this](std::string_view origin) {
        return webAccess_.isListed(origin);
    };
    options.webCalls = webCalls_;
    try {
        websocket_ = std::make_unique<api::WebSocketServer>(dispatcher_, options);
    } catch (const std::exception& error) {
        // Pages with the extension, the GUI and the CLI still work; say why pages without
        // it cannot.
        log::warning(std::string("the WebSocket is off: ") + error.what());
    }
}

// The WebSocket's share of the descriptors, lowered (and said) when the limit is small.
std::size_t Daemon::webSocketCap(std::size_t wanted) {
    const std::uint64_t limit = api::fileLimit();
    const std::size_t cap = api::webSocketConnectionCap(limit, wanted);
    if (cap < wanted) {
        log::warning("WebSocket: at most " + std::to_string(cap) +
                     " connections: the file descriptor limit is " + std::to_string(limit) +
                     " and " + std::to_string(api::kReservedFds) + " are kept in reserve");
    }
    return cap;
}

std::uint16_t Daemon::websocketPort() const {
    return websocket_ ? websocket_->port() : 0;
}

void Daemon::broadcast(std::string_view event, const nlohmann::json& params) {
    if (server_) {
        server_->broadcast(event, params);
    }
    if (websocket_) {
        websocket_->broadcast(event, params);
    }
}

void Daemon::onReaderEvent(const std::string& event, const std::string& reader) {
    const bool isReaderEvent = event.rfind("reader.", 0) == 0;
    broadcast(event, isReaderEvent ? nlohmann::json{{"name", reader}}
                                   : nlohmann::json{{"reader", reader}});
    if (event == api::event::kCardInserted) {
        resumer_.wake();  // it may be a card a top-up was writing
    }
}

}  // namespace taplink::app
