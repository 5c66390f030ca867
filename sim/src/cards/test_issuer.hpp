// The simulated issuers' master keys. They are published test values (like EMV test keys),
// not secrets: the simulator personalises its city and bank cards with keys diversified from them
// unless it is given other keys (taplink-sim --issuer-keys), and tests derive the same card
// keys to play the server's part.
#pragma once

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::sim {

IssuerMasterKeys testIssuerKeys(crypto::epurse::Suite suite);

// Issuer identification of the simulated city (EF 0x15 bytes 1-8).
Bytes testIssuerId();

// The test issuer as a whole: "TapLink Test City", city-epurse, both suites, key index 1,
// key version 1.
Issuer testIssuer();

// The bank test issuer's master keys (IMK-AC, IMK-SMI, IMK-SMC), published test values.
BankMasterKeys testBankIssuerKeys(crypto::emv::Suite suite);

// "TapLink Test Bank", bank-pboc, PAN prefix 6288880, both suites.
BankIssuer testBankIssuer();

}  // namespace taplink::sim
