// The simulated issuer's master keys. They are published test values (like EMV test keys),
// not secrets: the simulator personalises its city cards with keys diversified from them,
// and tests derive the same card keys to play the server's part.
#pragma once

#include "common/bytes.hpp"
#include "crypto/epurse_keys.hpp"

namespace taplink::sim {

struct IssuerMasterKeys {
    Bytes load;      // MLK: card load keys DLK derive from it
    Bytes purchase;  // MPK: card purchase keys DPK
    Bytes tac;       // MTK: card TAC keys DTK
};

IssuerMasterKeys testIssuerKeys(crypto::epurse::Suite suite);

// Issuer identification of the simulated city (EF 0x15 bytes 1-8).
Bytes testIssuerId();

}  // namespace taplink::sim
