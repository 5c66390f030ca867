// device.info and diagnostics.
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/daemon.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

constexpr const char* kVersion = "0.1.0";

json check(bool ok, const std::string& message) {
    return json{{"ok", ok}, {"message", message}};
}

json pcscCheck() {
    try {
        const auto context = pcsc::Context::establish();
        return check(true, "pcscd is running");
    } catch (const std::exception& error) {
        return check(false, std::string("pcscd is not running: ") + error.what());
    }
}

json chipCheck(Daemon& daemon) {
    try {
        const auto identity = daemon.chip().identity();
        return check(true,
                     "secure chip " + toHex(identity->chipSerial) + " on " + identity->reader);
    } catch (const std::exception& error) {
        return check(false, error.what());
    }
}

// Asks the server for an order that cannot exist: a 404 proves TLS, the pin and our
// certificate all work.
json serverCheck(Daemon& daemon) {
    try {
        const auto chipHold = daemon.chip().hold();  // lock order: chip, then HTTPS client
        daemon.serverClient()->fetchOrder("diagnostics-probe");
        return check(true, "the server answered");
    } catch (const net::ServerRefusal& refusal) {
        return refusal.code() == "order_not_found"
                   ? check(true, "the server answered over mutual TLS")
                   : check(false, refusal.what());
    } catch (const std::exception& error) {
        return check(false, error.what());
    }
}

}  // namespace

void registerDeviceMethods(api::Dispatcher& dispatcher, Daemon& daemon) {
    dispatcher.add(api::method::kDeviceInfo, [&daemon](const json& params, api::CallContext&) {
        return answer([&] {
            api::params::allowOnly(params, {});
            const auto identity = daemon.chip().identity();
            return json{{"chipSerial", toHex(identity->chipSerial)},
                        {"terminalId", toHex(identity->terminalId)},
                        {"certificate",
                         {{"subject", identity->subject},
                          {"issuer", identity->issuer},
                          {"notAfter", identity->notAfter},
                          {"sha256", identity->sha256}}},
                        {"server", {{"url", daemon.serverSettings().baseUrl}}},
                        {"version", kVersion}};
        });
    });

    dispatcher.add(api::method::kDiagnostics, [&daemon](const json& params, api::CallContext&) {
        return answer([&] {
            api::params::allowOnly(params, {});
            const auto chip = chipCheck(daemon);
            return json{{"pcsc", pcscCheck()},
                        {"readers", daemon.readers().readers().size()},
                        {"chip", chip},
                        {"server", chip["ok"].get<bool>() ? serverCheck(daemon)
                                                          : check(false, "needs the secure chip")},
                        {"journal", {{"unfinished", daemon.journal().unfinished().size()}}}};
        });
    });
}

}  // namespace taplink::app
