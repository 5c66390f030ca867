// What a person sees of a card: scheme, masked serial, issuer, validity, balance, history.
// Finds the scheme by asking the card (SELECT of each known application), so any reader
// front end (card.info in the API, the demo) gets the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/apdu/apdu_channel.hpp"

namespace taplink::cards {

enum class Scheme { CityEpurse, Unknown };

std::string_view toString(Scheme scheme);  // "city-epurse", "unknown"

struct HistoryEntry {
    std::string kind;      // "load" or "purchase" (or "type XX")
    std::uint32_t amount;  // fen
    std::string when;      // "2026-11-21 19:50:00"
    std::string terminal;  // hex terminal id
    std::uint16_t atc;
};

struct CardSummary {
    Scheme scheme = Scheme::Unknown;
    std::string maskedSerial;              // "…0042": only the last four digits
    std::string issuer;                    // issuer identification, hex
    std::string validFrom;                 // "2026-01-01"
    std::string validUntil;                // "2036-12-31"
    std::optional<std::uint32_t> balance;  // fen
    std::vector<HistoryEntry> history;     // newest first
};

// Reads the card through the channel. Scheme::Unknown when no known application answers;
// errors from the transport (a pulled card) propagate.
CardSummary summarizeCard(apdu::ApduChannel& channel);

// BCD date YYYYMMDD -> "YYYY-MM-DD"; time hhmmss -> "hh:mm:ss".
std::string formatBcdDate(ByteView date);
std::string formatBcdTime(ByteView time);

}  // namespace taplink::cards
