// Changes to taplinkd's configuration file made through the API (settings.set): the change
// is merged into the file's JSON, every other key is kept, the result is checked exactly as
// taplinkd checks it at start-up, and only then replaces the file (atomically, mode 0600).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/daemon_config.hpp"

namespace taplink::app {

// Merges `patch` into the file (objects key by key, anything else replaced) and returns the
// new configuration. ConfigError when the result would not load; the file is then unchanged.
DaemonConfig patchConfigFile(const std::string& path, const nlohmann::json& patch);

}  // namespace taplink::app
