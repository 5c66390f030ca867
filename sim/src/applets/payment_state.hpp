// What the payment applet keeps across restarts (docs/chip.md, "Payment applet (management
// side)" and "Payment applet: purchase"): <stateDir>/chip-<SERIAL HEX>/payment.json,
// owner-only, written to a staged file, fsynced and renamed; in memory without a state dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::sim {

struct PaymentState {
    chip::mgmt::Lifecycle lifecycle = chip::mgmt::Lifecycle::Installed;
    std::optional<chip::mgmt::PaymentParameters> parameters;
    std::optional<chip::mgmt::PaymentKeys> keys;
    std::uint32_t sequenceCounter = 0;  // the management channel's last one
    std::uint32_t purchaseNumber = 0;   // the last one BEGIN PURCHASE gave (DF22)
    std::uint64_t tokenCounter = 0;     // the next one GENERATE TOKEN uses (DF32)
    Bytes day;                          // 9A of the day dayTotal counts; empty: none yet
    std::uint64_t dayTotal = 0;         // fen sealed on that day

    bool isOperational() const;
    // What has been sealed on this date (0 for any other day than `day`).
    std::uint64_t totalOn(ByteView date) const;
    // The day's total moved on by a sealed amount (a new date starts at 0).
    void addToDay(ByteView date, std::uint64_t amount);
};

// The saved state of this file, or a new one (installed, nothing set) saved at once; a new
// state in memory for an empty path. std::runtime_error for an unreadable file.
PaymentState initialPaymentState(const std::string& stateFile);
// Nothing for an empty path.
void savePaymentState(const PaymentState& state, const std::string& stateFile);

}  // namespace taplink::sim
