// What a top-up is asked with and answers: its settings, outcome, timings, the confirmation
// a web caller's top-up waits for, and the ports and stores every part of it works with.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "journal/topup_journal.hpp"
#include "net/topup_server_client.hpp"
#include "service/card_port.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::service {

struct TopupSettings {
    std::string cardReader;  // empty: any reader but the chip's
    std::chrono::seconds cardWait{60};
};

// Where a top-up's time went, in milliseconds. total runs from topup.start to the answer,
// without the wait for the card; server is the HTTPS calls' wall time without the chip's
// signing inside their TLS handshakes; daemon is what is left: the daemon's own share.
struct TopupTimings {
    double total = 0;
    double card = 0;
    double chip = 0;
    double server = 0;
    double daemon = 0;
};

struct TopupOutcome {
    std::string orderId;
    std::uint32_t amount = 0;
    std::uint32_t balanceBefore = 0;
    std::uint32_t balanceAfter = 0;
    Bytes tac;
    bool settled = false;  // false: on the card, the server's confirmation still pending
    nlohmann::json receipt;
    std::optional<TopupTimings> timings;  // for a top-up that ran now (not from the journal)
};

// What a top-up asks its caller to confirm (a web page's top-up: docs/api.md, "Confirmation").
// An EC load (kind "ecload") also names the card.
struct ConfirmedCard {
    std::string scheme;       // "bank-ec", "bank-purchase"
    std::string pan;          // "…1234"
    std::string application;  // the application's label
};

struct ConfirmationRequest {
    std::string orderId;
    std::uint32_t amount = 0;               // fen, from the server's order
    std::string reader;                     // where the card is
    std::optional<ConfirmedCard> card{};    // an EC load's or purchase's (kinds "ecload", "pay")
    std::optional<std::string> merchant{};  // a purchase's, from the server's order
};

using TopupProgress = std::function<void(const std::string& stage)>;
// Called once the card is on the reader and before anything that loads it is sent; throws
// ServiceError to stop the top-up (its record fails: the order may be started again).
// `cancelled` turns true when the caller cancels or leaves.
using TopupConfirm =
    std::function<void(const ConfirmationRequest& request, const std::function<bool()>& cancelled)>;

// The ports and stores a top-up works with. `server` gives the server client to use now,
// timed and ordered after the chip (TimedTopupServer).
struct TopupPorts {
    CardPort& cards;
    ReaderRegistry& readers;
    ChipSession& chip;
    journal::TopupJournal& journal;
    std::function<std::shared_ptr<net::TopupServer>()> server;
};

}  // namespace taplink::service
