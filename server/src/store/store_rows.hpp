// The store's row helpers shared by its source files (server_store, account_store,
// ecload_store, store_schema): each runs inside the caller's transaction and lock. Fields go
// in and out of rows through taplink/sqlite/row_values.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "store/server_store.hpp"

namespace taplink::server::rows {

std::int64_t nowSeconds();
std::optional<OrderRecord> selectOrder(sqlite3* database, std::string_view orderId);
void setOrderStatus(sqlite3* database, std::string_view orderId, net::wire::OrderStatus status,
                    std::int64_t now);

// Brings the database to the store's schema, or refuses one a newer server wrote
// (store/store_schema.cpp).
void upgradeStoreSchema(sqlite3* database);

bool hasEcAuthorization(sqlite3* database, std::string_view orderId);
bool hasPurchaseAuthorization(sqlite3* database, std::string_view orderId);

// A card's ATC in a verified ARQC (ec_card_atcs, store/store_schema.cpp): one counter per
// card for all its GENERATE ACs (EMV Book 3 annex A, 9F36), EC loads and purchases alike.
struct CardAtc {
    std::string_view panHash;
    std::uint16_t atc = 0;
    std::string_view orderId;
    ByteView arqc;
};
// The ATC is not above the card's highest seen, and is not that same ARQC of the same order.
bool atcReplayed(sqlite3* database, const CardAtc& next);
// next becomes the card's highest.
void recordCardAtc(sqlite3* database, const CardAtc& next);
std::optional<AccountRecord> selectAccount(sqlite3* database, std::string_view accountId);
std::optional<AccountRecord> selectAccountByPanHash(sqlite3* database, std::string_view panHash);
// Moves the account's balance by delta and writes entry (its balanceAfter is computed);
// returns the new balance.
std::uint64_t postEntry(sqlite3* database, const AccountEntry& entry, std::int64_t delta);

}  // namespace taplink::server::rows
