// The issuer's answer and what the terminal does with it (EMV Book 3 10.9, 10.10): the
// authorisation response code 8A, the issuer authentication data 91 (ARPC method 1) and
// the issuer scripts in templates 71 (before the final GENERATE AC) and 72 (after it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/emv/tvr.hpp"

namespace taplink::emv {

// 91 for ARPC method 1 (Book 2 8.2.1): ARPC (8) || ARC (2).
struct IssuerAuthenticationData {
    Bytes arpc;
    Bytes arc;

    Bytes encode() const;  // the value of 91
};

// EmvError(IssuerDataInvalid) unless 8A is 2 bytes (an, e.g. "00" = 30 30).
Bytes parseAuthorisationResponseCode(ByteView arc);
// EmvError(IssuerDataInvalid) unless 91 is exactly ARPC 8 || ARC 2.
IssuerAuthenticationData parseIssuerAuthenticationData(ByteView value);

struct IssuerScript {
    std::uint32_t templateTag = 0;            // 71 or 72
    Bytes id;                                 // 9F18, 4 bytes, empty when absent
    std::vector<apdu::CommandApdu> commands;  // each 86, in order
};

// A sequence of 71 / 72 templates, each: 9F18 at most once, then one or more 86 each one
// command APDU, nothing else (Book 3 10.10, Annex A1). EmvError(IssuerDataInvalid)
// for anything else.
std::vector<IssuerScript> parseIssuerScripts(ByteView scripts);

// One script's result (Book 4 Annex A5): result byte, high nibble 0 not performed, 1
// failed, 2 successful; low nibble the sequence number of the failing command (1-14, F for
// 15 and later, 0 when not specified); then the script id (4 bytes, zeros when none).
struct ScriptResult {
    std::uint8_t result = 0;
    Bytes id;

    Bytes encode() const;  // 5 bytes
};

// Runs the scripts of templateTag in order. A command succeeds when SW1 is 90, 62 or 63
// (Book 3 10.10); the first that does not stops its script, which is recorded as failed,
// and TVR ScriptFailedBeforeFinalGac (71) or ScriptFailedAfterFinalGac (72) is set. TSI
// ScriptProcessingPerformed is set when a script ran.
std::vector<ScriptResult> runIssuerScripts(apdu::ApduChannel& channel,
                                           const std::vector<IssuerScript>& scripts,
                                           std::uint32_t templateTag, Tvr& tvr, Tsi& tsi);

// The results as a data object: 9F5B (EMV) or DF31 (PBOC), the same layout.
tlv::Tlv scriptResultsObject(const std::vector<ScriptResult>& results, std::uint32_t tag);

}  // namespace taplink::emv
