#include "app/daemon.hpp"

#include "script/signed_script.hpp"
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

}  // namespace

Daemon::Daemon(DaemonConfig config)
    : config_(std::move(config)),
      journal_(journal::TopupJournal::open(config_.journalPath)),
      readers_([this](const std::string& event, const std::string& reader) {
          onReaderEvent(event, reader);
      }),
      chip_(readers_, config_.chipReader, config_.chipPin),
      webAccess_(
          trustedUi_, [this] { return webSettings(); },
          [this](const std::string& origin) { rememberOrigin(origin); }) {
    service::TopupSettings settings;
    settings.cardReader = config_.cardReader;
    settings.cardWait = config_.cardWait;
    topups_ = std::make_unique<service::TopupService>(
        readers_, chip_, journal_, [this] { return serverClient(); }, loadScriptKeys(config_),
        settings);
    registerReaderMethods(dispatcher_, *this);
    registerTopupMethods(dispatcher_, *this);
    registerDeviceMethods(dispatcher_, *this);
    registerUiMethods(dispatcher_, *this);
    registerSettingsMethods(dispatcher_, *this);
    dispatcher_.setCallerGate([this](const api::Request& request, api::CallContext& call) {
        webAccess_.check(request, call);
    });
}

Daemon::~Daemon() {
    stop();
}

std::shared_ptr<net::TopupServerClient> Daemon::serverClient() {
    const std::lock_guard lock(clientMutex_);
    if (!serverClient_) {
        auto https = std::make_shared<net::HttpsClient>(serverSettings(), chip_.clientIdentity());
        serverClient_ = std::make_shared<net::TopupServerClient>(std::move(https));
    }
    return serverClient_;
}

const std::string& Daemon::socketPath() const {
    return server_->socketPath();
}

void Daemon::start() {
    api::UnixServerOptions options;
    if (!config_.socketPath.empty()) {
        options.socketPath = config_.socketPath;
    }
    // The server exists before the monitor's thread can broadcast through it.
    server_ = std::make_unique<api::UnixServer>(dispatcher_, options);
    startWebSocket();
    readers_.start();
    resumer_ = std::thread([this] { resumeLoop(); });
}

void Daemon::stop() {
    {
        const std::lock_guard lock(resumeMutex_);
        stopping_ = true;
    }
    resumeWake_.notify_all();
    if (resumer_.joinable()) {
        resumer_.join();
    }
    if (websocket_) {
        websocket_->stop();
    }
    if (server_) {
        server_->stop();
    }
    readers_.stop();
}

void Daemon::wakeResumer() {
    {
        const std::lock_guard lock(resumeMutex_);
        resumeRequested_ = true;
    }
    resumeWake_.notify_all();
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
    try {
        websocket_ = std::make_unique<api::WebSocketServer>(dispatcher_, options);
    } catch (const std::exception& error) {
        // Pages with the extension, the GUI and the CLI still work; say why pages without
        // it cannot.
        log::warning(std::string("the WebSocket is off: ") + error.what());
    }
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
        wakeResumer();
    }
    if (event == api::event::kCardRemoved || event == api::event::kReaderRemoved) {
        // The chip's reader may be gone; its session reconnects on next use.
    }
}

// Finishes open top-ups at start-up, whenever a card is inserted, and every
// reportRetrySeconds while some remain (a server that was down comes back).
void Daemon::resumeLoop() {
    std::unique_lock lock(resumeMutex_);
    while (!stopping_) {
        resumeWake_.wait_for(lock, config_.reportRetryEvery,
                             [this] { return stopping_ || resumeRequested_; });
        if (stopping_) {
            return;
        }
        resumeRequested_ = false;
        lock.unlock();
        topups_->resume();
        lock.lock();
    }
}

}  // namespace taplink::app
