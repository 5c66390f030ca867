// Completing one exchange at the transport level (ISO/IEC 7816-3 12.2, ISO/IEC 7816-4 5.1.3;
// EMV Book 1 9.3.1): 61xx is followed by GET RESPONSE until the card has given everything,
// 6Cxx re-issues the command once with Le = xx. The one implementation every ApduChannel uses.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>

#include "taplink/apdu/apdu.hpp"

namespace taplink::apdu {

// A card that breaks the transport rules: it announces data for ever, or more than the
// largest extended answer.
class TransportError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A card that answers 61xx forever is broken: stop at the largest extended response, or
// after as many GET RESPONSE rounds as that takes in 256-byte chunks.
inline constexpr std::size_t kMaxChainedResponse = kMaxExtendedLe;
inline constexpr int kMaxGetResponseRounds = kMaxExtendedLe / kMaxShortLe;

// One raw exchange: a command out, the card's answer as it came (SW1 SW2 included).
using RawExchange = std::function<ResponseApdu(const CommandApdu&)>;

// GET RESPONSE (ISO/IEC 7816-4 clause 11.4.1) for a 61xx answer to a command of class cla.
CommandApdu getResponseFor(std::uint8_t commandCla, std::uint8_t sw2);

// Sends command through exchange and returns the complete answer: the data of every GET
// RESPONSE round concatenated, with the last status word. Throws TransportError past
// kMaxGetResponseRounds rounds or kMaxChainedResponse bytes; what exchange throws passes.
ResponseApdu completeExchange(const CommandApdu& command, const RawExchange& exchange);

}  // namespace taplink::apdu
