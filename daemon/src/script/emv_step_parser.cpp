// The steps and fields a bank (EMV) script adds: data objects found by tag in a BER-TLV
// answer, the terminal data store for DOLs, READ RECORD of an AFL, GET DATA, the
// electronic-cash check and the issuer script.
#include <algorithm>
#include <array>

#include "script/scheme_rules.hpp"
#include "script/step_parser.hpp"
#include "taplink/apdu/tlv.hpp"

namespace taplink::script::detail {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxTlvObjects = 32;
constexpr std::size_t kMaxRecords = 32;
constexpr std::uint8_t kClaEmv = 0x80;          // EMV Book 3 6.3.2
constexpr std::uint8_t kInsGetData = 0xCA;      // Book 3 6.5.7
constexpr std::uint32_t kScriptBefore = 0x71;   // Book 3 10.10: before the final GENERATE AC
constexpr std::uint32_t kScriptAfter = 0x72;    // after it
constexpr std::uint32_t kEmvResults = 0x9F5B;   // Book 4 Annex A5
constexpr std::uint32_t kPbocResults = 0xDF31;  // JR/T 0025: the same layout

// Cardholder data (PCI DSS): PAN 5A, track 1 56 / 9F1F, track 2 57 / 9F6B, name 5F20 and
// 9F0B, track 3 9F20. Book 3 Annex A1.
constexpr std::array<std::uint32_t, 8> kCardholderTags = {0x5A,   0x57,   0x56,   0x5F20,
                                                          0x9F0B, 0x9F1F, 0x9F20, 0x9F6B};

TlvAs tlvAsFrom(ObjectReader& reader) {
    const std::string as = reader.optionalString("as").value_or("bytes");
    if (as == "bytes") {
        return TlvAs::Bytes;
    }
    if (as == "amount") {
        return TlvAs::Amount;
    }
    if (as == "number") {
        return TlvAs::Number;
    }
    if (as == "digits") {
        return TlvAs::Digits;
    }
    if (as == "maskedDigits") {
        return TlvAs::MaskedDigits;
    }
    reader.fail("\"as\" must be bytes, amount, number, digits or maskedDigits, not " +
                inQuotes(as));
}

VarType typeOf(TlvAs as) {
    return as == TlvAs::Amount || as == TlvAs::Number ? VarType::Integer : VarType::Bytes;
}

bool isCardholderData(const TlvObject& object) {
    return object.as != TlvAs::MaskedDigits &&
           std::find(kCardholderTags.begin(), kCardholderTags.end(), object.tag) !=
               kCardholderTags.end();
}

std::string variableField(ObjectReader& reader, std::string_view key) {
    std::string name = reader.string(key);
    if (!isVariableName(name)) {
        reader.fail("not a variable name: " + inQuotes(name));
    }
    return name;
}

}  // namespace

std::uint32_t tagField(ObjectReader& reader, std::string_view key) {
    const std::string text = reader.string(key);
    const auto bytes = strictHex(text);
    std::uint32_t tag = 0;
    if (bytes && !bytes->empty() && bytes->size() <= 3) {
        try {
            Bytes object = *bytes;
            object.push_back(0x00);  // a zero length: the tag on its own parses as an object
            const std::vector<tlv::Tlv> parsed = tlv::parse(object);
            tag = parsed.size() == 1 && tlv::encodeTag(parsed[0].tag) == *bytes ? parsed[0].tag : 0;
        } catch (const std::exception&) {
            tag = 0;
        }
    }
    if (tag == 0) {
        reader.fail(std::string(key) + " must be a BER-TLV tag in hex, not " + inQuotes(text));
    }
    return tag;
}

// --- the terminal data store

TerminalDataMap StepParser::parseTerminalData(ObjectReader& top) {
    const json* value = top.optional("terminalData");
    if (value == nullptr) {
        return {};
    }
    if (!value->is_object() || value->empty() || value->size() > kMaxTlvObjects) {
        top.fail("terminalData must be an object of 1 to 32 tags");
    }
    for (const auto& item : value->items()) {
        json pair = json::object();  // read like any object: the key as "tag", the value "var"
        pair["tag"] = item.key();
        pair["var"] = item.value();
        ObjectReader entry(pair, "terminalData." + item.key(), ErrorCode::Malformed);
        const std::uint32_t tag = tagField(entry, "tag");
        terminalData_.emplace(tag, variableField(entry, "var"));
    }
    return terminalData_;
}

void StepParser::checkTerminalData(const ObjectReader& top) const {
    for (const auto& [tag, name] : terminalData_) {
        const VariableInfo* known = find(name);
        if (known == nullptr) {
            top.fail("terminalData: variable " + name + " is never set");
        }
        use(name, known->type, Target::Card, top);
    }
}

