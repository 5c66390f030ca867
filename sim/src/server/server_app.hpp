// taplink-server put together: the issuers' keys, the store, the script catalogue, the
// device API on TLS and the admin API on the Unix socket.
#pragma once

#include <cstdint>

#include "cards/issuer_keys.hpp"
#include "server/api/admin_api.hpp"
#include "server/api/device_api.hpp"
#include "server/api/faults.hpp"
#include "server/api/script_catalogue.hpp"
#include "server/http/listeners.hpp"
#include "server/http/tls.hpp"
#include "server/server_config.hpp"
#include "server/store/server_store.hpp"

namespace taplink::server {

class ServerApp {
  public:
    // Loads the keys, opens the database and binds both sockets. Throws (ConfigError,
    // sim::IssuerKeysError, StoreError, ScriptSigningError, http::TlsSetupError,
    // http::ListenError) with a message that names the file at fault.
    explicit ServerApp(ServerConfig config);

    // The device API's port (the one the system picked when the configuration says 0).
    std::uint16_t port() const { return listener_.port; }
    // "https://127.0.0.1:PORT"
    std::string deviceUrl() const;

    // Serves both APIs until stopFd becomes readable, then closes every connection.
    void run(int stopFd);

  private:
    ServerConfig config_;
    sim::IssuerKeySet issuers_;
    ServerStore store_;
    ScriptCatalogue scripts_;
    FaultInjector faults_;
    DeviceApi deviceApi_;
    AdminApi adminApi_;
    http::SslCtxPtr tls_;
    http::TcpListener listener_;
    http::UniqueFd adminListener_;
};

}  // namespace taplink::server
