// taplink-sim's control protocol: one JSON object per line over a Unix socket, each
// answered by one line {"ok": true, ...} or {"ok": false, "error": "..."}.
//
//   {"cmd":"status"}                               ->
//   {"ok":true,"slots":[{index,port,card,connected,apdus}]}
//   {"cmd":"insert","slot":0,"card":"iso-t1"}      (no "card": re-insert the card last pulled)
//   {"cmd":"insert","slot":0,"card":"city-3des","serial":"00000000000000000042","balance":1000}
//   {"cmd":"insert","slot":0,"card":"bank-3des","pan":"6288880000000000422","expiry":"311231",
//    "balance":1000}  (bank cards: balance is the EC balance)
//   {"cmd":"remove","slot":0}
//   {"cmd":"fault","slot":0,"pull_at":3,"after_processing":true}
//   {"cmd":"fault","slot":0,"status_word":"6A82","at":1}  (at 0: every APDU)
//   {"cmd":"fault","slot":0,"delay_ms":300,"at":0}  (at 0: every APDU)
//   {"cmd":"clear_faults","slot":0}
//   {"cmd":"profiles"}                             -> {"ok":true,"profiles":[...]}
//   {"cmd":"shutdown"}
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "slot.hpp"

namespace taplink::sim {

// What every request shares: where city and bank cards keep their state files.
struct SimSettings {
    std::string stateDir;
};

// Inserts the card (nullptr: the slot's last card again), refusing a card that is already
// in a slot: a physical card is in one place at a time, and two copies of one purse or one
// chip could each spend the same money. Throws std::logic_error.
void insertIntoSlot(std::vector<std::unique_ptr<Slot>>& slots, Slot& slot,
                    std::shared_ptr<VirtualCard> card);

// Carries out one request against the slots. Never throws: errors become {"ok":false}.
nlohmann::json handleControlRequest(const nlohmann::json& request,
                                    std::vector<std::unique_ptr<Slot>>& slots,
                                    const SimSettings& settings = {});

}  // namespace taplink::sim
