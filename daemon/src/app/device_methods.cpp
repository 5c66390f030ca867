// device.info and diagnostics.
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

constexpr const char* kVersion = "0.1.0";

json check(bool ok, const std::string& message) {
    return json{{"ok", ok}, {"message", message}};
}

json pcscCheck(service::CardPort& cards) {
    return cards.available() ? check(true, "pcscd is running")
                             : check(false, "pcscd is not running");
}

json chipCheck(const DeviceServices& services) {
    try {
        const auto identity = services.chip.identity();
        return check(true,
                     "secure chip " + toHex(identity->chipSerial) + " on " + identity->reader);
    } catch (const std::exception& error) {
        return check(false, error.what());
    }
}

// Asks the server for an order that cannot exist: a 404 proves TLS, the pin and our
// certificate all work.
json serverCheck(const DeviceServices& services) {
    try {
        const auto chipHold = services.chip.hold();  // lock order: chip, then HTTPS client
        services.server()->fetchOrder("diagnostics-probe");
        return check(true, "the server answered");
    } catch (const net::ServerRefusal& refusal) {
        return refusal.code() == net::wire::refusal::kOrderNotFound
                   ? check(true, "the server answered over mutual TLS")
                   : check(false, refusal.what());
    } catch (const std::exception& error) {
        return check(false, error.what());
    }
}

}  // namespace

void registerDeviceMethods(api::Dispatcher& dispatcher, DeviceServices services) {
    dispatcher.add(api::method::kDeviceInfo, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {});
        const auto identity = services.chip.identity();
        return json{{"chipSerial", toHex(identity->chipSerial)},
                    {"terminalId", toHex(identity->terminalId)},
                    {"certificate",
                     {{"subject", identity->subject},
                      {"issuer", identity->issuer},
                      {"notAfter", identity->notAfter},
                      {"sha256", identity->sha256}}},
                    {"server", {{"url", services.settings.server().baseUrl}}},
                    {"version", kVersion}};
    });

    dispatcher.add(api::method::kDiagnostics, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {});
        const auto chip = chipCheck(services);
        return json{{"pcsc", pcscCheck(services.cards)},
                    {"readers", services.readers.readers().size()},
                    {"chip", chip},
                    {"server", chip["ok"].get<bool>() ? serverCheck(services)
                                                      : check(false, "needs the secure chip")},
                    {"journal", {{"unfinished", services.journal.unfinished().size()}}}};
    });
}

}  // namespace taplink::app