// --- data objects by tag

std::vector<TlvObject> StepParser::parseTlvObjects(const json& list, const std::string& where,
                                                   bool definite) {
    if (!list.is_array() || list.empty() || list.size() > kMaxTlvObjects) {
        throw ScriptError(ErrorCode::Malformed, where, "objects must be a list of 1 to 32");
    }
    std::vector<TlvObject> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        ObjectReader field(list[i], where + "[" + std::to_string(i) + "]", ErrorCode::Malformed);
        TlvObject object;
        object.variable = field.string("var");
        object.tag = tagField(field, "tag");
        object.optional = field.optionalBoolean("optional").value_or(false);
        object.as = tlvAsFrom(field);
        field.finish();
        define(object.variable, typeOf(object.as), std::nullopt, definite && !object.optional,
               field, isCardholderData(object));
        out.push_back(std::move(object));
    }
    return out;
}

void StepParser::parseTlvExtraction(ObjectReader& reader, ApduStep& step, bool definite) {
    const json* objects = reader.optional("extractTlv");
    // A chip's answer may be bare objects (BEGIN PURCHASE's); a card's is always a template.
    const bool templateOptional = step.target == Target::Chip;
    if (reader.has("tlvTemplate") && objects == nullptr) {
        reader.fail("tlvTemplate comes with extractTlv");
    }
    if (objects == nullptr) {
        return;
    }
    if (!reader.has("tlvTemplate") && !templateOptional) {
        reader.fail("extractTlv on a card's answer needs its tlvTemplate");
    }
    if (reader.has("tlvTemplate")) {
        step.tlvTemplate = tagField(reader, "tlvTemplate");
    }
    step.extractTlv = parseTlvObjects(*objects, reader.where() + " extractTlv", definite);
}

// --- READ RECORD, GET DATA, EC check, issuer script

ReadRecordsStep StepParser::parseReadRecords(ObjectReader& reader, const BlockContext& context) {
    ReadRecordsStep step;
    step.afl = reader.string("afl");
    use(step.afl, VarType::Bytes, Target::Card, reader);
    step.maxRecords = reader.optionalInteger("maxRecords", 1, kMaxRecords).value_or(16);
    if (rulesFor(scheme_).card.find(ApduShape{0x00, apdu::kInsReadRecord, {}, {}, {}}) == nullptr) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "READ RECORD is not allowed to the card of " + scheme_);
    }
    step.objects = parseTlvObjects(reader.required("objects"), reader.where() + " objects",
                                   !context.conditional);
    return step;
}

GetDataStep StepParser::parseGetData(ObjectReader& reader, const BlockContext& context) {
    GetDataStep step;
    const std::uint32_t tag = tagField(reader, "tag");
    if (tag > 0xFFFF) {
        reader.fail("GET DATA names a tag of one or two bytes (P1 P2)");
    }
    step.tag = static_cast<std::uint16_t>(tag);
    const ApduShape shape{kClaEmv, kInsGetData, static_cast<std::uint8_t>(tag >> 8U),
                          static_cast<std::uint8_t>(tag & 0xFFU), Bytes{}};
    if (rulesFor(scheme_).card.find(shape) == nullptr) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "GET DATA is not allowed to the card of " + scheme_);
    }
    step.object.variable = reader.string("var");
    step.object.tag = tag;
    step.object.as = tlvAsFrom(reader);
    if (step.object.as == TlvAs::Digits || step.object.as == TlvAs::MaskedDigits) {
        reader.fail("GET DATA gives bytes, an amount or a number");
    }
    define(step.object.variable, typeOf(step.object.as), std::nullopt, !context.conditional, reader,
           isCardholderData(step.object));
    return step;
}

EcCheckStep StepParser::parseEcCheck(ObjectReader& reader) {
    EcCheckStep step{reader.string("balance"), reader.string("limit"), reader.string("amount"),
                     reader.string("outcome")};
    for (const std::string* name : {&step.balance, &step.limit, &step.amount}) {
        use(*name, VarType::Integer, std::nullopt, reader);
    }
    if (!isLowerName(step.outcome)) {
        reader.fail("outcome must be a lower-case name, not " + inQuotes(step.outcome));
    }
    return step;
}

IssuerScriptStep StepParser::parseIssuerScript(ObjectReader& reader, const BlockContext& context) {
    IssuerScriptStep step;
    step.script = reader.string("script");
    use(step.script, VarType::Bytes, Target::Card, reader);
    step.templateTag = tagField(reader, "template");
    if (step.templateTag != kScriptBefore && step.templateTag != kScriptAfter) {
        reader.fail("template must be 71 or 72");
    }
    step.result = reader.string("result");
    step.resultTag = reader.has("resultTag") ? tagField(reader, "resultTag") : kPbocResults;
    if (step.resultTag != kEmvResults && step.resultTag != kPbocResults) {
        reader.fail("resultTag must be 9F5B or DF31");
    }
    if (!rulesFor(scheme_).card.takesIssuerScripts()) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "the card of " + scheme_ + " takes no issuer script");
    }
    define(step.result, VarType::Bytes, std::nullopt, !context.conditional, reader);
    return step;
}

}  // namespace taplink::script::detail

