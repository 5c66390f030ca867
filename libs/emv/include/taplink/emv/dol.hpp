// Data object lists (EMV Book 3 5.4): the PDOL, CDOL1 and CDOL2 name terminal data by tag
// and length; the terminal answers with the values concatenated, no tags, no lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::emv {

struct DolEntry {
    std::uint32_t tag = 0;
    std::size_t length = 0;

    bool operator==(const DolEntry&) const = default;
};

// The terminal data store: tag -> value, filled by the caller (9F02, 9F03, 9F1A, 95, 5F2A,
// 9A, 9C, 9F37, 9F66, 8A, 91, ...).
using TerminalData = std::map<std::uint32_t, Bytes>;

// Each entry is a BER tag and a one-byte length (Book 3 5.4). MalformedAnswer for a
// truncated tag or a missing length.
std::vector<DolEntry> parseDol(ByteView dol);

// The DOL's data from the store, Book 3 5.4: a numeric (n) value longer than its entry
// loses its leftmost bytes and a shorter one is padded with 00 on the left; cn is padded
// with FF on the right; any other loses its rightmost bytes or is padded with 00 on the
// right; a tag the store does not hold (or a constructed one) gives zeros.
Bytes buildDolData(const std::vector<DolEntry>& dol, const TerminalData& data);

// The card's check of data built for a DOL: its length is the sum of the entries' lengths.
bool dolDataFits(const std::vector<DolEntry>& dol, ByteView data);

// The card's reading of data built for a DOL (Book 3 5.4): each entry's value by its tag,
// the first entry's when a tag repeats. EmvError(TerminalDataInvalid) when !dolDataFits.
TerminalData readDolData(const std::vector<DolEntry>& dol, ByteView data);

}  // namespace taplink::emv
