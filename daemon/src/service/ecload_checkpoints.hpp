// The bank EC-load script's checkpoints (docs/scripts.md, "The bank EC load"), each written
// to the EC-load journal before the script goes on, with what the daemon itself chose (AID,
// terminal id, date and time): enough to report or reverse the load from the journal.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "journal/ecload_journal.hpp"
#include "script/engine.hpp"

namespace taplink::service {

// The card answered the second GENERATE AC with an AAC (EMV Book 3 Table 14): the issuer
// script is not sent; the load is reversed.
class CardDeclinedLoad : public std::runtime_error {
  public:
    CardDeclinedLoad() : std::runtime_error("the card declined the load (AAC)") {}
};

class EcLoadCheckpoints final : public script::CheckpointSink {
  public:
    // `daemonData`: what the daemon passed in, journaled with arqc. `beforeArqc` runs before
    // arqc is journaled: the last moment the load may still stop (it throws to stop it).
    EcLoadCheckpoints(journal::EcLoadJournal& journal, std::string orderId,
                      nlohmann::json daemonData, std::function<void()> beforeArqc)
        : journal_(journal),
          orderId_(std::move(orderId)),
          daemonData_(std::move(daemonData)),
          beforeArqc_(std::move(beforeArqc)) {}

    // arqc, authorized, script_sending (CardDeclinedLoad for an AAC) or loaded.
    void checkpoint(std::string_view name, const script::Variables& saved) override;

  private:
    journal::EcLoadJournal& journal_;
    std::string orderId_;
    nlohmann::json daemonData_;
    std::function<void()> beforeArqc_;
};

// Script variables as journal details: bytes as hex, numbers as numbers, the masked PAN and
// a purchase's authorisation code as text.
nlohmann::json detailsOf(const script::Variables& saved);

}  // namespace taplink::service
