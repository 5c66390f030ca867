// The admin API (docs/server.md): plain HTTP/1.1 on the owner-only Unix socket, for the
// operator and the tests: orders, ledger, devices, events and fault injection.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "api/api_error.hpp"
#include "api/faults.hpp"
#include "api/order_desk.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "store/server_store.hpp"

namespace taplink::server {

using AdminApiSettings = OrderRules;

class AdminApi {
  public:
    // tsmSealKey: the payment keys' seal key (api/tsm_jobs.hpp) of a server with TSM keys;
    // without, the TSM routes answer 503.
    AdminApi(ServerStore& store, FaultInjector& faults, AdminApiSettings settings,
             std::optional<Bytes> tsmSealKey = std::nullopt);

    // Never throws for anything a client sends.
    http::Response handle(const http::Request& request, const http::Peer& peer);

  private:
    struct Call {};
    using Params = http::PathParams;

    http::Response createOrder(const http::Request& request, Call& call, const Params& path);
    http::Response listOrders(const http::Request& request, Call& call, const Params& path);
    http::Response showOrder(const http::Request& request, Call& call, const Params& path);
    http::Response cancelOrder(const http::Request& request, Call& call, const Params& path);
    http::Response ledger(const http::Request& request, Call& call, const Params& path);
    http::Response listDevices(const http::Request& request, Call& call, const Params& path);
    http::Response revokeDevice(const http::Request& request, Call& call, const Params& path);
    http::Response listEvents(const http::Request& request, Call& call, const Params& path);
    http::Response addFault(const http::Request& request, Call& call, const Params& path);
    http::Response clearFaults(const http::Request& request, Call& call, const Params& path);
    // Cardholder accounts (api/admin_accounts.cpp).
    void addAccountRoutes();
    http::Response createAccount(const http::Request& request, Call& call, const Params& path);
    http::Response creditAccount(const http::Request& request, Call& call, const Params& path);
    http::Response setAccountPin(const http::Request& request, Call& call, const Params& path);
    http::Response showAccount(const http::Request& request, Call& call, const Params& path);
    http::Response listAccounts(const http::Request& request, Call& call, const Params& path);
    AccountRecord existingAccount(const std::string& accountId) const;
    // Chip management, the TSM role (api/admin_tsm.cpp).
    void addTsmRoutes();
    http::Response tsmStatus(const http::Request& request, Call& call, const Params& path);
    http::Response queueTsmJob(const http::Request& request, Call& call, const Params& path);
    http::Response listTsmJobs(const http::Request& request, Call& call, const Params& path);
    http::Response listChipTsmJobs(const http::Request& request, Call& call, const Params& path);
    // The payment applet's dynamic token, checked by the bank (api/admin_tokens.cpp).
    void addTokenRoutes();
    http::Response verifyToken(const http::Request& request, Call& call, const Params& path);
    // The seal key; 503 tsm_unavailable without TSM keys.
    const Bytes& requireTsm() const;
    TsmJobDraft tsmJobDraftOf(const http::Request& request, const std::string& chipSerial);
    void prepareKeysAndLifecycle(TsmJobDraft& draft, const Bytes& sealKey);
    // Upper-case hex of 1..32 bytes; 400 malformed_request otherwise.
    static std::string chipSerialOf(const std::string& text);
    // What a bank-ec order shows besides the city's: its account, authorization and decision.
    // (a bank-purchase order's: its approval and decision, addPurchaseView.)
    void addEcLoadView(const OrderRecord& order, nlohmann::json& view) const;
    void addPurchaseView(const OrderRecord& order, nlohmann::json& view) const;

    ServerStore& store_;
    FaultInjector& faults_;
    AdminApiSettings settings_;
    std::optional<Bytes> tsmSealKey_;
    http::Router<Call> router_;
};

}  // namespace taplink::server
