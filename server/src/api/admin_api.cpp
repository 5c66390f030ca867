#include "api/admin_api.hpp"

#include <algorithm>
#include <tuple>

#include "api/api_calls.hpp"
#include "api/money.hpp"
#include "api/views.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kEventsShown = 1000;
constexpr std::size_t kMaxChipSerialBytes = 32;

bool isHex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    });
}

std::string upperCase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
    return text;
}

}  // namespace

AdminApi::AdminApi(ServerStore& store, FaultInjector& faults, AdminApiSettings settings,
                   std::optional<Bytes> tsmSealKey)
    : store_(store),
      faults_(faults),
      settings_(std::move(settings)),
      tsmSealKey_(std::move(tsmSealKey)) {
    router_.add("POST", "/admin/orders", memberRoute(this, &AdminApi::createOrder));
    router_.add("GET", "/admin/orders", memberRoute(this, &AdminApi::listOrders));
    router_.add("GET", "/admin/orders/{}", memberRoute(this, &AdminApi::showOrder));
    router_.add("POST", "/admin/orders/{}/cancel", memberRoute(this, &AdminApi::cancelOrder));
    router_.add("GET", "/admin/ledger", memberRoute(this, &AdminApi::ledger));
    router_.add("GET", "/admin/devices", memberRoute(this, &AdminApi::listDevices));
    router_.add("POST", "/admin/devices/revoke", memberRoute(this, &AdminApi::revokeDevice));
    router_.add("GET", "/admin/events", memberRoute(this, &AdminApi::listEvents));
    router_.add("POST", "/admin/faults", memberRoute(this, &AdminApi::addFault));
    router_.add("DELETE", "/admin/faults", memberRoute(this, &AdminApi::clearFaults));
    addAccountRoutes();
    addTsmRoutes();
    addTokenRoutes();
}

Response AdminApi::handle(const Request& request, const http::Peer& /*peer*/) {
    return answer(router_, request);
}

// POST /admin/orders {"amount":"50.00","scheme":"city-epurse"}; a bank-ec order adds
// "account", a bank-purchase order "merchant".
Response AdminApi::createOrder(const Request& request, Call& /*call*/, const Params& /*path*/) {
    const auto [amountText, scheme, terms] = readBody(request, "order", [](wire::StrictObject& in) {
        return std::tuple(in.string("amount"), in.string("scheme"),
                          OrderTerms{in.optionalString("account"), in.optionalString("merchant")});
    });
    const auto amount = parseYuan(amountText);
    if (!amount) {
        throw ApiError(400, "invalid_amount", amountRule(settings_));
    }
    const OrderRecord order = openOrder(store_, settings_, *amount, scheme, terms);
    json view = adminView(order);
    addEcLoadView(order, view);
    return http::jsonResponse(201, view);
}

Response AdminApi::listOrders(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    json orders = json::array();
    for (const OrderRecord& order : store_.listOrders()) {
        orders.push_back(adminView(order));
    }
    return http::jsonResponse(200, {{"orders", orders}});
}

Response AdminApi::showOrder(const Request& /*request*/, Call& /*call*/, const Params& path) {
    const OrderRecord order = existingOrder(store_, path[0]);
    json view = adminView(order);
    view["authorizations"] = json::array();
    for (const AuthorizationRecord& authorization : store_.authorizationsFor(order.orderId)) {
        view["authorizations"].push_back(adminView(authorization));
    }
    const auto settlement = store_.settlementFor(order.orderId);
    view["settlement"] = settlement ? adminView(*settlement) : json(nullptr);
    addEcLoadView(order, view);
    return http::jsonResponse(200, view);
}

Response AdminApi::cancelOrder(const Request& /*request*/, Call& /*call*/, const Params& path) {
    const std::string& orderId = path[0];
    switch (wire::isValidOrderId(orderId) ? store_.cancelOrder(orderId) : CancelOutcome::NotFound) {
        case CancelOutcome::Cancelled:
            break;
        case CancelOutcome::NotFound:
            throw ApiError(404, wire::refusal::kOrderNotFound, "no order " + orderId);
        case CancelOutcome::NotOpen:
            throw ApiError(409, "order_not_open", "only an open order can be cancelled");
        case CancelOutcome::Authorized:
            throw ApiError(409, "authorization_outstanding",
                           "a load was authorized for this order: it must be settled or stay "
                           "open until the device reports what the card did");
    }
    return http::jsonResponse(200, adminView(*store_.findOrder(orderId)));
}

