#include "script/step_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <utility>

#include "script/byte_template.hpp"
#include "script/scheme_rules.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/base/byte_reader.hpp"

namespace taplink::script::detail {

namespace {

using nlohmann::json;

constexpr std::string_view kContinue = "continue";

std::string typeName(VarType type) {
    return type == VarType::Bytes ? "bytes" : "an integer";
}

std::string stepLabel(const json& value, const std::string& path) {
    if (value.is_object()) {
        const auto name = value.find("name");
        if (name != value.end() && name->is_string()) {
            return path + " " + name->get<std::string>();
        }
    }
    return path;
}

// Two hex digits.
std::uint8_t byteField(ObjectReader& reader, std::string_view key) {
    return reader.hex(key, 1).front();
}

// "9000" -> 0x9000.
std::optional<std::uint16_t> statusWordFrom(const std::string& text) {
    const auto bytes = strictHex(text);
    if (!bytes || bytes->size() != 2) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(bigEndian(*bytes));
}

// A money APDU, or an issuer script (its PUT DATA writes the EC balance).
const std::string* moneyCommand(const Step& step) {
    static const std::string kIssuerScript = "the issuer script";
    if (const auto* apduStep = std::get_if<ApduStep>(&step.action)) {
        return apduStep->movesMoney ? &apduStep->commandName : nullptr;
    }
    return std::holds_alternative<IssuerScriptStep>(step.action) ? &kIssuerScript : nullptr;
}

// A step that only takes a position in the flow (progress) does not separate a money APDU
// from the checkpoint before it.
bool isProgress(const Step& step) {
    return std::holds_alternative<ProgressStep>(step.action);
}

const CheckpointStep* unconditionalCheckpoint(const Step& step) {
    const auto* checkpoint = std::get_if<CheckpointStep>(&step.action);
    return step.when ? nullptr : checkpoint;
}

}  // namespace

bool isVariableName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength ||
        std::isalpha(static_cast<unsigned char>(name[0])) == 0) {
        return false;
    }
    for (const char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
            return false;
        }
    }
    return true;
}

bool isLowerName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength || name[0] == '-' || name[0] == '_') {
        return false;
    }
    for (const char c : name) {
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!allowed) {
            return false;
        }
    }
    return true;
}

// --- Variables

const VariableInfo* StepParser::find(std::string_view name) const {
    const auto found = variables_.find(name);
    return found == variables_.end() ? nullptr : &found->second;
}

void StepParser::declareInput(const std::string& name, VarType type, const ObjectReader& where) {
    if (find(name) != nullptr) {
        where.fail("input " + name + " is declared twice");
    }
    define(name, type, std::nullopt, true, where);
}

void StepParser::define(const std::string& name, VarType type, std::optional<Target> confinedTo,
                        bool definite, const ObjectReader& where, bool cardholderData) {
    if (!isVariableName(name)) {
        where.fail("not a variable name: " + inQuotes(name));
    }
    // A purchase's only server call carries the chip's seal: the PAN reaches the chip by
    // relayCardData and never a variable that a request could send in the clear.
    if (cardholderData && scheme_ == kBankPurchaseScheme) {
        where.fail("a " + scheme_ + " script may not hold cardholder data in variable " + name +
                   ": read it as maskedDigits (relayCardData gives the chip the PAN)");
    }
    const auto [entry, added] =
        variables_.try_emplace(name, VariableInfo{type, confinedTo, definite, cardholderData});
    if (added) {
        return;
    }
    VariableInfo& known = entry->second;
    if (known.type != type) {
        where.fail("variable " + name + " is " + typeName(known.type) + " elsewhere, " +
                   typeName(type) + " here");
    }
    if (known.confinedTo != confinedTo) {
        where.fail("variable " + name + " holds data script items elsewhere");
    }
    if (known.cardholderData != cardholderData) {
        where.fail("variable " + name + " holds cardholder data in one place only");
    }
    known.definite = known.definite || definite;
}

