// The settings taplinkd changes while it runs (settings.set, origins the user approved):
// the server's address and pin, and what web pages may do.
#include <algorithm>

#include "app/config_file.hpp"
#include "app/daemon.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

json originsJson(const std::vector<std::string>& origins) {
    return json(origins);
}

}  // namespace

net::HttpsSettings Daemon::serverSettings() const {
    const std::lock_guard lock(settingsMutex_);
    return config_.server;
}

WebSettings Daemon::webSettings() const {
    const std::lock_guard lock(settingsMutex_);
    return config_.web;
}

json Daemon::settings() const {
    const std::lock_guard lock(settingsMutex_);
    return json{
        {"server",
         {{"url", config_.server.baseUrl}, {"pinSha256", config_.server.pinnedSpkiSha256}}},
        {"web",
         {{"allowedOrigins", originsJson(config_.web.allowedOrigins)},
          {"confirmation", toString(config_.web.confirmation)},
          {"websocket",
           {{"enabled", config_.web.websocket.enabled}, {"port", config_.web.websocket.port}}}}}};
}

bool Daemon::changeSettingsLocked(const json& change) {
    const DaemonConfig written = patchConfigFile(config_.sourcePath, change);
    const bool serverChanged = written.server.baseUrl != config_.server.baseUrl ||
                               written.server.pinnedSpkiSha256 != config_.server.pinnedSpkiSha256;
    config_.server.baseUrl = written.server.baseUrl;
    config_.server.pinnedSpkiSha256 = written.server.pinnedSpkiSha256;
    config_.web.allowedOrigins = written.web.allowedOrigins;
    config_.web.confirmation = written.web.confirmation;
    return serverChanged;
}

json Daemon::changeSettings(const json& change) {
    bool serverChanged = false;
    {
        const std::lock_guard lock(settingsMutex_);
        serverChanged = changeSettingsLocked(change);
    }
    if (serverChanged) {
        {
            const std::lock_guard lock(clientMutex_);
            serverClient_.reset();
        }
        topups_->dropServerClient();
    }
    return settings();
}

void Daemon::rememberOrigin(const std::string& origin) {
    const std::lock_guard lock(settingsMutex_);
    std::vector<std::string> origins = config_.web.allowedOrigins;
    if (std::find(origins.begin(), origins.end(), origin) == origins.end()) {
        origins.push_back(origin);
        changeSettingsLocked(json{{"web", {{"allowedOrigins", origins}}}});
    }
}

bool Daemon::claimWebOrder(const std::string& orderId, const std::string& origin) {
    constexpr std::size_t kRemembered = 1000;  // claims kept; older orders are long settled
    const std::lock_guard lock(settingsMutex_);
    if (const auto it = webOrders_.find(orderId); it != webOrders_.end()) {
        return it->second == origin;
    }
    if (journal_.find(orderId)) {
        return false;  // started by the owner (or before a restart): not for a web page
    }
    webOrders_.emplace(orderId, origin);
    webOrderAge_.push_back(orderId);
    if (webOrderAge_.size() > kRemembered) {
        webOrders_.erase(webOrderAge_.front());
        webOrderAge_.pop_front();
    }
    return true;
}

bool Daemon::isWebOrderOf(const std::string& orderId, const std::string& origin) const {
    const std::lock_guard lock(settingsMutex_);
    const auto it = webOrders_.find(orderId);
    return it != webOrders_.end() && it->second == origin;
}

}  // namespace taplink::app
