// taplink-server's configuration file (JSON; docs/server.md). Relative paths are relative to
// the folder of the configuration file.
//   {"listen":{"host":"127.0.0.1","port":8443},
//    "tls":{"certificateChain":"server-chain.crt","privateKey":"server.key",
//           "deviceCa":"device-ca.crt"},
//    "scriptSigningKey":"script-signing.key","allowanceSigningKey":"allowance-signing.key",
//    "scriptsDir":"../scripts/recharge",
//    "issuers":"issuers.json","database":"server.db","adminSocket":"admin.sock",
//    "authorizationLifetimeSeconds":300,"maxOrderAmount":100000,"maxCardBalance":100000,
//    "merchant":{"host":"127.0.0.1","port":8444,"checkoutDir":"../server/checkout",
//                "sdkDir":"../native-messaging/sdk","demoAccountHolder":"Demo Cardholder",
//                "merchantName":"TapLink 演示商店 Demo Shop"},
//    "tsm":{"keysFile":"tsm-keys.json","activateEnrolledChips":true}}
// The three numbers, "merchant" and "tsm" may be left out (the numbers' defaults are shown;
// without "merchant" there is no merchant listener, without tsm.keysFile the TSM routes answer
// 503 tsm_unavailable), and so may merchant.demoAccountHolder, merchant.merchantName (the
// name on the page's bank-purchase orders, default shown) and each member of "tsm";
// nothing else may.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http/tls.hpp"

namespace taplink::server {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The merchant listener: HTTPS for browsers (the demo checkout page).
struct MerchantConfig {
    std::string host = "127.0.0.1";                // loopback only, like listen.host
    std::uint16_t port = 0;                        // 0: any free port
    std::string checkoutDir;                       // the page: index.html and its assets
    std::string sdkDir;                            // the page SDK: taplink.js, taplink.d.ts
    std::optional<std::string> demoAccountHolder;  // pays the page's EC loads (圈存)
    std::optional<std::string> merchantName;       // on its purchases; none: the default
};

// The TSM role: the management of the devices' secure chips (docs/server.md, "Chip
// management").
struct TsmConfig {
    std::optional<std::string> keysFile;  // a taplink-tsm-keys/1 file; none: no TSM
    bool activateEnrolledChips = true;    // sync queues "activate" for an installed load SAM
};

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8443;  // 0: any free port
    http::TlsFiles tls;
    std::string scriptSigningKey;
    std::string allowanceSigningKey;  // signs the money answers (wire/signed_answer.hpp)
    std::string scriptsDir;
    std::string issuers;
    std::string database;
    std::string adminSocket;
    std::int64_t authorizationLifetimeSeconds = 300;
    std::uint32_t maxOrderAmount = 100000;  // fen
    std::uint32_t maxCardBalance = 100000;  // fen
    std::optional<MerchantConfig> merchant;
    TsmConfig tsm;
};

// ConfigError naming the field for a missing, unknown or ill-typed one, or a host that is
// not a loopback address. baseDir resolves relative paths.
ServerConfig parseServerConfig(std::string_view jsonText, const std::string& baseDir);
// ConfigError also when the file cannot be read.
ServerConfig loadServerConfig(const std::string& path);

}  // namespace taplink::server