void StepParser::use(const std::string& name, VarType type, std::optional<Target> apduTarget,
                     const ObjectReader& where, bool mustBeDefinite, bool toServer) const {
    const VariableInfo* known = find(name);
    if (known == nullptr) {
        where.fail("variable " + name + " is not defined before this step");
    }
    if (known->type != type) {
        where.fail("variable " + name + " is " + typeName(known->type) + ", " + typeName(type) +
                   " is needed here");
    }
    if (known->confinedTo && known->confinedTo != apduTarget) {
        where.fail("variable " + name + " holds data script items for the " +
                   std::string(targetName(*known->confinedTo)) + " and may only go there");
    }
    if (known->cardholderData && !toServer) {
        where.fail("variable " + name + " holds cardholder data and may only go to the server");
    }
    if (mustBeDefinite && !known->definite) {
        where.fail("variable " + name + " is not set on every path to this step");
    }
}

// --- Steps

std::vector<Step> StepParser::parseSteps(const json& steps, const std::string& path,
                                         const BlockContext& context) {
    if (!steps.is_array() || steps.empty()) {
        throw ScriptError(ErrorCode::Malformed, path, "steps must be a non-empty array");
    }
    std::vector<Step> out;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (++stepCount_ > kMaxStepsInScript) {
            throw ScriptError(ErrorCode::LimitExceeded, path,
                              "more than " + std::to_string(kMaxStepsInScript) + " steps");
        }
        out.push_back(parseStep(steps[i], path + "[" + std::to_string(i) + "]", context));
    }
    checkMoneyRules(out, context);
    return out;
}

Step StepParser::parseStep(const json& value, const std::string& path,
                           const BlockContext& context) {
    Step step;
    step.label = stepLabel(value, path);
    ObjectReader reader(value, step.label, ErrorCode::Malformed);
    const std::string type = reader.string("type");
    if (const auto name = reader.optionalString("name")) {
        if (!isLowerName(*name) || !stepNames_.insert(*name).second) {
            reader.fail("step name " + inQuotes(*name) + " is not a lower-case name or not unique");
        }
    }
    BlockContext inner = context;
    const json* when = reader.optional("when");
    if (when != nullptr) {
        step.when = parseCondition(*when, step.label, 0);
        inner.conditional = true;
    }
    const std::optional<PendingDecline> pending = std::exchange(pendingDecline_, std::nullopt);
    if (type == "apdu") {
        step.action = parseApdu(reader, inner);
    } else if (type == "server") {
        step.action = parseServer(reader, inner);
    } else if (type == "checkpoint") {
        step.action = parseCheckpoint(reader, inner);
    } else if (type == "progress") {
        step.action = parseProgress(reader);
    } else if (type == "set") {
        step.action = parseSet(reader, inner);
    } else if (type == "repeat") {
        step.action = parseRepeat(reader, path, inner);
    } else if (type == "readRecords") {
        step.action = parseReadRecords(reader, inner);
    } else if (type == "getData") {
        step.action = parseGetData(reader, inner);
    } else if (type == "ecCheck") {
        step.action = parseEcCheck(reader);
    } else if (type == "issuerScript") {
        step.action = parseIssuerScript(reader, inner);
    } else if (type == "gpo") {
        step.action = parseGpo(reader, inner);
    } else if (type == "generateAc") {
        step.action = parseGenerateAc(reader, inner);
    } else if (type == "restrictions") {
        step.action = parseRestrictions(reader);
    } else if (type == "relayCardData") {
        step.action = parseRelayCardData(reader);
    } else if (type == "onlinePin") {
        step.action = parseOnlinePin(reader, inner);
    } else {
        throw ScriptError(ErrorCode::Unsupported, step.label,
                          "unknown step type " + inQuotes(type));
    }
    reader.finish();
    if (pending) {
        settleDecline(*pending, step, when, reader);
    }
    return step;
}

void StepParser::settleDecline(const PendingDecline& pending, const Step& step, const json* when,
                               const ObjectReader& reader) {
    const auto* generateAc = std::get_if<GenerateAcStep>(&step.action);
    const bool stopsOnDecline = generateAc != nullptr &&
                                generateAc->cryptogram == emv::CryptogramType::Aac &&
                                generateAc->onAac && when != nullptr && *when == pending.when;
    if (!stopsOnDecline) {
        return;  // the optional fields stay set on some paths only
    }
    for (const std::string& name : pending.variables) {
        define(name, find(name)->type, std::nullopt, true, reader);
    }
}

