// What EMV adds to the transport (EMV Book 1 9.3). The channel (taplink/apdu/transport.hpp)
// already follows 61xx with GET RESPONSE and re-issues on 6Cxx (Book 1 9.3.1.2); here only
// the case 4 command answered with a warning.
#pragma once

#include <cstdint>
#include <string>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// 62xx and 63xx: processed, with a warning (ISO/IEC 7816-4 5.6; Book 3 6.3.5).
bool isWarning(std::uint16_t statusWord);

// Sends command. A case 4 command answered 62xx/63xx without data gets its data with GET
// RESPONSE (Le 00), and the answer keeps the warning status (Book 1 9.3.1.3, Annex A7);
// when that GET RESPONSE fails, the warning comes back without data.
apdu::ResponseApdu exchange(apdu::ApduChannel& channel, const apdu::CommandApdu& command);

// The answer's data when the card answered 9000; otherwise EmvError(CardRefused) naming what.
Bytes requireSuccess(const apdu::ResponseApdu& response, const std::string& what);

}  // namespace taplink::emv
