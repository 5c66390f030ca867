// What a city card remembers between taps: balance, counters, log, and the proofs of its
// last load and purchase. Kept in a JSON file so that the same card can be pulled and
// put back, even across simulator restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::sim {

struct CompletedTransaction {
    std::uint16_t atc = 0;  // the ATC the transaction ran under
    Bytes mac2;
    Bytes tac;
};

struct EpurseState {
    std::uint32_t balance = 0;
    std::uint16_t onlineAtc = 0;
    std::uint16_t offlineAtc = 0;
    std::vector<Bytes> log;  // 23-byte records, newest first
    std::optional<CompletedTransaction> lastLoad;
    std::optional<CompletedTransaction> lastPurchase;
    int pinTriesLeft = 3;

    // Throws std::runtime_error when the file is unreadable or malformed.
    static std::optional<EpurseState> load(const std::string& path);
    // Owner-only, atomic and durable (taplink/base/private_file.hpp): a crash leaves the old state
    // or the new one, never half of each.
    void save(const std::string& path) const;
};

}  // namespace taplink::sim
