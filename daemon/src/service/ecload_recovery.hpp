// Finishing what the EC-load journal says is open (docs/daemon.md, "EC load recovery"): a
// card transaction cannot continue in a new session, so
//   arqc, authorized  -> reverse (TLX1; the server's "no debit" means nothing to undo). An
//                        arqc whose authorization answer was lost has no nonce to reverse
//                        with: when the same card is presented, its PAN is read again and
//                        the journaled request sent again; the server answers a replay with
//                        the stored answer (or authorizes now), which is then reversed;
//   script_sending    -> when the same card (masked PAN and PSN) is presented, its EC balance
//                        (9F79) decides: the new balance is reported as loaded (TLE1), the
//                        old one reversed;
//   loaded            -> report the signed result until the server has it.
// Every message is built once, journaled with its signature and sent again byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "journal/ecload_journal.hpp"
#include "service/ecload_types.hpp"
#include "service/topup_types.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::service {

class EcLoadRecovery {
  public:
    EcLoadRecovery(TopupPorts ports, journal::EcLoadJournal& journal)
        : ports_(std::move(ports)), journal_(journal) {}

    // loaded: signs and reports the result; `balanceAfter` is the card's 9F79 when it was
    // read. True when the server decided (journal: reported or reversed).
    bool report(const std::string& orderId, std::optional<std::uint64_t> balanceAfter = {});
    // arqc, authorized or script_sending: signs and reports the reversal. True when decided;
    // false (the reversal kept for resume()) while the server cannot take it.
    bool reverse(const std::string& orderId, net::wire::ReversalReason reason);
    // script_sending: asks this card; false when it is another card.
    bool settleOnCard(apdu::ApduChannel& card, const journal::EcLoadRecord& record);
    // Fails the order's record if the account was never debited. Never throws.
    void failIfOpen(const std::string& orderId, const std::string& reason) noexcept;

    // An earlier attempt at the order: its outcome when decided or loaded; nothing when the
    // order may start afresh. ServiceError(card_removed) while its card must be asked.
    std::optional<EcLoadOutcome> finishEarlierAttempt(const std::string& orderId);
    // One pass over every open record; how many remain open. Never throws.
    std::size_t resumeAll() noexcept;

  private:
    // What the load's own card says; nothing when it is another card. The plain PAN is read
    // only for an arqc whose authorization is to be asked again.
    struct CardReading {
        std::uint64_t ecBalance = 0;
        std::string plainPan;
    };

    bool resumeOne(const journal::EcLoadRecord& record);
    std::optional<CardReading> readLoadCard(apdu::ApduChannel& card,
                                            const journal::EcLoadRecord& record);
    std::optional<CardReading> readLoadCardOn(const std::string& reader,
                                              const journal::EcLoadRecord& record);
    // script_sending: the card's EC balance decides between the report and the reversal.
    bool settleByBalance(const journal::EcLoadRecord& record, std::uint64_t ecBalance);
    // arqc with no nonce: sends the authorization again with the card's PAN, then reverses.
    bool replayAuthorization(const journal::EcLoadRecord& record, const std::string& pan);
    // Reads each card present (releasing it) and settles by the one that is the load's.
    bool settleWithCard(const journal::EcLoadRecord& record);
    // Sends the journaled message (building and journaling it first when there is none).
    bool send(const std::string& orderId, net::EcReport kind, const nlohmann::json& message);
    nlohmann::json signedMessage(const Bytes& message);

    TopupPorts ports_;
    journal::EcLoadJournal& journal_;
};

}  // namespace taplink::service
