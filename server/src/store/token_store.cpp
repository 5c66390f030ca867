// The dynamic token's accepted counters (docs/server.md, "Dynamic token verification"): one
// transaction under the store's lock, so two requests cannot both accept one counter.
#include <limits>
#include <stdexcept>

#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

using journal::bindAll;
using journal::firstRow;
using journal::Statement;
using journal::WriteTransaction;

// SQLite integers are signed 64-bit: a counter above that cannot be recorded.
constexpr std::uint64_t kMaxStoredCounter = std::numeric_limits<std::int64_t>::max();

std::optional<std::uint64_t> selectCounter(sqlite3* database, std::string_view chipSerial) {
    return firstRow(
        database, "SELECT counter FROM token_counters WHERE chip_serial = ?1",
        [](const Statement& row) { return static_cast<std::uint64_t>(row.integer(0)); },
        chipSerial);
}

}  // namespace

std::optional<std::uint64_t> ServerStore::tokenCounter(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    return selectCounter(database_.get(), chipSerial);
}

TsmCounterOutcome ServerStore::acceptTokenCounter(std::string_view chipSerial,
                                                  std::uint64_t counter) {
    if (counter > kMaxStoredCounter) {
        throw std::invalid_argument("token counter " + std::to_string(counter) +
                                    " is over what the store records");
    }
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto known = selectCounter(database_.get(), chipSerial);
    if (known && *known >= counter) {
        return TsmCounterOutcome::Replay;
    }
    Statement upsert(database_.get(),
                     "INSERT INTO token_counters (chip_serial, counter, accepted_at) "
                     "VALUES (?1, ?2, ?3) ON CONFLICT(chip_serial) DO UPDATE SET "
                     "counter = excluded.counter, accepted_at = excluded.accepted_at");
    bindAll(upsert, chipSerial, static_cast<std::int64_t>(counter), rows::nowSeconds()).step();
    transaction.commit();
    return TsmCounterOutcome::Accepted;
}

}  // namespace taplink::server
