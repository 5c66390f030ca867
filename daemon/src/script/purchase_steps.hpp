// What the engine does for a purchase script's chip steps (docs/scripts.md, "Bank
// purchase"): the card's objects relayed to the payment applet as PUT CARD DATA, and the
// cardholder's online PIN as PUT PIN. Both go through the scheme's chip policy; neither the
// objects nor the PIN ever become script variables.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "script/emv_steps.hpp"
#include "script/script.hpp"
#include "script/secret_string.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/apdu/tlv.hpp"

namespace taplink::script::purchase_steps {

// Short Lc (ISO/IEC 7816-4 5.1): the applet takes PUT CARD DATA in short APDUs.
inline constexpr std::size_t kMaxCardDataPerCommand = 255;

// The data of each PUT CARD DATA: the objects encoded in order, as many whole objects per
// command as fit in kMaxCardDataPerCommand. ScriptError(response_invalid) for an object that
// does not fit one command on its own.
std::vector<Bytes> cardDataCommands(const std::vector<tlv::Tlv>& objects, const std::string& step);

// The step's objects from what the run read (step's tags in order, then the optional ones
// the card had), response_invalid naming the first tag the run did not read.
std::vector<tlv::Tlv> relayedObjects(const RelayCardDataStep& relay,
                                     const emv_steps::CardObjects& seen, const std::string& step);

// PUT CARD DATA of relayedObjects to the chip (a PolicyChannel); a status word other than
// 9000 is status_word.
void relayCardData(apdu::ApduChannel& chip, const RelayCardDataStep& relay,
                   const emv_steps::CardObjects& seen, const std::string& step);

// PUT PIN with the PIN (4..12 ASCII digits, else not_accepted pin_invalid before anything is
// sent); the command's buffer is wiped before this returns or throws. 6A80 is status_word
// with the outcome pin_invalid.
void putPin(apdu::ApduChannel& chip, const SecretString& pin, const std::string& step);

}  // namespace taplink::script::purchase_steps
