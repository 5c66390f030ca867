#include "app/daemon_config.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "taplink/base/strict_json.hpp"

namespace taplink::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string envOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string homeDir() {
    return envOr("HOME", "/");
}

// A section's problem as a ConfigError: "server.url must be a string", "server: unknown key 'x'".
struct ConfigJsonError {
    ConfigError operator()(const JsonProblem& problem) const {
        const std::string where(problem.where);
        const std::string member(problem.member);
        switch (problem.kind) {
            case JsonProblem::Kind::Unknown:
                return ConfigError(where + ": unknown key '" + member + "'");
            case JsonProblem::Kind::Missing:
                return ConfigError(where + "." + member + " is required");
            default:
                return ConfigError(describe(problem));
        }
    }
};

// Reads one object's keys, refusing any key it was not told about (a typo in a money
// component's config must not be silently ignored). An absent key takes its default.
class Section : public JsonObjectReader<ConfigJsonError> {
  public:
    Section(const json& object, std::string where, fs::path base)
        : JsonObjectReader(object, std::move(where)), base_(std::move(base)) {}

    std::string text(const char* key, const std::string& fallback = {}) {
        return optionalString(key).value_or(fallback);
    }

    std::string requiredText(const char* key) {
        std::string value = text(key);
        if (value.empty()) {
            failMember(key, "is required");
        }
        return value;
    }

    // A path; relative ones are taken from the config file's folder.
    std::string path(const char* key, const std::string& fallback = {}) {
        const std::string value = text(key, fallback);
        return value.empty() ? value : resolve(value);
    }

    std::string resolve(const std::string& value) const {
        const fs::path given(value);
        return given.is_absolute() ? given.string() : (base_ / given).lexically_normal().string();
    }

    long number(const char* key, long fallback, long min, long max) {
        return optionalSignedInteger(key, min, max).value_or(fallback);
    }

    // An absent section reads as an empty one, so that every key takes its default.
    Section child(const char* key) {
        static const json kEmpty = json::object();
        const json* found = optional(key);
        return Section(found != nullptr ? *found : kEmpty, where() + "." + key, base_);
    }

  private:
    fs::path base_;
};

net::ProxySettings proxyFrom(Section& server) {
    net::ProxySettings proxy;
    const std::string value = server.text("proxy", "environment");
    if (value == "environment") {
        proxy.mode = net::ProxySettings::Mode::Environment;
    } else if (value == "direct") {
        proxy.mode = net::ProxySettings::Mode::Direct;
    } else if (value.find("://") != std::string::npos) {
        proxy.mode = net::ProxySettings::Mode::Explicit;
        proxy.url = value;
        proxy.noProxy = server.text("noProxy");
    } else {
        throw ConfigError(server.where() +
                          ".proxy must be \"environment\", \"direct\" or a proxy URL");
    }
    return proxy;
}

// A list of at least one PEM public key file (scripts.trustedKeys, server.allowanceKeys).
std::vector<std::string> keyFiles(Section section, const char* key) {
    const json* files = section.optional(key);
    const std::string where = section.where() + "." + key;
    if (files == nullptr || !files->is_array() || files->empty()) {
        throw ConfigError(where + " must list at least one PEM public key");
    }
    std::vector<std::string> paths;
    for (const auto& file : *files) {
        if (!file.is_string()) {
            throw ConfigError(where + " holds file names");
        }
        paths.push_back(section.resolve(file.get<std::string>()));
    }
    return paths;
}

net::HttpsSettings serverFrom(Section server) {
    server.allowOnly({"url", "caFile", "pinSha256", "allowanceKeys", "proxy", "noProxy",
                      "connectTimeoutMs", "requestTimeoutMs", "maxAttempts", "initialBackoffMs",
                      "maxBackoffMs"});
    net::HttpsSettings settings;
    settings.baseUrl = server.requiredText("url");
    while (!settings.baseUrl.empty() && settings.baseUrl.back() == '/') {
        settings.baseUrl.pop_back();
    }
    if (settings.baseUrl.rfind("https://", 0) != 0) {
        throw ConfigError(server.where() + ".url must be an https:// URL");
    }
    settings.caFile = server.resolve(server.requiredText("caFile"));
    settings.pinnedSpkiSha256 = server.requiredText("pinSha256");
    settings.proxy = proxyFrom(server);
    settings.connectTimeout =
        std::chrono::milliseconds(server.number("connectTimeoutMs", 5000, 100, 120000));
    settings.requestTimeout =
        std::chrono::milliseconds(server.number("requestTimeoutMs", 20000, 100, 600000));
    settings.retry.maxAttempts = static_cast<int>(server.number("maxAttempts", 4, 1, 20));
    settings.retry.initialBackoff =
        std::chrono::milliseconds(server.number("initialBackoffMs", 250, 0, 60000));
    settings.retry.maxBackoff =
        std::chrono::milliseconds(server.number("maxBackoffMs", 4000, 0, 600000));
    return settings;
}

