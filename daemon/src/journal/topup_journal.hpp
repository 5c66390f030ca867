// The top-up journal: every top-up is a state machine written to SQLite (WAL, synchronous
// FULL) *before* the step it describes is taken, so that after a crash, a pulled card or a
// dead network the daemon knows exactly where each top-up stands (docs/overview.md).
//
//   order_fetched -> authorized -> card_initialized -> credited -> reported
//          \______________\______________/
//                                 \-> failed   (never from credited: money on the card must
//                                               be reported, not written off)
//
// A failed attempt may be started again for the same order (failed -> order_fetched); the
// event log keeps every attempt. The record holds everything the signed result needs, so a
// top-up interrupted after the card was written can be reported from the journal alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

// Unix seconds now: the time every journal table records.
std::int64_t nowSeconds();

enum class TopupState { OrderFetched, Authorized, CardInitialized, Credited, Reported, Failed };

std::string_view toString(TopupState state);
// Throws JournalError for a name that is not a state.
TopupState topupStateFromString(std::string_view name);
bool isFinal(TopupState state);
// The state machine above: true when `to` may follow `from`.
bool isAllowedTransition(TopupState from, TopupState to);

struct TopupRecord {
    std::string orderId;
    std::uint32_t amount = 0;  // fen, from the server's order
    TopupState state = TopupState::OrderFetched;
    Bytes nonce;  // the load authorization's, from authorized on
    std::int64_t authorizationExpiry = 0;
    std::string cardSerial;                  // hex, from card_initialized on
    std::optional<std::uint16_t> onlineAtc;  // the ATC INITIALIZE FOR LOAD returned
    std::optional<std::uint32_t> balanceBefore;
    std::uint8_t algorithmId = 0;
    Bytes terminalId;
    Bytes txDate;  // BCD YYYYMMDD and hhmmss of CREDIT FOR LOAD (MAC2 and TAC cover them)
    Bytes txTime;
    std::optional<std::uint32_t> balanceAfter;  // from credited on
    Bytes mac1;
    Bytes tac;
    std::string receipt;         // the server's settlement (JSON), for reported
    std::string failure;         // why, for failed
    std::int64_t createdAt = 0;  // unix seconds
    std::int64_t updatedAt = 0;
};

struct Authorization {
    Bytes nonce;
    std::int64_t expiresAt = 0;
};

struct CardInitialization {
    std::string cardSerial;
    std::uint16_t onlineAtc = 0;
    std::uint32_t balanceBefore = 0;
    Bytes mac1;
    std::uint8_t algorithmId = 0;
    Bytes terminalId;
    Bytes txDate;
    Bytes txTime;
};

class TopupJournal {
  public:
    // Opens or creates the journal file (owner-only), in WAL mode with synchronous=FULL. Its
    // folder must be owner-only (a missing one is created so); JournalError otherwise.
    static TopupJournal open(const std::string& path);

    // Each step is one transaction that also appends to the event log, and refuses (with
    // JournalError) a step the state machine does not allow from the record's state.
    // A new top-up, or a new attempt at one that failed.
    void recordOrderFetched(std::string_view orderId, std::uint32_t amount);
    void recordAuthorized(std::string_view orderId, const Authorization& authorization);
    void recordCardInitialized(std::string_view orderId, const CardInitialization& card);
    void recordCredited(std::string_view orderId, ByteView tac, std::uint32_t balanceAfter);
    void recordReported(std::string_view orderId, std::string_view receipt);
    void recordFailed(std::string_view orderId, std::string_view reason);

    std::optional<TopupRecord> find(std::string_view orderId);
    // What start-up must resume: every top-up not yet reported or failed, oldest first.
    std::vector<TopupRecord> unfinished();
    // The states a top-up went through, in order (its audit trail).
    std::vector<TopupState> history(std::string_view orderId);

    // The open database, for the EC-load journal that shares its file and durability.
    sqlite3* database() { return database_.get(); }

  private:
    explicit TopupJournal(DatabasePtr database) : database_(std::move(database)) {}
    // WAL, full sync, the busy timeout, and the schema at this build's version.
    void prepare();
    // Moves the record to `to` if the state machine allows it, in the same transaction as
    // `update` (SQL with ?1 = order id and further parameters bound by `bind`).
    template <class Bind>
    void transition(std::string_view orderId, TopupState to, std::string_view update, Bind bind);
    TopupState currentState(std::string_view orderId);
    void appendEvent(std::string_view orderId, TopupState state, std::int64_t now);

    DatabasePtr database_;
};

}  // namespace taplink::journal
