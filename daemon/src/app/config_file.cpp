#include "app/config_file.hpp"

#include <fstream>
#include <optional>
#include <system_error>

#include "taplink/base/log.hpp"
#include "taplink/base/private_file.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

json readJson(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError("cannot read the config file " + path);
    }
    try {
        return json::parse(in);
    } catch (const json::exception& error) {
        throw ConfigError(path + " is not valid JSON: " + error.what());
    }
}

void merge(json& target, const json& patch) {
    for (const auto& [key, value] : patch.items()) {
        if (value.is_object() && target.contains(key) && target[key].is_object()) {
            merge(target[key], value);
        } else {
            target[key] = value;
        }
    }
}

}  // namespace

DaemonConfig patchConfigFile(const std::string& path, const json& patch) {
    json document = readJson(path);
    merge(document, patch);
    std::optional<StagedPrivateFile> staged;
    try {
        staged.emplace(path, document.dump(2) + "\n");
    } catch (const std::system_error& error) {
        throw ConfigError("cannot write " + path + ": " + error.what());
    }
    // The patched file must load as at start-up before it replaces the old one.
    DaemonConfig config = loadConfig(staged->stagedPath());
    try {
        staged->commit();
    } catch (const std::system_error& error) {
        if (!staged->committed()) {
            throw ConfigError("cannot replace " + path + ": " + error.what());
        }
        // The new file is in place and the settings follow it; only its durability is unsure.
        log::warning("the config file " + path + " may not survive a crash: " + error.what());
    }
    config.sourcePath = path;
    return config;
}

}  // namespace taplink::app
