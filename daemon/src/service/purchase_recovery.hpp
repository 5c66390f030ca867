// Finishing what the purchase journal says is open (docs/daemon.md, "Purchase recovery"): a
// card transaction cannot continue in a new session, so
//   sealed, no answer  -> the journaled authorization request (the chip's sealed bytes) is
//                         sent again; the server answers a replay with its stored answer;
//                         declined or refused before any debit: failed; approved: as
//                         below; any other failure: stays sealed, sent again later;
//   sealed, approved   -> reverse (TLQ1, card_gone);
//   authorized         -> reverse (TLQ1, card_gone);
//   completed, TC      -> report the signed result (TLP1) until the server has it;
//   completed, AAC     -> reverse (TLQ1, card_declined).
// Every message is built once, journaled with its signature and sent again byte for byte.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "journal/purchase_journal.hpp"
#include "service/purchase_types.hpp"
#include "service/topup_types.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::service {

// Journals the issuer's answer to purchase-authorize (its ARC, and the nonce and
// authorisation code when approved) and returns it read strictly.
net::wire::PurchaseAuthorizeResponse recordAuthorization(journal::PurchaseJournal& journal,
                                                         const std::string& orderId,
                                                         const nlohmann::json& answer);

// Whether the server's refusal of purchase-authorize proves it recorded nothing for the
// sealed bytes: a 4xx whose code is one of docs/server.md's authorize checks (the server
// answers a stored answer before any of them). Anything else (a 5xx, a lost connection, a
// code this daemon does not know) may hide a debit: the record stays sealed and is retried.
bool isPreDebitRefusal(const std::exception& error);

class PurchaseRecovery {
  public:
    PurchaseRecovery(TopupPorts ports, journal::PurchaseJournal& journal)
        : ports_(std::move(ports)), journal_(journal) {}

    // completed: a TC is reported (TLP1), an AAC reversed. True when the server decided.
    bool complete(const std::string& orderId);
    // sealed (approved), authorized or completed: signs and sends the reversal. True when
    // decided; false (kept for resume()) while the server cannot take it.
    bool reverse(const std::string& orderId, net::wire::ReversalReason reason);
    // Fails the order's record if the account was never debited. Never throws.
    void failIfOpen(const std::string& orderId, const std::string& reason) noexcept;

    // An earlier attempt at the order: its outcome when approved; nothing when the order
    // may start afresh. ServiceError(declined) when it was reversed.
    std::optional<PurchaseOutcome> finishEarlierAttempt(const std::string& orderId);
    // One pass over every open record; how many remain open. Never throws.
    std::size_t resumeAll() noexcept;

  private:
    bool resumeOne(const journal::PurchaseRecord& record);
    // sealed with no answer: the authorization again, byte for byte.
    void replayAuthorization(const journal::PurchaseRecord& record);
    bool send(const std::string& orderId, net::PurchaseReport kind, const nlohmann::json& message);
    nlohmann::json signedMessage(const Bytes& message);

    TopupPorts ports_;
    journal::PurchaseJournal& journal_;
};

}  // namespace taplink::service
