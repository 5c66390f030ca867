#include "service/journal_checkpoints.hpp"

#include <cstdint>
#include <stdexcept>

namespace taplink::service {

void JournalCheckpoints::checkpoint(std::string_view name, const script::Variables& saved) {
    if (name == "authorized") {
        journal_.recordAuthorized(
            orderId_,
            {saved.bytes("nonce"), static_cast<std::int64_t>(saved.integer("expiresAt"))});
    } else if (name == "card_initialized") {
        beforeWriting_();  // from here on the card may change: cancel is too late
        cardInitialized(saved);
    } else if (name == "credited") {
        journal_.recordCredited(orderId_, saved.bytes("tac"),
                                static_cast<std::uint32_t>(saved.integer("balanceAfter")));
    } else {
        throw std::invalid_argument("the daemon has no checkpoint '" + std::string(name) + "'");
    }
}

void JournalCheckpoints::cardInitialized(const script::Variables& saved) {
    journal::CardInitialization card;
    card.cardSerial = toHex(saved.bytes("cardSerial"));
    card.onlineAtc = static_cast<std::uint16_t>(saved.integer("onlineAtc"));
    card.balanceBefore = static_cast<std::uint32_t>(saved.integer("balance"));
    card.mac1 = saved.bytes("mac1");
    card.algorithmId = static_cast<std::uint8_t>(saved.integer("algorithmId"));
    card.terminalId = terminalId_;
    card.txDate = saved.bytes("txDate");
    card.txTime = saved.bytes("txTime");
    journal_.recordCardInitialized(orderId_, card);
}

}  // namespace taplink::service
