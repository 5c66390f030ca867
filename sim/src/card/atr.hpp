// Answer-to-reset construction (ISO/IEC 7816-3 clause 8.2).
#pragma once

#include <string_view>

#include "common/bytes.hpp"

namespace taplink::sim {

// Direct convention, no interface bytes: the card offers T=0 only.
Bytes atrT0(ByteView historical);

// Direct convention, TD1 = T=1 with TD2 carrying IFSC 254 and BWI/CWI 4/5, and the TCK
// check byte that T=1 requires.
Bytes atrT1(ByteView historical);

// Historical bytes with category indicator 00 (ISO/IEC 7816-4 clause 12.1.1): the text
// then status indicator LCS 00 (no information) and SW 9000.
Bytes historicalBytes(std::string_view text);

}  // namespace taplink::sim
