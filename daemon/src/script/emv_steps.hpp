// What the engine does for a bank (EMV) script's steps, with the kernel (taplink/emv): data
// objects by tag, READ RECORD of an AFL, GET DATA, the electronic-cash check and the issuer
// script. The kernel talks to the card through a PolicyChannel, so that every command it
// sends is checked against the scheme's policy and counted like a script's own APDU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "script/script.hpp"
#include "script/script_error.hpp"
#include "script/variables.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/processing.hpp"

namespace taplink::script::emv_steps {

// What the kernel read from the card in this run, by tag: the records' objects, the GPO
// answer's AIP and the first GENERATE AC's 9F27, 9F36, 9F26 and 9F10. relayCardData relays
// from it (purchase_steps.hpp); a tag read twice must read the same.
using CardObjects = emv::CardData;

// Sends only what the policy allows (issuerScript: only the commands it allows in an issuer
// script), ScriptError(apdu_not_allowed) naming the step otherwise; calls beforeSend (the
// run's APDU limit) before each command goes out.
class PolicyChannel : public apdu::ApduChannel {
  public:
    PolicyChannel(apdu::ApduChannel& inner, const ApduPolicy& policy, std::string step,
                  std::function<void()> beforeSend, bool issuerScript = false,
                  Target target = Target::Card);

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;

  private:
    apdu::ApduChannel& inner_;
    const ApduPolicy& policy_;
    std::string step_;
    std::function<void()> beforeSend_;
    bool issuerScript_;
    Target target_;
};

// The kernel's error as the script's: a malformed answer response_invalid, a refusal
// status_word with the card's SW, the issuer's data server, the terminal's value_invalid.
ScriptError fromEmv(const emv::EmvError& error, const std::string& step);

// The objects inside answer, one template of templateTag (strict), or with no template a
// sequence of BER-TLV objects (a chip's answer); each found by tag at any depth, at most
// once. response_invalid for a missing (not optional) or repeated object.
Variables extractTlv(ByteView answer, std::optional<std::uint32_t> templateTag,
                     const std::vector<TlvObject>& objects, const std::string& step);

// READ RECORD of each record the AFL names (at most maxRecords), then the objects; every
// object of the records goes into seen.
Variables readRecords(apdu::ApduChannel& channel, const ReadRecordsStep& records, ByteView afl,
                      CardObjects& seen, const std::string& step);

Variables getData(apdu::ApduChannel& channel, const GetDataStep& getData, const std::string& step);

// ScriptError::notAccepted(step, outcome) unless balance + amount <= limit (and amount > 0).
void checkEcLoad(const Variables& variables, const EcCheckStep& check, const std::string& step);

// GET PROCESSING OPTIONS (either format): the step's aip and afl variables; the AIP goes
// into seen.
Variables gpo(apdu::ApduChannel& channel, const GpoStep& gpo, ByteView pdolData, CardObjects& seen,
              const std::string& step);

// The first (ARQC) or the second (TC, AAC) GENERATE AC through the kernel: the step's
// variables; firstAtc (the second) must equal the answer's ATC. An AAC with onAac set is
// ScriptError::notAccepted with that outcome. The first's objects go into seen.
Variables generateAc(apdu::ApduChannel& channel, const GenerateAcStep& generateAc,
                     ByteView cdolData, std::optional<std::uint16_t> firstAtc, CardObjects& seen,
                     const std::string& step);

// The kernel's date restrictions; not_accepted with the step's outcome for an expired or not
// yet effective application, value_invalid for a transaction date that is not one,
// response_invalid for a card date that is not one.
void checkRestrictions(const Variables& variables, const RestrictionsStep& restrictions,
                       const std::string& step);

// Runs the scripts of the step's template in scripts (server bytes, Book 3 10.10) after
// checking every command against the policy and that all of them fit apduBudget (the run's
// APDUs left): a script is run whole or not at all. Returns the results object (9F5B /
// DF31). A script the issuer got wrong is ScriptError(server).
Bytes runIssuerScript(apdu::ApduChannel& channel, const IssuerScriptStep& issuerScript,
                      ByteView scripts, const ApduPolicy& policy, std::size_t apduBudget,
                      const std::string& step);

}  // namespace taplink::script::emv_steps
