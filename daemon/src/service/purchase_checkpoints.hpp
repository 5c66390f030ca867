// The bank purchase script's checkpoints (docs/scripts.md, "Bank purchase"), each written to
// the purchase journal before the script goes on, with what the daemon itself chose (AID,
// terminal id, date and time): enough to report or reverse the purchase from the journal.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "journal/purchase_journal.hpp"
#include "script/engine.hpp"

namespace taplink::service {

class PurchaseCheckpoints final : public script::CheckpointSink {
  public:
    // `daemonData`: what the daemon passed in, journaled with sealed. `beforeSealed` runs
    // before sealed is journaled: the last moment the purchase may still stop (it throws).
    PurchaseCheckpoints(journal::PurchaseJournal& journal, std::string orderId,
                        nlohmann::json daemonData, std::function<void()> beforeSealed)
        : journal_(journal),
          orderId_(std::move(orderId)),
          daemonData_(std::move(daemonData)),
          beforeSealed_(std::move(beforeSealed)) {}

    // sealed, authorized or completed (an AAC too: the attempt reverses it).
    void checkpoint(std::string_view name, const script::Variables& saved) override;

  private:
    journal::PurchaseJournal& journal_;
    std::string orderId_;
    nlohmann::json daemonData_;
    std::function<void()> beforeSealed_;
};

}  // namespace taplink::service
