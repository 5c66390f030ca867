// The EC-load (圈存) journal: a bank card's load is a state machine written to the same
// SQLite file as the city top-ups (WAL, synchronous FULL), each state *before* the step it
// describes is taken (docs/daemon.md, "EC load"):
//
//   order_fetched -> arqc -> authorized -> script_sending -> loaded -> reported
//        |            |  \________\______________\_________/
//        |            |            \-> reversed  (the account refunded: the card never took it)
//        \____________\-> failed                 (no debit on the account)
//
// What each state saves is in `details` (named values, bytes as hex): enough to report or
// reverse from the journal and to recognise the card again. Never the plain PAN: the
// journal refuses a value named "pan"; the card is known by its masked PAN and PSN.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/topup_journal.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::journal {

enum class EcLoadState {
    OrderFetched,
    Arqc,
    Authorized,
    ScriptSending,
    Loaded,
    Reported,
    Reversed,
    Failed
};

std::string_view toString(EcLoadState state);
// Throws JournalError for a name that is not a state.
EcLoadState ecLoadStateFromString(std::string_view name);
bool isFinal(EcLoadState state);
bool isAllowedTransition(EcLoadState from, EcLoadState to);

struct EcLoadRecord {
    std::string orderId;
    std::uint32_t amount = 0;  // fen, from the server's order
    EcLoadState state = EcLoadState::OrderFetched;
    nlohmann::json details = nlohmann::json::object();  // what the states saved, merged
    std::string failure;                                // why, for failed
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;

    Bytes bytes(const std::string& name) const;  // a hex value; JournalError when missing
    std::uint64_t integer(const std::string& name) const;
    bool has(const std::string& name) const { return details.contains(name); }
};

class EcLoadJournal {
  public:
    // Shares the top-up journal's open database (which must outlive it).
    explicit EcLoadJournal(TopupJournal& topups);

    // A new load, or a new attempt at one that failed.
    void recordOrderFetched(std::string_view orderId, std::uint32_t amount);
    // Moves to `to`, merging `saved` into the details, in one transaction with its event.
    void advance(std::string_view orderId, EcLoadState to, const nlohmann::json& saved);
    // Adds to an open record's details without moving it (what a report must send again
    // byte for byte: the balance read back, the signed message).
    void save(std::string_view orderId, const nlohmann::json& saved);
    void recordFailed(std::string_view orderId, std::string_view reason);

    std::optional<EcLoadRecord> find(std::string_view orderId);
    // Every load not yet reported, reversed or failed, oldest first.
    std::vector<EcLoadRecord> unfinished();
    std::vector<EcLoadState> history(std::string_view orderId);

  private:
    EcLoadState currentState(std::string_view orderId);
    void appendEvent(std::string_view orderId, EcLoadState state, std::int64_t now);

    sqlite3* database_;
};

}  // namespace taplink::journal
