#include "script/emv_steps.hpp"

#include <algorithm>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/emv_transport.hpp"
#include "taplink/emv/generate_ac.hpp"
#include "taplink/emv/online.hpp"
#include "taplink/emv/processing.hpp"
#include "taplink/emv/restrictions.hpp"
#include "taplink/emv/tvr.hpp"

namespace taplink::script::emv_steps {

namespace {

constexpr std::size_t kMaskKeepFirst = 6;  // PCI DSS 3.4: at most the first six
constexpr std::size_t kMaskKeepLast = 4;   // and the last four digits shown

std::string describe(const apdu::CommandApdu& command) {
    return toHex(Bytes{command.cla, command.ins, command.p1, command.p2}, true);
}

// cn (EMV Book 3 4.3): digits two to a byte, left-justified, padded with F nibbles. The
// kernel reads n only; a PAN of up to 19 digits does not fit an integer.
Bytes cnDigits(ByteView value, const std::string& what) {
    Bytes digits;
    bool padding = false;
    for (const std::uint8_t byte : value) {
        for (const unsigned nibble : {static_cast<unsigned>(byte >> 4U), byte & 0x0FU}) {
            if (nibble == 0x0F) {
                padding = true;
            } else if (nibble > 9 || padding) {
                throw emv::MalformedAnswer(what + " is not cn digits");
            } else {
                digits.push_back(static_cast<std::uint8_t>('0' + nibble));
            }
        }
    }
    return digits;
}

Bytes masked(Bytes digits) {
    if (digits.size() <= kMaskKeepFirst + kMaskKeepLast) {
        std::fill(digits.begin(), digits.end(), '*');
        return digits;
    }
    std::fill(digits.begin() + kMaskKeepFirst, digits.end() - kMaskKeepLast, '*');
    return digits;
}

Variables::Value convert(const TlvObject& object, ByteView value) {
    const std::string what = emv::tagName(object.tag);
    switch (object.as) {
        case TlvAs::Amount:
            return emv::decodeAmount(value, what);
        case TlvAs::Number:
            return emv::decodeNumeric(value, what);
        case TlvAs::Digits:
            return cnDigits(value, what);
        case TlvAs::MaskedDigits:
            return masked(cnDigits(value, what));
        case TlvAs::Bytes:
            break;
    }
    return Bytes(value.begin(), value.end());
}

void collect(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
             std::vector<const tlv::Tlv*>& found) {
    for (const tlv::Tlv& object : objects) {
        if (object.tag == tag) {
            found.push_back(&object);
        }
        collect(object.children, tag, found);
    }
}

// Sets each object's variable from the one value lookup finds (nullptr: absent).
template <typename Lookup>
Variables objectsToVariables(const std::vector<TlvObject>& objects, const Lookup& lookup) {
    Variables out;
    for (const TlvObject& object : objects) {
        const Bytes* value = lookup(object.tag);
        if (value == nullptr && !object.optional) {
            throw emv::MalformedAnswer("no " + emv::tagName(object.tag));
        }
        if (value != nullptr) {
            emv::checkLength(object.tag, *value, emv::tagName(object.tag));
            out.set(object.variable, convert(object, *value));
        }
    }
    return out;
}

// A tag the card gave twice must hold the same value both times, or the objects relayed to
// the chip would depend on which answer came last.
void remember(CardObjects& seen, std::uint32_t tag, const Bytes& value) {
    const auto [known, added] = seen.try_emplace(tag, value);
    if (!added && known->second != value) {
        throw emv::MalformedAnswer(emv::tagName(tag) + " read twice with different values");
    }
}

// The AFL as the card sent it: SFI << 3, first, last, ODA count per entry (Book 3 10.2).
Bytes aflBytes(const std::vector<emv::AflEntry>& entries) {
    ByteWriter out;
    for (const emv::AflEntry& entry : entries) {
        out.u8(static_cast<std::uint8_t>(entry.sfi << 3U))
            .u8(entry.firstRecord)
            .u8(entry.lastRecord)
            .u8(entry.odaRecords);
    }
    return out.take();
}

// The answer's objects: the template's children, or the whole answer when there is none.
std::vector<tlv::Tlv> answerObjects(ByteView answer, std::optional<std::uint32_t> templateTag) {
    if (templateTag) {
        const std::string what = "template " + emv::tagName(*templateTag);
        return emv::EmvTemplate::parse(answer, *templateTag, what).children();
    }
    try {
        return tlv::parse(answer);
    } catch (const tlv::TlvError& error) {
        throw emv::MalformedAnswer(std::string("the answer: ") + error.what());
    }
}

// 9F27, 9F36, 9F26, 9F10 as the card sent them (EMV Book 3 6.5.5.4).
void rememberFirstAnswer(CardObjects& seen, const emv::GenerateAcResult& answer,
                         const std::string& step) {
    try {
        remember(seen, emv::tag::kCryptogramInformationData, Bytes{answer.cid});
        remember(seen, emv::tag::kAtc, ByteWriter().u16(answer.atc).take());
        remember(seen, emv::tag::kApplicationCryptogram, answer.cryptogram);
        remember(seen, emv::tag::kIssuerApplicationData, answer.issuerApplicationData);
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
}

Variables generateAcVariables(const GenerateAcStep& step, const emv::GenerateAcResult& answer) {
    Variables out;
    out.setBytes(step.cid, Bytes{answer.cid});
    if (step.atc) {
        out.setBytes(*step.atc, ByteWriter().u16(answer.atc).take());
    }
    out.setBytes(step.ac, answer.cryptogram);
    out.setBytes(step.iad, answer.issuerApplicationData);
    return out;
}

}  // namespace

PolicyChannel::PolicyChannel(apdu::ApduChannel& inner, const ApduPolicy& policy, std::string step,
                             std::function<void()> beforeSend, bool issuerScript, Target target)
    : inner_(inner),
      policy_(policy),
      step_(std::move(step)),
      beforeSend_(std::move(beforeSend)),
      issuerScript_(issuerScript),
      target_(target) {}

apdu::ResponseApdu PolicyChannel::transmit(const apdu::CommandApdu& command) {
    const ApduRule* rule = policy_.find(ApduShape::of(command));
    const bool misplaced =
        rule != nullptr && (issuerScript_ ? !rule->inIssuerScript : rule->issuerScriptOnly);
    if (rule == nullptr || misplaced) {
        throw ScriptError(ErrorCode::ApduNotAllowed, step_,
                          "APDU " + describe(command) + " is not allowed to the " +
                              std::string(targetName(target_)) +
                              (issuerScript_ ? " in an issuer script" : ""));
    }
    beforeSend_();
    return inner_.transmit(command);
}

ScriptError fromEmv(const emv::EmvError& error, const std::string& step) {
    switch (error.code()) {
        case emv::EmvErrorCode::CardRefused:
            return ScriptError::statusWord(step, error.statusWord().value_or(0), error.what(), "");
        case emv::EmvErrorCode::IssuerDataInvalid:
            return ScriptError(ErrorCode::Server, step, error.what());
        case emv::EmvErrorCode::TerminalDataInvalid:
            return ScriptError(ErrorCode::ValueInvalid, step, error.what());
        default:
            return ScriptError(ErrorCode::ResponseInvalid, step, error.what());
    }
}

Variables extractTlv(ByteView answer, std::optional<std::uint32_t> templateTag,
                     const std::vector<TlvObject>& objects, const std::string& step) {
    try {
        const std::vector<tlv::Tlv> parsed = answerObjects(answer, templateTag);
        return objectsToVariables(objects, [&parsed](std::uint32_t tag) -> const Bytes* {
            std::vector<const tlv::Tlv*> found;
            collect(parsed, tag, found);
            if (found.size() > 1) {
                throw emv::MalformedAnswer(emv::tagName(tag) + " more than once");
            }
            return found.empty() ? nullptr : &found.front()->value;
        });
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
}

Variables readRecords(apdu::ApduChannel& channel, const ReadRecordsStep& records, ByteView afl,
                      CardObjects& seen, const std::string& step) {
    try {
        const std::vector<emv::AflEntry> entries = emv::parseAfl(afl);
        std::size_t count = 0;
        for (const emv::AflEntry& entry : entries) {
            count += entry.lastRecord - entry.firstRecord + 1U;
        }
        if (count > records.maxRecords) {
            throw ScriptError(ErrorCode::LimitExceeded, step,
                              "the AFL names " + std::to_string(count) + " records, more than " +
                                  std::to_string(records.maxRecords));
        }
        const emv::CardData data = emv::readApplicationData(channel, entries);
        for (const auto& [tag, value] : data) {
            remember(seen, tag, value);
        }
        return objectsToVariables(records.objects, [&data](std::uint32_t tag) -> const Bytes* {
            const auto found = data.find(tag);
            return found == data.end() ? nullptr : &found->second;
        });
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
}

Variables getData(apdu::ApduChannel& channel, const GetDataStep& getData, const std::string& step) {
    try {
        const apdu::ResponseApdu answer = channel.transmit(emv::getDataCommand(getData.tag));
        const std::string what = "GET DATA " + emv::tagName(getData.tag);
        const Bytes value =
            emv::parseSingleObject(emv::requireSuccess(answer, what), getData.tag, what);
        emv::checkLength(getData.tag, value, what);
        Variables out;
        out.set(getData.object.variable, convert(getData.object, value));
        return out;
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
}

void checkEcLoad(const Variables& variables, const EcCheckStep& check, const std::string& step) {
    try {
        const emv::EcState state{variables.integer(check.balance), variables.integer(check.limit),
                                 std::nullopt};
        emv::checkEcAmount(state, variables.integer(check.amount), emv::EcUse::Load);
    } catch (const VariableError& error) {
        throw ScriptError(ErrorCode::ValueInvalid, step, error.what());
    } catch (const emv::EmvError& error) {
        throw ScriptError::notAccepted(step, check.outcome, error.what());
    }
}

Variables gpo(apdu::ApduChannel& channel, const GpoStep& gpo, ByteView pdolData, CardObjects& seen,
              const std::string& step) {
    try {
        const emv::ProcessingOptions options = emv::getProcessingOptions(channel, pdolData);
        remember(seen, emv::tag::kAip, options.aip);
        Variables out;
        out.setBytes(gpo.aip, options.aip);
        out.setBytes(gpo.afl, aflBytes(options.afl));
        return out;
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
}

Variables generateAc(apdu::ApduChannel& channel, const GenerateAcStep& generateAc,
                     ByteView cdolData, std::optional<std::uint16_t> firstAtc, CardObjects& seen,
                     const std::string& step) {
    emv::GenerateAcResult answer;
    try {
        answer = generateAc.cryptogram == emv::CryptogramType::Arqc
                     ? emv::firstGenerateAc(channel, cdolData)
                     : emv::secondGenerateAc(
                           channel, generateAc.cryptogram == emv::CryptogramType::Tc, cdolData);
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
    // One transaction, one ATC: the second answer counts on from no other (Book 3 9.3).
    if (firstAtc && answer.atc != *firstAtc) {
        throw ScriptError(ErrorCode::ResponseInvalid, step,
                          "the second GENERATE AC's ATC " + std::to_string(answer.atc) +
                              " is not the first's " + std::to_string(*firstAtc));
    }
    if (answer.type == emv::CryptogramType::Aac && generateAc.onAac) {
        throw ScriptError::notAccepted(step, *generateAc.onAac, "the card answered an AAC");
    }
    if (generateAc.cryptogram == emv::CryptogramType::Arqc) {
        rememberFirstAnswer(seen, answer, step);
    }
    return generateAcVariables(generateAc, answer);
}

void checkRestrictions(const Variables& variables, const RestrictionsStep& restrictions,
                       const std::string& step) {
    emv::Tvr tvr;
    try {
        emv::CardData card{{emv::tag::kExpirationDate, variables.bytes(restrictions.expiry)}};
        if (restrictions.effective && variables.contains(*restrictions.effective)) {
            card.emplace(emv::tag::kEffectiveDate, variables.bytes(*restrictions.effective));
        }
        emv::RestrictionsInput input;
        input.transactionDate = variables.bytes(restrictions.date);
        emv::checkProcessingRestrictions(card, input, tvr);
    } catch (const VariableError& error) {
        throw ScriptError(ErrorCode::ValueInvalid, step, error.what());
    } catch (const emv::EmvError& error) {
        throw fromEmv(error, step);
    }
    try {
        emv::refuseUnusableForLoad(tvr);
    } catch (const emv::EmvError& error) {
        throw ScriptError::notAccepted(step, restrictions.outcome, error.what());
    }
}

Bytes runIssuerScript(apdu::ApduChannel& channel, const IssuerScriptStep& issuerScript,
                      ByteView scripts, const ApduPolicy& policy, std::size_t apduBudget,
                      const std::string& step) {
    std::vector<emv::IssuerScript> parsed;
    try {
        parsed = emv::parseIssuerScripts(scripts);
    } catch (const emv::EmvError& error) {
        throw ScriptError(ErrorCode::Server, step, std::string("issuer script: ") + error.what());
    }
    // Every command, before the first goes out: a script is run whole or not at all.
    std::size_t commands = 0;
    for (const emv::IssuerScript& script : parsed) {
        commands += script.commands.size();
        for (const apdu::CommandApdu& command : script.commands) {
            const ApduRule* rule = policy.find(ApduShape::of(command));
            if (rule == nullptr || !rule->inIssuerScript) {
                throw ScriptError(
                    ErrorCode::ApduNotAllowed, step,
                    "the issuer script's " + describe(command) + " is not allowed to the card");
            }
        }
    }
    if (commands > apduBudget) {
        throw ScriptError(ErrorCode::LimitExceeded, step,
                          "the issuer script has " + std::to_string(commands) +
                              " commands, the run has " + std::to_string(apduBudget) +
                              " APDUs left");
    }
    emv::Tvr tvr;
    emv::Tsi tsi;
    const std::vector<emv::ScriptResult> results =
        emv::runIssuerScripts(channel, parsed, issuerScript.templateTag, tvr, tsi);
    return emv::scriptResultsObject(results, issuerScript.resultTag).encode();
}

}  // namespace taplink::script::emv_steps