WebSocketSettings websocketFrom(Section websocket) {
    websocket.allowOnly({"enabled", "port", "maxMessageBytes", "messagesPerSecond", "burst",
                         "pingSeconds", "idleSeconds"});
    WebSocketSettings settings;
    settings.enabled = websocket.optionalBoolean("enabled").value_or(settings.enabled);
    settings.port = static_cast<std::uint16_t>(websocket.number("port", settings.port, 1, 65535));
    settings.maxMessageBytes = static_cast<std::size_t>(
        websocket.number("maxMessageBytes", 64L * 1024, 1024, 1024L * 1024));
    settings.messagesPerSecond =
        static_cast<double>(websocket.number("messagesPerSecond", 20, 1, 10000));
    settings.burst = static_cast<std::size_t>(websocket.number("burst", 40, 1, 100000));
    settings.pingInterval = std::chrono::seconds(websocket.number("pingSeconds", 30, 1, 3600));
    settings.idleTimeout = std::chrono::seconds(websocket.number("idleSeconds", 120, 1, 86400));
    if (settings.idleTimeout <= settings.pingInterval) {
        throw ConfigError(websocket.where() + ".idleSeconds must be longer than pingSeconds");
    }
    return settings;
}

WebSettings webFrom(Section web) {
    web.allowOnly({"allowedOrigins", "confirmation", "cardInfo", "websocket"});
    WebSettings settings;
    if (const json* origins = web.optional("allowedOrigins")) {
        if (!origins->is_array()) {
            throw ConfigError(web.where() + ".allowedOrigins must be a list of origins");
        }
        for (const auto& origin : *origins) {
            const auto canonical =
                origin.is_string() ? canonicalOrigin(origin.get<std::string>()) : std::nullopt;
            if (!canonical) {
                throw ConfigError(web.where() + ".allowedOrigins: " + origin.dump() +
                                  " is not an origin TapLink accepts (https://host[:port], or " +
                                  "http:// on localhost)");
            }
            settings.allowedOrigins.push_back(*canonical);
        }
    }
    const auto confirmation = confirmationFrom(web.text("confirmation", "ask"));
    if (!confirmation) {
        throw ConfigError(web.where() + ".confirmation must be \"ask\" or \"auto\"");
    }
    settings.confirmation = *confirmation;
    const auto cardInfo = cardInfoAccessFrom(web.text("cardInfo", "ask"));
    if (!cardInfo) {
        throw ConfigError(web.where() + ".cardInfo must be \"ask\", \"allow\" or \"deny\"");
    }
    settings.cardInfo = *cardInfo;
    settings.websocket = websocketFrom(web.child("websocket"));
    return settings;
}

// The chip PIN unlocks the device key: a config holding it must be the owner's alone.
void requirePrivateFile(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        throw ConfigError("cannot stat " + path);
    }
    if ((info.st_mode & 077U) != 0) {
        throw ConfigError(path + " holds the chip PIN and must be readable by its owner only " +
                          "(chmod 600)");
    }
}

}  // namespace

std::string defaultStateDir() {
    return envOr("XDG_STATE_HOME", homeDir() + "/.local/state") + "/taplink";
}

std::optional<std::string> findConfigFile() {
    std::vector<std::string> candidates{envOr("XDG_CONFIG_HOME", homeDir() + "/.config") +
                                        "/taplink/taplinkd.json"};
    std::stringstream dirs(envOr("XDG_CONFIG_DIRS", "/etc/xdg"));
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (!dir.empty()) {
            candidates.push_back(dir + "/taplink/taplinkd.json");
        }
    }
    for (const auto& candidate : candidates) {
        if (fs::exists(candidate)) {
            return candidate;
        }
    }
    return std::nullopt;
}

DaemonConfig loadConfig(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError("cannot read the config file " + path);
    }
    json document;
    try {
        document = json::parse(in);
    } catch (const json::exception& error) {
        throw ConfigError(path + " is not valid JSON: " + error.what());
    }
    Section root(document, path, fs::absolute(fs::path(path)).parent_path());
    root.allowOnly(
        {"server", "scripts", "chip", "cards", "journal", "socket", "reportRetrySeconds", "web"});

    DaemonConfig config;
    config.sourcePath = path;
    config.server = serverFrom(root.child("server"));

    config.allowanceKeys = keyFiles(root.child("server"), "allowanceKeys");
    Section scripts = root.child("scripts");
    scripts.allowOnly({"trustedKeys"});
    config.scriptSigningKeys = keyFiles(scripts, "trustedKeys");

    Section chip = root.child("chip");
    chip.allowOnly({"reader", "pin"});
    config.chipReader = chip.text("reader");
    config.chipPin = chip.requiredText("pin");
    requirePrivateFile(path);

    Section cards = root.child("cards");
    cards.allowOnly({"reader", "waitSeconds"});
    config.cardReader = cards.text("reader");
    config.cardWait = std::chrono::seconds(cards.number("waitSeconds", 60, 1, 3600));

    config.journalPath = root.path("journal", defaultStateDir() + "/journal.sqlite");
    config.socketPath = root.path("socket");
    config.reportRetryEvery = std::chrono::seconds(root.number("reportRetrySeconds", 30, 1, 86400));
    config.web = webFrom(root.child("web"));
    return config;
}

}  // namespace taplink::app
