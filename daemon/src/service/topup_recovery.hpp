// Finishing what the journal says is open (docs/architecture.md "The money path"): nothing
// was written to the card before card_initialized (fail it); after it, the card itself is
// asked (GET TRANSACTION PROVE) whether the credit happened; a credited top-up is reported,
// signed by the device key, until the server has it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "journal/topup_journal.hpp"
#include "service/topup_types.hpp"
#include "taplink/apdu/apdu_channel.hpp"

namespace taplink::service {

// The outcome a journal record stands for.
TopupOutcome outcomeOf(const journal::TopupRecord& record);

class TopupRecovery {
  public:
    explicit TopupRecovery(TopupPorts ports) : ports_(std::move(ports)) {}

    // Finishes an earlier attempt at the order. Its outcome when the card has the money;
    // nothing when the order may start afresh (an attempt that never wrote the card is
    // failed). ServiceError(card_removed) while its half-written card is away.
    std::optional<TopupOutcome> finishEarlierAttempt(const std::string& orderId);

    // card_initialized: asks the card on each reader whether it was credited. True when the
    // record left card_initialized.
    bool settleWithCard(const journal::TopupRecord& record);
    // The same with this card; false when it is another card.
    bool proveOnCard(apdu::ApduChannel& card, const journal::TopupRecord& record);
    // Proves on this card every card_initialized top-up but `orderId`'s: a new load would
    // move the card's online ATC on, and GET TRANSACTION PROVE answers for the last one only.
    void settleOthersOnCard(apdu::ApduChannel& card, const std::string& orderId);

    // Reports a credited top-up; true when the server has it (journal: reported).
    bool report(const std::string& orderId, nlohmann::json* receipt = nullptr);
    // Fails the order's record if nothing was written to the card yet. Never throws.
    void failIfOpen(const std::string& orderId, const std::string& reason) noexcept;

    // One pass over every open record. Returns how many remain open. Never throws.
    std::size_t resumeAll() noexcept;

  private:
    bool resumeOne(const journal::TopupRecord& record);
    std::string chipReader() const;

    TopupPorts ports_;
};

}  // namespace taplink::service
