// Comparing secrets (MACs, cryptograms, tokens) without leaking where they differ.
#pragma once

#include "taplink/base/bytes.hpp"

namespace taplink::crypto {

// True when a and b hold the same bytes. The time taken depends only on the sizes, so an
// attacker probing a MAC byte by byte learns nothing; different sizes are simply unequal.
bool constantTimeEqual(ByteView a, ByteView b);

}  // namespace taplink::crypto
