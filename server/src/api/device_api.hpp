// The device API (docs/server.md), served over mutual TLS: orders, recharge scripts, load
// authorizations and signed results. The device is who its client certificate says; every
// refusal and every replay is written to the event log.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>

#include <mutex>

#include <map>

#include <cstdint>

#include "api/answer_signer.hpp"
#include "api/api_error.hpp"
#include "api/device_identity.hpp"
#include "api/ecload_api.hpp"
#include "api/faults.hpp"
#include "api/purchase_api.hpp"
#include "api/script_catalogue.hpp"
#include "api/tsm_api.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

struct DeviceApiSettings {
    std::int64_t authorizationLifetimeSeconds = 300;
    std::uint32_t maxCardBalance = 100000;  // fen
};

class DeviceApi {
  public:
    DeviceApi(ServerStore& store, const sim::IssuerKeySet& issuers, const ScriptCatalogue& scripts,
              FaultInjector& faults, DeviceApiSettings settings, AnswerSigner signer,
              TsmSettings tsm = {});

    // Never throws for anything a client sends. The answers to money requests are signed
    // (AnswerSigner), refusals included, once the device is known.
    http::Response handle(const http::Request& request, const http::Peer& peer);

  private:
    // One request of one device.
    struct Call {
        DeviceIdentity device;
        X509* certificate = nullptr;
    };

    // The refusal of an authorization the store did not record; returns on Recorded.
    static void refuseUnrecorded(const AuthorizeResult& result, const std::string& orderId,
                                 std::int64_t now);
    http::Response order(const http::Request& request, Call& call, const http::PathParams& path);
    http::Response script(const http::Request& request, Call& call, const http::PathParams& path);
    http::Response authorize(const http::Request& request, Call& call,
                             const http::PathParams& path);
    http::Response result(const http::Request& request, Call& call, const http::PathParams& path);
    void addEcLoadRoutes();
    void addPurchaseRoutes();
    void addTsmRoutes();
    // 403 chip_locked while the TSM has the device's applet (the load SAM, the payment
    // applet) recorded or ordered locked: a lock takes effect at once, before the chip
    // applies it.
    void refuseLockedChip(const Call& call,
                          chip::mgmt::Applet applet = chip::mgmt::Applet::LoadSam) const;

    // Throws ApiError with the fault's status when one is armed for the endpoint and mode.
    void injectFault(Endpoint endpoint, FaultMode mode);
    OrderRecord existingOrder(const std::string& orderId) const;
    SettlementRecord checkedSettlement(const Call& call, const OrderRecord& order,
                                       const net::wire::ResultReport& report,
                                       const net::wire::TopupResult& result) const;
    void recordRefusal(const http::Request& request, const std::string& chipSerial,
                       const ApiError& error) const;
    http::Response answer(const http::Request& request, Call& call);
    // The allowance key's signature, or the "unsigned" and "forged" faults in its place.
    void signAnswer(const http::Request& request, const Call& call, http::Response& answer);
    // The order's first authorize answer, when a "replay" fault is armed (tests of the chip's
    // one-MAC2-per-nonce rule).
    std::optional<nlohmann::json> replayedAuthorization(const std::string& orderId);

    ServerStore& store_;
    const sim::IssuerKeySet& issuers_;
    const ScriptCatalogue& scripts_;
    FaultInjector& faults_;
    DeviceApiSettings settings_;
    AnswerSigner signer_;
    EcLoadApi ecLoad_;
    PurchaseApi purchase_;
    TsmApi tsm_;
    http::Router<Call> router_;
    std::mutex firstAuthorizationsMutex_;
    std::map<std::string, nlohmann::json> firstAuthorizations_;
};

}  // namespace taplink::server
