// How the server's records look in JSON answers: the device API's contract types for orders
// and receipts, and the admin API's views of everything else.
#pragma once

#include <nlohmann/json.hpp>

#include "store/server_store.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

net::wire::Order orderView(const OrderRecord& order);
net::wire::Receipt receiptOf(const SettlementRecord& settlement);

// Admin views: the wire order plus createdAt/updatedAt; authorizations without key material.
nlohmann::json adminView(const OrderRecord& order);
nlohmann::json adminView(const AuthorizationRecord& authorization);
nlohmann::json adminView(const SettlementRecord& settlement);
nlohmann::json adminView(const DeviceRecord& device);
nlohmann::json adminView(const EventRecord& event);
nlohmann::json adminView(const Ledger& ledger);

}  // namespace taplink::server
