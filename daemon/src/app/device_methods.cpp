// device.info and diagnostics.
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

constexpr const char* kVersion = TAPLINK_VERSION;  // the project's, as api.version says

json check(bool ok, const std::string& message) {
    return json{{"ok", ok}, {"message", message}};
}

json pcscCheck(service::CardPort& cards) {
    return cards.available() ? check(true, "pcscd is running")
                             : check(false, "pcscd is not running");
}

// The chip is usable for loads only with its load SAM operational (docs/daemon.md, "Chip
// management"): installed is not activated yet, locked is the TSM's lock.
json chipCheck(const DeviceServices& services) {
    try {
        const auto identity = services.chip.identity();
        const auto applets = services.management.status();
        const auto lifecycle = applets.front().lifecycle;
        const std::string where =
            "secure chip " + toHex(identity->chipSerial) + " on " + identity->reader;
        if (lifecycle == chip::sam::Lifecycle::Operational) {
            return check(true, where + ", load SAM operational");
        }
        return check(false, where + ", load SAM " +
                                std::string(chip::sam::lifecycleName(lifecycle)) +
                                (lifecycle == chip::sam::Lifecycle::Locked
                                     ? ": locked by its management system (TSM)"
                                     : ": not activated by its management system (TSM) yet"));
    } catch (const std::exception& error) {
        return check(false, error.what());
    }
}

// The server check needs the device certificate (mutual TLS), not an operational load SAM.
bool hasIdentity(const DeviceServices& services) {
    try {
        services.chip.identity();
        return true;
    } catch (const std::exception&) {
        return false;
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
                    {"server", hasIdentity(services) ? serverCheck(services)
                                                     : check(false, "needs the secure chip")},
                    {"journal", {{"unfinished", services.journal.unfinished().size()}}}};
    });
}

}  // namespace taplink::app
