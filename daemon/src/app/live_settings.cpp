#include "app/live_settings.hpp"

#include <algorithm>

#include "app/config_file.hpp"

namespace taplink::app {

net::HttpsSettings LiveSettings::server() const {
    const std::lock_guard lock(mutex_);
    return server_;
}

WebSettings LiveSettings::web() const {
    const std::lock_guard lock(mutex_);
    return web_;
}

nlohmann::json LiveSettings::json() const {
    const std::lock_guard lock(mutex_);
    return {
        {"server", {{"url", server_.baseUrl}, {"pinSha256", server_.pinnedSpkiSha256}}},
        {"web",
         {{"allowedOrigins", nlohmann::json(web_.allowedOrigins)},
          {"confirmation", toString(web_.confirmation)},
          {"cardInfo", toString(web_.cardInfo)},
          {"websocket", {{"enabled", web_.websocket.enabled}, {"port", web_.websocket.port}}}}}};
}

bool LiveSettings::changeLocked(const nlohmann::json& change) {
    const DaemonConfig written = patchConfigFile(sourcePath_, change);
    const bool serverChanged = written.server.baseUrl != server_.baseUrl ||
                               written.server.pinnedSpkiSha256 != server_.pinnedSpkiSha256;
    server_.baseUrl = written.server.baseUrl;
    server_.pinnedSpkiSha256 = written.server.pinnedSpkiSha256;
    web_.allowedOrigins = written.web.allowedOrigins;
    web_.confirmation = written.web.confirmation;
    web_.cardInfo = written.web.cardInfo;
    return serverChanged;
}

nlohmann::json LiveSettings::change(const nlohmann::json& change) {
    bool serverChanged = false;
    {
        const std::lock_guard lock(mutex_);
        serverChanged = changeLocked(change);
    }
    if (serverChanged && serverChanged_) {
        serverChanged_();
    }
    return json();
}

void LiveSettings::rememberOrigin(const std::string& origin) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> origins = web_.allowedOrigins;
    if (std::find(origins.begin(), origins.end(), origin) == origins.end()) {
        origins.push_back(origin);
        changeLocked(nlohmann::json{{"web", {{"allowedOrigins", origins}}}});
    }
}

}  // namespace taplink::app
