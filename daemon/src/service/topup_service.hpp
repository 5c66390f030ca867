// topup.start, tx.status, tx.cancel and the resumption of unfinished top-ups: the daemon's
// money path. A top-up is journaled before every step (journal/topup_journal.hpp); the card
// and chip work is the server's signed recharge script run by the script engine; the result
// is signed by the device key and settled by the server exactly once.
//
//   fetch order (server) -> fetch + verify script -> journal order_fetched -> wait for card
//   -> run script: read card, INITIALIZE FOR LOAD, server authorize, journal authorized,
//      chip MAC2, journal card_initialized, CREDIT FOR LOAD, journal credited
//   -> sign result (chip) -> report (server) -> journal reported
//
// After a crash, a pulled card or a dead server, resume() finishes what the journal says is
// open: nothing was written to the card before card_initialized (fail it); after it, the
// card itself is asked (GET TRANSACTION PROVE) whether the credit happened; a credited
// top-up is reported until the server has it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "journal/topup_journal.hpp"
#include "net/topup_server_client.hpp"
#include "script/signed_script.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/run_slot.hpp"
#include "service/topup_errors.hpp"

namespace taplink::service {

struct TopupSettings {
    std::string cardReader;  // empty: any reader but the chip's
    std::chrono::seconds cardWait{60};
};

// Where a top-up's time went, in milliseconds. total runs from topup.start to the answer,
// without the wait for the card; server is the HTTPS calls' wall time without the chip's
// signing inside their TLS handshakes; daemon is what is left: the daemon's own share.
struct TopupTimings {
    double total = 0;
    double card = 0;
    double chip = 0;
    double server = 0;
    double daemon = 0;
};

struct TopupOutcome {
    std::string orderId;
    std::uint32_t amount = 0;
    std::uint32_t balanceBefore = 0;
    std::uint32_t balanceAfter = 0;
    Bytes tac;
    bool settled = false;  // false: on the card, the server's confirmation still pending
    nlohmann::json receipt;
    std::optional<TopupTimings> timings;  // for a top-up that ran now (not from the journal)
};

// What a top-up asks its caller to confirm (a web page's top-up: docs/api.md, "Confirmation").
struct ConfirmationRequest {
    std::string orderId;
    std::uint32_t amount = 0;  // fen, from the server's order
    std::string reader;        // where the card is
};

class TopupService {
  public:
    using Progress = std::function<void(const std::string& stage)>;
    // Called once the card is on the reader and before anything that loads it is sent;
    // throws ServiceError to stop the top-up (its record fails: the order may be started
    // again). `cancelled` turns true when the caller cancels or leaves.
    using Confirm = std::function<void(const ConfirmationRequest& request,
                                       const std::function<bool()>& cancelled)>;
    using ServerFactory = std::function<std::shared_ptr<net::TopupServerClient>()>;

    TopupService(ReaderRegistry& readers, ChipSession& chip, journal::TopupJournal& journal,
                 ServerFactory server, std::vector<script::TrustedKey> scriptKeys,
                 TopupSettings settings);

    // The whole top-up. ServiceError (with the API code) for every failure; cancelled()
    // is polled while waiting for the card and between script steps up to the credit.
    TopupOutcome run(const std::string& orderId, const std::string& reader,
                     const Progress& progress, const std::function<bool()>& cancelled,
                     const Confirm& confirm = {});

    // Asks a running top-up to stop; ServiceError(too_late) once the card is being written,
    // not_found when that order is not running.
    void cancel(const std::string& orderId);

    // The journal's view of an order; ServiceError(not_found) when it has none.
    journal::TopupRecord status(const std::string& orderId);

    // The server's address or pin changed: the next call builds a new connection.
    void dropServerClient();

    // Finishes what the journal says is open, as far as the card and server allow now.
    // Returns how many remain open. Never throws.
    std::size_t resume() noexcept;

  private:
    struct Running;
    TopupOutcome runLocked(const std::string& orderId, const std::string& reader,
                           const Progress& progress, Running& running);
    TopupOutcome writeCard(const std::string& orderId, const net::wire::Order& order,
                           const script::Script& script, const ReaderInfo& card,
                           const Progress& progress, Running& running);
    // Reports a credited top-up; true when the server has it (journal: reported).
    bool report(const std::string& orderId, nlohmann::json* receipt = nullptr);
    // card_initialized: asks the card in `reader` (if it is that card) whether it was
    // credited. True when the record left card_initialized.
    bool settleWithCard(const journal::TopupRecord& record);
    // The same with this card; false when it is another card.
    bool proveOnCard(apdu::ApduChannel& card, const journal::TopupRecord& record);
    std::shared_ptr<net::TopupServerClient> server();
    // A confirmed top-up loads the card that was confirmed: card_removed when the reader's
    // card is no longer that one (ReaderInfo::insertion tells a swap apart).
    void requireSameCard(const ReaderInfo& confirmed) const;
    // Runs a server call, adding its time (minus the chip's inside it) to serverBusy_.
    template <class Call>
    auto timedServer(Call call);
    TopupOutcome outcomeOf(const journal::TopupRecord& record) const;
    void failIfOpen(const std::string& orderId, const std::string& reason) noexcept;

    ReaderRegistry& readers_;
    ChipSession& chip_;
    journal::TopupJournal& journal_;
    ServerFactory serverFactory_;
    std::shared_ptr<net::TopupServerClient> server_;
    std::vector<script::TrustedKey> scriptKeys_;
    TopupSettings settings_;

    // One top-up at a time (one chip, one SAM authorization slot); resume() takes it too.
    RunSlot runMutex_;
    std::mutex stateMutex_;               // guards running_, server_ and serverGeneration_
    std::uint64_t serverGeneration_ = 0;  // counts dropServerClient() calls
    Running* running_ = nullptr;
    Nanos serverBusy_{0};
};

}  // namespace taplink::service
