// What a Tap & Pay purchase is asked with and answers (docs/api.md, "pay.start"), beside
// ecload_types.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "journal/purchase_journal.hpp"
#include "script/secret_string.hpp"

namespace taplink::service {

// An approved purchase. Nothing of the card's cryptograms: the API answers exactly this.
struct PurchaseOutcome {
    std::string orderId;
    std::uint32_t amount = 0;  // fen, from the server's order
    std::string merchant;
    std::string authCode;  // the issuer's (89)
    std::string pan;       // "…1234"
    std::string application;
    bool settled = false;    // false: approved, the server's settlement still pending
    nlohmann::json receipt;  // the server's (PAN masked); empty while not settled
};

// What the cardholder is shown while typing the online PIN (ui.request kind "pin").
struct PinRequest {
    std::string orderId;
    std::uint32_t amount = 0;
    std::string merchant;
    std::string pan;  // "…1234"
};

// The cardholder's online PIN (4..12 digits), asked when the card's CVM is online PIN.
// Throws ServiceError (user_denied, cancelled, confirmation_unavailable, timeout) to stop.
using PinEntry = std::function<script::SecretString(const PinRequest& request,
                                                    const std::function<bool()>& cancelled)>;

// Returns when the chip's payment parameters are at least `version`, the newest the TSM
// queued for it (one TSM sync when they are older); ServiceError chip_outdated otherwise
// (ChipManagement::requirePaymentParameters).
using RequireParameters = std::function<void(std::uint32_t version)>;

// The outcome a journal record stands for.
PurchaseOutcome purchaseOutcomeOf(const journal::PurchaseRecord& record);

}  // namespace taplink::service
