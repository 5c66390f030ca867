// The settings taplinkd changes while it runs (settings.set, origins the user approved): the
// server's address and pin, and what web pages may do. Every change is written to the config
// file before it takes effect.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "app/daemon_config.hpp"

namespace taplink::app {

class LiveSettings {
  public:
    // `serverChanged` runs (outside the lock) after a change of the server's address or pin.
    LiveSettings(const DaemonConfig& config, std::function<void()> serverChanged)
        : sourcePath_(config.sourcePath),
          server_(config.server),
          web_(config.web),
          serverChanged_(std::move(serverChanged)) {}

    net::HttpsSettings server() const;
    WebSettings web() const;

    // settings.get's answer.
    nlohmann::json json() const;
    // settings.set: writes the change to the config file, then takes it over. ConfigError
    // when invalid. Returns the settings now.
    nlohmann::json change(const nlohmann::json& change);
    // An origin the user approved "always": added to web.allowedOrigins and the config file.
    void rememberOrigin(const std::string& origin);

  private:
    // True when the server's address or pin changed. mutex_ held.
    bool changeLocked(const nlohmann::json& change);

    mutable std::mutex mutex_;
    std::string sourcePath_;
    net::HttpsSettings server_;
    WebSettings web_;
    std::function<void()> serverChanged_;
};

}  // namespace taplink::app