namespace taplink::script::detail {

namespace {

using nlohmann::json;

constexpr std::uint8_t kInsGenerateAc = 0xAE;  // Book 3 6.5.5
constexpr std::uint8_t kInsGpo = 0xA8;         // Book 3 6.5.8

emv::CryptogramType cryptogramFrom(ObjectReader& reader) {
    const std::string name = reader.string("cryptogram");
    if (name == "arqc") {
        return emv::CryptogramType::Arqc;
    }
    if (name == "tc") {
        return emv::CryptogramType::Tc;
    }
    if (name == "aac") {
        return emv::CryptogramType::Aac;
    }
    reader.fail("cryptogram must be arqc, tc or aac, not " + inQuotes(name));
}

std::optional<std::string> outcomeField(ObjectReader& reader, std::string_view key) {
    std::optional<std::string> outcome = reader.optionalString(key);
    if (outcome && !isLowerName(*outcome)) {
        reader.fail(std::string(key) + " must be a lower-case name, not " + inQuotes(*outcome));
    }
    return outcome;
}

}  // namespace

// --- GET PROCESSING OPTIONS, GENERATE AC, processing restrictions (the kernel's)

void StepParser::requireCardCommand(const ObjectReader& reader, std::uint8_t ins,
                                    std::uint8_t p1) const {
    const ApduShape shape{kClaEmv, ins, p1, 0x00, Bytes{}};
    if (rulesFor(scheme_).card.find(shape) == nullptr) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "the command is not allowed to the card of " + scheme_);
    }
}

GpoStep StepParser::parseGpo(ObjectReader& reader, const BlockContext& context) {
    requireCardCommand(reader, kInsGpo, 0x00);
    GpoStep step;
    step.pdolData = reader.optionalString("pdolData");
    if (step.pdolData) {
        use(*step.pdolData, VarType::Bytes, Target::Card, reader);
    }
    step.aip = variableField(reader, "aip");
    step.afl = variableField(reader, "afl");
    define(step.aip, VarType::Bytes, std::nullopt, !context.conditional, reader);
    define(step.afl, VarType::Bytes, std::nullopt, !context.conditional, reader);
    return step;
}

GenerateAcStep StepParser::parseGenerateAc(ObjectReader& reader, const BlockContext& context) {
    GenerateAcStep step;
    step.cryptogram = cryptogramFrom(reader);
    requireCardCommand(reader, kInsGenerateAc, static_cast<std::uint8_t>(step.cryptogram));
    step.cdolData = parseTemplate(reader, "cdolData", Target::Card);
    const bool second = step.cryptogram != emv::CryptogramType::Arqc;
    step.firstAtc = reader.optionalString("firstAtc");
    if (step.firstAtc.has_value() != second) {
        reader.fail("firstAtc comes with the second GENERATE AC (tc, aac) and only there");
    }
    if (step.firstAtc) {
        use(*step.firstAtc, VarType::Bytes, std::nullopt, reader, true);
    }
    step.cid = variableField(reader, "cid");
    step.atc = reader.optionalString("atc");
    step.ac = variableField(reader, "ac");
    step.iad = variableField(reader, "iad");
    step.onAac = outcomeField(reader, "onAac");
    const bool definite = !context.conditional;
    for (const std::string* name : {&step.cid, &step.ac, &step.iad}) {
        define(*name, VarType::Bytes, std::nullopt, definite, reader);
    }
    if (step.atc) {
        define(*step.atc, VarType::Bytes, std::nullopt, definite, reader);
    }
    return step;
}

RestrictionsStep StepParser::parseRestrictions(ObjectReader& reader) {
    RestrictionsStep step;
    step.date = variableField(reader, "date");
    step.expiry = variableField(reader, "expiry");
    step.effective = reader.optionalString("effective");
    use(step.date, VarType::Bytes, std::nullopt, reader, true);
    use(step.expiry, VarType::Bytes, std::nullopt, reader, true);
    if (step.effective) {
        use(*step.effective, VarType::Bytes, std::nullopt, reader);
    }
    const auto outcome = outcomeField(reader, "outcome");
    if (!outcome) {
        reader.fail("a restrictions step names its outcome");
    }
    step.outcome = *outcome;
    return step;
}

}  // namespace taplink::script::detail
