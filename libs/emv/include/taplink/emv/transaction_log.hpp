// The card's transaction log (EMV Book 3 Annex D; PBOC 3.0, JR/T 0025.5): the log entry
// 9F4D in the application's FCI names the log's SFI and how many records it holds, GET
// DATA 9F4F gives the record format (a DOL, Book 3 5.4), and each record is that DOL's
// values concatenated, record 1 the newest.
#pragma once

#include <cstdint>
#include <vector>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/emv/dol.hpp"

namespace taplink::emv {

struct LogLocation {
    std::uint8_t sfi = 0;      // 11..30 (Book 3 Annex D: the issuer's range)
    std::uint8_t records = 0;  // the most the log holds

    bool operator==(const LogLocation&) const = default;
};

// 9F4D (Book 3 Annex A, b2): SFI then the maximum number of records. MalformedAnswer for
// another length, an SFI outside 11..30, or no records.
LogLocation parseLogEntry(ByteView logEntry);

// GET DATA 9F4F, then READ RECORD 1, 2, ... of the log's SFI until the maximum or 6A83
// (fewer records written). Each record's values by tag, newest first. MalformedAnswer for
// a record that is not as long as the format says; EmvError(CardRefused) for another
// status word.
std::vector<TerminalData> readTransactionLog(apdu::ApduChannel& card, ByteView logEntry);

}  // namespace taplink::emv
