// Answer-to-reset construction (ISO/IEC 7816-3 clause 8.2).
#pragma once

#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::sim {

// Direct convention, no interface bytes: the card offers T=0 only.
Bytes atrT0(ByteView historical);

// Direct convention, TD1 and TD2 announcing T=1, TA3 = IFSC 254, TB3 = BWI 4 / CWI 5, and
// the TCK check byte that T=1 requires.
Bytes atrT1(ByteView historical);

// Historical bytes with category indicator 00 (ISO/IEC 7816-4 clause 12.1.1): the text
// (at most 10 bytes) as COMPACT-TLV "card issuer's data" (tag 5), then the status
// indicator LCS 00 and SW 9000. Throws std::invalid_argument for a longer text.
Bytes historicalBytes(std::string_view text);

}  // namespace taplink::sim
