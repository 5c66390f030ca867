// Initiate application processing and read application data (EMV Book 3 10.1, 10.2):
// GET PROCESSING OPTIONS with the PDOL data, the AIP and AFL it answers, READ RECORD of
// every record the AFL names.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// One AFL entry (Book 3 10.2): SFI, first and last record, how many of them (from the
// first) take part in offline data authentication.
struct AflEntry {
    std::uint8_t sfi = 0;
    std::uint8_t firstRecord = 0;
    std::uint8_t lastRecord = 0;
    std::uint8_t odaRecords = 0;

    bool operator==(const AflEntry&) const = default;
};

struct ProcessingOptions {
    Bytes aip;  // 2 bytes
    std::vector<AflEntry> afl;
};

// Data objects of the records, tag -> value (the card's data for the later steps).
using CardData = std::map<std::uint32_t, Bytes>;

// 80 A8 00 00 Lc 83 L <PDOL data> 00 (Book 3 6.5.8.2); `83 00` when there is no PDOL.
apdu::CommandApdu getProcessingOptionsCommand(ByteView pdolData);

// Format 1, 80: AIP (2) || AFL (4n); format 2, 77 with 82 and 94 (Book 3 6.5.8.4).
ProcessingOptions parseProcessingOptions(ByteView answer);

// 4 bytes an entry; SFI 1-30, first record >= 1, last >= first, ODA count no more than the
// records named (Book 3 10.2). MalformedAnswer otherwise.
std::vector<AflEntry> parseAfl(ByteView afl);

// READ RECORD (Book 3 6.5.11): 00 B2 record (SFI << 3 | 04) 00.
apdu::CommandApdu readRecordCommand(std::uint8_t sfi, std::uint8_t record);

// A record of SFI 1-10 is template 70; its data objects go into data, and one already
// there is an error (Book 3 10.2). SFIs 11-30 hold the issuer's proprietary layouts and are
// not parsed.
void collectRecord(ByteView record, std::uint8_t sfi, CardData& data);

ProcessingOptions getProcessingOptions(apdu::ApduChannel& channel, ByteView pdolData);
CardData readApplicationData(apdu::ApduChannel& channel, const std::vector<AflEntry>& afl);

}  // namespace taplink::emv
