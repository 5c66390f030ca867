// topup.start, tx.status, tx.cancel and the resumption of unfinished top-ups: the daemon's
// money path. A top-up is journaled before every step (journal/topup_journal.hpp); the card
// and chip work is the server's signed recharge script run by the script engine; the result
// is signed by the device key and settled by the server exactly once.
//
// The parts: TopupAttempt runs one top-up (topup_attempt.hpp), JournalCheckpoints journals
// the script's checkpoints, TopupRecovery finishes what the journal says is open after a
// crash, a pulled card or a dead server, and TimedTopupServer/TopupStopwatch account for the
// time. This class admits one top-up at a time, lets tx.cancel reach it and keeps the
// server client.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "journal/ecload_journal.hpp"
#include "journal/purchase_journal.hpp"
#include "journal/topup_journal.hpp"
#include "net/topup_server_client.hpp"
#include "script/signed_script.hpp"
#include "service/ecload_recovery.hpp"
#include "service/ecload_types.hpp"
#include "service/purchase_recovery.hpp"
#include "service/purchase_types.hpp"
#include "service/run_slot.hpp"
#include "service/timed_channel.hpp"
#include "service/topup_errors.hpp"
#include "service/topup_recovery.hpp"
#include "service/topup_types.hpp"

namespace taplink::service {

class RunningTopup;

class TopupService {
  public:
    using Progress = TopupProgress;
    using Confirm = TopupConfirm;
    using ServerFactory = std::function<std::shared_ptr<net::TopupServer>()>;

    // `cards` reaches the card readers; `server` makes the top-up server's client, and is
    // called with the chip held (lock order everywhere: the chip first). `requireChipReady`
    // runs before a new top-up or EC load touches anything (ChipManagement's
    // requireLoadSamOperational: a load SAM that is not operational gets one TSM sync);
    // it throws ServiceError to refuse. `requireParameters` runs before a purchase whose order
    // names a payment-parameters version (ChipManagement's requirePaymentParameters).
    TopupService(CardPort& cards, ReaderRegistry& readers, ChipSession& chip,
                 journal::TopupJournal& journal, ServerFactory server,
                 std::vector<script::TrustedKey> scriptKeys, TopupSettings settings,
                 std::function<void()> requireChipReady = {},
                 RequireParameters requireParameters = {});

    // The whole top-up. ServiceError (with the API code) for every failure; cancelled()
    // is polled while waiting for the card and between script steps up to the credit.
    TopupOutcome run(const std::string& orderId, const std::string& reader,
                     const Progress& progress, const std::function<bool()>& cancelled,
                     const Confirm& confirm = {});

    // A bank card's EC load (ecload.start), under the same one-at-a-time rule, cancel and
    // resumption as a top-up. `choice` asks the trusted UI when several applications match
    // (empty: the highest priority is taken).
    EcLoadOutcome runEcLoad(const std::string& orderId, const std::string& reader,
                            const Progress& progress, const std::function<bool()>& cancelled,
                            const Confirm& confirm = {}, const ApplicationChoice& choice = {});
    // The EC-load journal's view of an order, if it has one.
    std::optional<journal::EcLoadRecord> ecStatus(const std::string& orderId);

    // A Tap & Pay purchase (pay.start), under the same one-at-a-time rule, cancel and
    // resumption. `pin` asks the cardholder's online PIN when the card wants it (empty: such
    // a card cannot pay here).
    PurchaseOutcome runPurchase(const std::string& orderId, const std::string& reader,
                                const Progress& progress, const std::function<bool()>& cancelled,
                                const Confirm& confirm = {}, const ApplicationChoice& choice = {},
                                const PinEntry& pin = {});
    // The purchase journal's view of an order, if it has one.
    std::optional<journal::PurchaseRecord> purchaseStatus(const std::string& orderId);

    // Asks a running top-up to stop; ServiceError(too_late) once the card is being written,
    // not_found when that order is not running.
    void cancel(const std::string& orderId);

    // Whether any journal (top-ups, EC loads, purchases) holds the order.
    bool knowsOrder(const std::string& orderId);

    // The journal's view of an order; ServiceError(not_found) when it has none.
    journal::TopupRecord status(const std::string& orderId);

    // The server's address or pin changed: the next call builds a new connection.
    void dropServerClient();

    // Finishes what the journal says is open, as far as the card and server allow now.
    // Returns how many remain open. Never throws.
    std::size_t resume() noexcept;

  private:
    TopupOutcome runAdmitted(const std::string& orderId, const std::string& reader,
                             const Progress& progress, RunningTopup& running);
    EcLoadOutcome runEcAdmitted(const std::string& orderId, const std::string& reader,
                                const Progress& progress, RunningTopup& running,
                                const ApplicationChoice& choice);
    // Runs `body` as the one running top-up or load, for tx.cancel to reach.
    template <class Body>
    auto runExclusive(const std::string& orderId, const std::function<bool()>& cancelled,
                      const Confirm& confirm, const std::string& doing, Body body);
    std::shared_ptr<net::TopupServer> server();
    void requireChipReady() const;

    TopupPorts ports_;
    ServerFactory serverFactory_;
    std::vector<script::TrustedKey> scriptKeys_;
    TopupSettings settings_;
    std::function<void()> requireChipReady_;
    RequireParameters requireParameters_;
    TopupRecovery recovery_;
    journal::EcLoadJournal ecJournal_;  // in the top-up journal's file
    EcLoadRecovery ecRecovery_;
    journal::PurchaseJournal purchaseJournal_;  // in the same file
    PurchaseRecovery purchaseRecovery_;

    // One top-up at a time (one chip, one SAM authorization slot); resume() takes it too.
    RunSlot runSlot_;
    std::mutex stateMutex_;               // guards running_, client_ and serverGeneration_
    std::uint64_t serverGeneration_ = 0;  // counts dropServerClient() calls
    RunningTopup* running_ = nullptr;
    std::shared_ptr<net::TopupServer> client_;
    Nanos serverBusy_{0};
};

}  // namespace taplink::service
