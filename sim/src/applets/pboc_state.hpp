// What a PBOC bank application remembers between taps: its electronic-cash balance and
// limits, the counters, the PIN tries, the issuer authentication flag of the CVR and the
// transaction log. Kept in a JSON file, as the city card's state (epurse_state.hpp), so that
// the same card can be pulled and put back, even across simulator restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::sim {

struct PbocState {
    std::uint64_t ecBalance = 0;              // 9F79, fen
    std::uint64_t ecBalanceLimit = 100000;    // 9F77: 1000.00 yuan
    std::uint64_t ecSingleLimit = 50000;      // 9F78: 500.00 yuan
    std::uint64_t ecResetThreshold = 0;       // 9F6D
    std::uint16_t atc = 0;                    // 9F36: the last transaction's counter
    std::uint16_t lastOnlineAtc = 0;          // 9F13
    int pinTriesLeft = 3;                     // 9F17
    bool issuerAuthenticationFailed = false;  // CVR byte 3 bit 4, for the next transaction
    std::vector<Bytes> log;                   // records laid out by 9F4F, newest first

    // Throws std::runtime_error when the file is unreadable or malformed (strictly: a
    // member missing, of the wrong type or unknown).
    static std::optional<PbocState> load(const std::string& path);
    // Owner-only, atomic and durable (taplink/base/private_file.hpp).
    void save(const std::string& path) const;
};

}  // namespace taplink::sim
