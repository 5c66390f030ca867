// The recharge script's checkpoints (docs/scripts.md "checkpoint"), each written to the
// journal before the script goes on: what resume() needs to finish the top-up after a crash.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "journal/topup_journal.hpp"
#include "script/engine.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::service {

class JournalCheckpoints final : public script::CheckpointSink {
  public:
    // `beforeWriting` runs before card_initialized is journaled: the last moment the top-up
    // may still stop (it throws to stop it).
    JournalCheckpoints(journal::TopupJournal& journal, std::string orderId, Bytes terminalId,
                       std::function<void()> beforeWriting)
        : journal_(journal),
          orderId_(std::move(orderId)),
          terminalId_(std::move(terminalId)),
          beforeWriting_(std::move(beforeWriting)) {}

    // authorized, card_initialized or credited; any other name is a script the daemon
    // cannot journal (std::invalid_argument).
    void checkpoint(std::string_view name, const script::Variables& saved) override;

  private:
    void cardInitialized(const script::Variables& saved);

    journal::TopupJournal& journal_;
    std::string orderId_;
    Bytes terminalId_;
    std::function<void()> beforeWriting_;
};

}  // namespace taplink::service
