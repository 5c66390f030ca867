// taplink-server put together: the issuers' keys, the store, the script catalogue, the
// device API on TLS, the admin API on the Unix socket and, when configured, the merchant
// listener (HTTPS for browsers: the demo checkout page).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/admin_api.hpp"
#include "api/device_api.hpp"
#include "api/faults.hpp"
#include "api/merchant_api.hpp"
#include "api/script_catalogue.hpp"
#include "http/listeners.hpp"
#include "http/tls.hpp"
#include "server_config.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

class ServerApp {
  public:
    // Loads the keys, opens the database and binds both sockets. Throws (ConfigError,
    // sim::IssuerKeysError, protocol::TsmKeysError, StoreError, SigningKeyError,
    // http::TlsSetupError, http::ListenError) with a message that names the file at fault.
    explicit ServerApp(ServerConfig config);

    // The device API's port (the one the system picked when the configuration says 0).
    std::uint16_t port() const { return listener_.port; }
    // "https://127.0.0.1:PORT"
    std::string deviceUrl() const;
    // "https://localhost:PORT/" when the merchant listener is configured.
    std::optional<std::string> merchantUrl() const;

    // Serves every API until stopFd becomes readable, then closes every connection.
    void run(int stopFd);

  private:
    // The merchant listener's parts, made in place (the API's routes point at it).
    struct Merchant {
        Merchant(const ServerConfig& config, ServerStore& store, const OrderRules& rules);
        MerchantApi api;
        http::SslCtxPtr tls;
        http::TcpListener listener;
    };
    // Serves the merchant listener on this thread until stopFd becomes readable.
    void runMerchant(int stopFd);

    ServerConfig config_;
    sim::IssuerKeySet issuers_;
    ServerStore store_;
    ScriptCatalogue scripts_;
    FaultInjector faults_;
    TsmSettings tsm_;  // read once: the device API's TSM role and the admin API's seal key
    DeviceApi deviceApi_;
    AdminApi adminApi_;
    http::SslCtxPtr tls_;
    http::TcpListener listener_;
    UniqueFd adminListener_;
    std::unique_ptr<Merchant> merchant_;  // null without a "merchant" configuration
};

}  // namespace taplink::server