// --- apdu

ApduStep StepParser::parseApdu(ObjectReader& reader, const BlockContext& context) {
    ApduStep step;
    const std::string target = reader.string("target");
    const auto parsedTarget = targetFromName(target);
    if (!parsedTarget) {
        reader.fail("target must be \"card\" or \"chip\", not " + inQuotes(target));
    }
    step.target = *parsedTarget;
    step.cla = byteField(reader, "cla");
    step.ins = byteField(reader, "ins");
    step.p1 = parseTemplate(reader, "p1", step.target);
    step.p2 = parseTemplate(reader, "p2", step.target);
    for (const ByteTemplate* parameter : {&step.p1, &step.p2}) {
        const bool oneByte =
            parameter->parts.size() == 1 && (parameter->parts[0].kind == TemplatePart::Kind::Literal
                                                 ? parameter->parts[0].literal.size() == 1
                                                 : parameter->parts[0].width == 1);
        if (!oneByte) {
            reader.fail("p1 and p2 must be one byte: two hex digits or {variable:u8}");
        }
    }
    if (reader.has("data")) {
        step.data = parseTemplate(reader, "data", step.target);
    }
    step.le = reader.optionalInteger("le", 1, apdu::kMaxExtendedLe);

    // The policy, on what is known now; again on the real bytes at send time.
    const auto literalByte = [](const ByteTemplate& t) -> std::optional<std::uint8_t> {
        const auto bytes = t.literal();
        return bytes ? std::optional<std::uint8_t>(bytes->front()) : std::nullopt;
    };
    const ApduShape shape{step.cla, step.ins, literalByte(step.p1), literalByte(step.p2),
                          step.data.literal()};
    const ApduRule* rule = rulesFor(scheme_).policy(step.target).find(shape);
    if (rule == nullptr || rule->issuerScriptOnly || rule->engineStepOnly) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "APDU " + toHex(Bytes{step.cla, step.ins}, true) + " " + step.p1.source +
                              " " + step.p2.source + " is not allowed to the " + target);
    }
    step.commandName = std::string(rule->name);
    step.movesMoney = rule->movesMoney;

    parseStatusWords(reader, step);
    bool skipsExtraction = false;
    for (const auto& [statusWord, outcome] : step.onStatus) {
        skipsExtraction = skipsExtraction || outcome == kContinue;
    }
    if (step.movesMoney &&
        (skipsExtraction || step.expect != std::vector<std::uint16_t>{apdu::sw::kOk})) {
        reader.fail(step.commandName + " moves money: it accepts 9000 only");
    }
    if (const auto saveSw = reader.optionalString("saveSw")) {
        define(*saveSw, VarType::Integer, std::nullopt, !context.conditional, reader);
        step.saveSw = saveSw;
    }
    step.responseLength = reader.optionalInteger("responseLength", 0, apdu::kMaxExtendedLe);
    parseExtractions(reader, step, !context.conditional && !skipsExtraction);
    parseTlvExtraction(reader, step, !context.conditional && !skipsExtraction);
    return step;
}

ByteTemplate StepParser::parseTemplate(ObjectReader& reader, std::string_view key,
                                       std::optional<Target> target) {
    const std::string source = reader.string(key);
    ByteTemplate parsed;
    try {
        parsed = parseByteTemplate(source);
    } catch (const std::invalid_argument& error) {
        reader.fail(std::string(key) + ": " + error.what());
    }
    for (const TemplatePart& part : parsed.parts) {
        if (part.kind == TemplatePart::Kind::Dol && terminalData_.empty()) {
            reader.fail(std::string(key) + ": {" + part.variable +
                        ":dol} needs the script's terminalData");
        }
        if (part.kind != TemplatePart::Kind::Literal) {
            use(part.variable,
                part.kind == TemplatePart::Kind::Integer || part.kind == TemplatePart::Kind::Numeric
                    ? VarType::Integer
                    : VarType::Bytes,
                target, reader);
        }
    }
    return parsed;
}