Response AdminApi::ledger(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    return http::jsonResponse(200, adminView(store_.ledger()));
}

Response AdminApi::listDevices(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    json devices = json::array();
    for (const DeviceRecord& device : store_.listDevices()) {
        devices.push_back(adminView(device));
    }
    return http::jsonResponse(200, {{"devices", devices}});
}

// POST /admin/devices/revoke {"chipSerial":"HEX"}
Response AdminApi::revokeDevice(const Request& request, Call& /*call*/, const Params& /*path*/) {
    const std::string chipSerial = chipSerialOf(readBody(
        request, "revocation", [](wire::StrictObject& in) { return in.string("chipSerial"); }));
    const std::size_t certificates = store_.revokeChip(chipSerial);
    return http::jsonResponse(
        200,
        {{"chipSerial", chipSerial}, {"status", "revoked"}, {"knownCertificates", certificates}});
}

std::string AdminApi::chipSerialOf(const std::string& text) {
    std::string chipSerial = upperCase(text);
    if (chipSerial.empty() || chipSerial.size() % 2 != 0 ||
        chipSerial.size() > 2 * kMaxChipSerialBytes || !isHex(chipSerial)) {
        throw ApiError(400, "malformed_request", "chipSerial must be the chip serial in hex");
    }
    return chipSerial;
}

Response AdminApi::listEvents(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    json events = json::array();
    for (const EventRecord& event : store_.listEvents(kEventsShown)) {
        events.push_back(adminView(event));
    }
    return http::jsonResponse(200, {{"events", events}});
}

// POST /admin/faults {"endpoint":"result","mode":"after","status":500,"count":1}
Response AdminApi::addFault(const Request& request, Call& /*call*/, const Params& /*path*/) {
    constexpr std::uint64_t kMaxCount = 1000;
    const Fault fault = readBody(request, "fault", [](wire::StrictObject& in) {
        Fault parsed;
        const std::string endpoint = in.string("endpoint");
        const std::string mode = in.string("mode");
        const auto knownEndpoint = endpointFromString(endpoint);
        const auto knownMode = faultModeFromString(mode);
        if (!knownEndpoint || !knownMode) {
            throw wire::WireFormatError(
                "fault: endpoint must be order, script, authorize or result and mode before, "
                "after, corrupt, replay, unsigned or forged");
        }
        const bool signedAnswer =
            *knownEndpoint == Endpoint::Authorize || *knownEndpoint == Endpoint::Result;
        const bool aboutSignature =
            *knownMode == FaultMode::Unsigned || *knownMode == FaultMode::Forged;
        if ((*knownMode == FaultMode::Corrupt && *knownEndpoint != Endpoint::Script) ||
            (*knownMode == FaultMode::Replay && *knownEndpoint != Endpoint::Authorize) ||
            (aboutSignature && !signedAnswer)) {
            throw wire::WireFormatError(
                "fault: corrupt is for script, replay for authorize, unsigned and forged for "
                "authorize and result");
        }
        parsed.endpoint = *knownEndpoint;
        parsed.mode = *knownMode;
        parsed.status = in.has("status") ? static_cast<int>(in.integer("status", 0, 599)) : 500;
        if (parsed.status < 200) {
            throw wire::WireFormatError("fault.status must be an HTTP status from 200 to 599");
        }
        parsed.count =
            in.has("count") ? static_cast<unsigned>(in.integer("count", 0, kMaxCount)) : 1U;
        if (parsed.count == 0) {
            throw wire::WireFormatError("fault.count must be at least 1");
        }
        return parsed;
    });
    faults_.add(fault);
    store_.recordEvent(EventRecord{0, 0, "fault_armed", "", "", "", toJson(fault).dump()});
    json faults = json::array();
    for (const Fault& armed : faults_.list()) {
        faults.push_back(toJson(armed));
    }
    return http::jsonResponse(201, {{"faults", faults}});
}

Response AdminApi::clearFaults(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    faults_.clear();
    return http::jsonResponse(200, {{"faults", json::array()}});
}

}  // namespace taplink::server
