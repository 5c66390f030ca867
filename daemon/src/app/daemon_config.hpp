// taplinkd's configuration: one JSON file, found in the XDG locations
// ($XDG_CONFIG_HOME/taplink/taplinkd.json, then each of $XDG_CONFIG_DIRS/taplink/taplinkd.json)
// or named with --config. Relative paths in it are relative to the file's folder.
// docs/daemon.md lists every key.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/web_settings.hpp"
#include "net/https_client.hpp"

namespace taplink::app {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DaemonConfig {
    std::string sourcePath;  // the file it came from

    net::HttpsSettings server;                   // url, CA file, pin, proxy, timeouts, retries
    std::vector<std::string> scriptSigningKeys;  // PEM public keys trusted for recharge scripts
    // PEM public keys whose signature taplinkd accepts on the server's allowances and receipts
    // (server.allowanceKeys; docs/server.md, "Signed answers").
    std::vector<std::string> allowanceKeys;

    std::string chipReader;  // reader name of the secure chip; empty: find it by its SAM
    std::string chipPin;     // the PIV PIN that unlocks the device key for signing
    std::string cardReader;  // reader name for cards; empty: any reader but the chip's

    std::string journalPath;  // default $XDG_STATE_HOME/taplink/journal.sqlite
    std::string socketPath;   // default api::defaultSocketPath()

    std::chrono::seconds cardWait{60};          // topup.start waits this long for a card
    std::chrono::seconds reportRetryEvery{30};  // unreported results are retried this often

    WebSettings web;  // web pages: allowed origins, confirmation, the WebSocket
};

// The first config file that exists in the XDG search order; nullopt when none does.
std::optional<std::string> findConfigFile();

// Reads and checks the file. ConfigError names the file and the key for anything missing,
// ill-typed or unknown, and refuses a file holding the chip PIN that others can read.
DaemonConfig loadConfig(const std::string& path);

// $XDG_STATE_HOME/taplink (default ~/.local/state/taplink).
std::string defaultStateDir();

}  // namespace taplink::app