void StepParser::parseStatusWords(ObjectReader& reader, ApduStep& step) {
    const auto statusWord = [&reader](const std::string& text) {
        const auto value = statusWordFrom(text);
        if (!value) {
            reader.fail("not a status word (four hex digits): " + inQuotes(text));
        }
        return *value;
    };
    if (const json* expect = reader.optional("expect")) {
        if (!expect->is_array() || expect->empty() || expect->size() > 16) {
            reader.fail("expect must be a list of 1 to 16 status words");
        }
        for (const json& item : *expect) {
            if (!item.is_string()) {
                reader.fail("expect must be a list of status words (strings)");
            }
            step.expect.push_back(statusWord(item.get<std::string>()));
        }
    } else {
        step.expect = {apdu::sw::kOk};
    }
    if (const json* onStatus = reader.optional("onStatus")) {
        if (!onStatus->is_object() || onStatus->size() > 16) {
            reader.fail("onStatus must be an object of at most 16 status words");
        }
        for (const auto& item : onStatus->items()) {
            const std::uint16_t sw = statusWord(item.key());
            const bool named =
                item.value().is_string() && isLowerName(item.value().get<std::string>());
            if (!named) {
                reader.fail("onStatus " + item.key() + ": an outcome is a lower-case name");
            }
            if (std::find(step.expect.begin(), step.expect.end(), sw) != step.expect.end()) {
                reader.fail("onStatus " + item.key() + " is also expected");
            }
            step.onStatus.emplace(sw, item.value().get<std::string>());
        }
    }
}

void StepParser::parseExtractions(ObjectReader& reader, ApduStep& step, bool definite) {
    const json* extract = reader.optional("extract");
    if (extract == nullptr) {
        return;
    }
    // An offset into a bank card's answer (a record, GET DATA 5A, a GPO answer with 57)
    // could copy cardholder data past the flag extractTlv sets: bank answers go by tag only.
    if (scheme_ == kBankEcScheme ||
        (scheme_ == kBankPurchaseScheme && step.target == Target::Card)) {
        reader.fail("a bank card's answer is read by tag (extractTlv), never by offset (extract)");
    }
    if (!extract->is_array() || extract->size() > 32) {
        reader.fail("extract must be a list of at most 32 fields");
    }
    for (std::size_t i = 0; i < extract->size(); ++i) {
        ObjectReader field((*extract)[i], reader.where() + " extract[" + std::to_string(i) + "]",
                           ErrorCode::Malformed);
        Extraction extraction;
        extraction.variable = field.string("var");
        extraction.offset = field.integer("offset", 0, apdu::kMaxExtendedLe);
        const std::string as = field.string("as");
        if (as != "bytes" && as != "uint") {
            field.fail("\"as\" must be bytes or uint, not " + inQuotes(as));
        }
        extraction.asInteger = as == "uint";
        extraction.length = extraction.asInteger
                                ? field.integer("length", 1, 8)
                                : field.optionalInteger("length", 1, apdu::kMaxExtendedLe);
        if (step.responseLength &&
            extraction.offset + extraction.length.value_or(0) > *step.responseLength) {
            field.fail("reaches past the " + std::to_string(*step.responseLength) +
                       "-byte response");
        }
        field.finish();
        define(extraction.variable, extraction.asInteger ? VarType::Integer : VarType::Bytes,
               std::nullopt, definite, field);
        step.extract.push_back(std::move(extraction));
    }
}

// --- money

void StepParser::checkMoneyRules(const std::vector<Step>& steps,
                                 const BlockContext& context) const {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string* command = moneyCommand(steps[i]);
        if (command == nullptr) {
            continue;
        }
        const std::string& label = steps[i].label;
        const auto refuse = [&label, command](const std::string& why) {
            throw ScriptError(ErrorCode::Malformed, label, *command + " moves money: " + why);
        };
        if (context.loopDepth > 0 || context.conditional || steps[i].when) {
            refuse("it may not be in a loop or under a condition");
        }
        std::size_t before = i;
        while (before > 0 && isProgress(steps[before - 1])) {
            --before;
        }
        if (before == 0 || unconditionalCheckpoint(steps[before - 1]) == nullptr) {
            refuse("a checkpoint (no condition) must come right before it");
        }
        if (i + 1 >= steps.size() || unconditionalCheckpoint(steps[i + 1]) == nullptr) {
            refuse("a checkpoint (no condition) must come right after it");
        }
    }
}

}  // namespace taplink::script::detail
