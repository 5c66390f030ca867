#include "script/engine.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <string>

#include "script/byte_template.hpp"
#include "script/data_script.hpp"
#include "script/emv_steps.hpp"
#include "script/json_reader.hpp"
#include "script/purchase_steps.hpp"
#include "script/scheme_rules.hpp"
#include "script/script_error.hpp"
#include "taplink/base/byte_reader.hpp"

namespace taplink::script {

namespace {

using nlohmann::json;

constexpr std::string_view kContinue = "continue";

bool isPrintableAscii(ByteView bytes) {
    return std::all_of(bytes.begin(), bytes.end(),
                       [](std::uint8_t b) { return b >= 0x20 && b <= 0x7E; });
}

bool compare(Condition::Op op, const Variables::Value& left, const Variables::Value& right) {
    if (isBytes(left) || isBytes(right)) {
        const bool equal = left == right;
        return op == Condition::Op::Eq ? equal : !equal;
    }
    const std::uint64_t a = std::get<std::uint64_t>(left);
    const std::uint64_t b = std::get<std::uint64_t>(right);
    switch (op) {
        case Condition::Op::Eq:
            return a == b;
        case Condition::Op::Ne:
            return a != b;
        case Condition::Op::Lt:
            return a < b;
        case Condition::Op::Le:
            return a <= b;
        case Condition::Op::Gt:
            return a > b;
        case Condition::Op::Ge:
            return a >= b;
    }
    return false;
}

void checkInput(const InputDeclaration& input, const Variables::Value* value) {
    const auto refuse = [&input](const std::string& why) {
        throw ScriptError(ErrorCode::InvalidInput, "inputs", "input " + input.name + " " + why);
    };
    if (value == nullptr) {
        refuse("is missing");
    }
    if (isBytes(*value) != input.isBytes) {
        refuse(input.isBytes ? "must be bytes" : "must be an integer");
    }
    if (input.isBytes) {
        const std::size_t size = std::get<Bytes>(*value).size();
        if ((input.length && size != *input.length) ||
            (input.maxLength && size > *input.maxLength)) {
            refuse("has " + std::to_string(size) + " bytes");
        }
    } else if (input.bits < 64 && (std::get<std::uint64_t>(*value) >> input.bits) != 0) {
        refuse("does not fit in " + std::to_string(input.bits) + " bits");
    }
}

bool evaluateOver(const Variables& variables, const Condition& condition, const Step& step);

// A text field of a server answer (an authorization code, EMV 89): printable ASCII of the
// field's length or at most its maxLength, as bytes.
template <typename Refuse>
Bytes responseText(const ResponseField& field, const json& value, const Refuse& refuse) {
    const std::string* text = value.is_string() ? value.get_ptr<const std::string*>() : nullptr;
    Bytes bytes = text == nullptr ? Bytes{} : Bytes(text->begin(), text->end());
    const bool fits = !bytes.empty() && (!field.length || bytes.size() == *field.length) &&
                      (!field.maxLength || bytes.size() <= *field.maxLength);
    if (!fits || !isPrintableAscii(bytes)) {
        refuse("\"" + field.field + "\" that is not printable text of the right length");
    }
    return bytes;
}

class Runner {
  public:
    Runner(const Script& script, RunContext& context) : script_(script), context_(context) {}

    Variables run();

  private:
    void runBlock(const std::vector<Step>& steps);
    void runStep(const Step& step);
    void guard(const Step& step) const;
    std::chrono::steady_clock::time_point now() const;

    void runApdu(const Step& step, const ApduStep& apdu);
    apdu::CommandApdu buildCommand(const Step& step, const ApduStep& apdu) const;
    void acceptResponse(const Step& step, const ApduStep& apdu, const apdu::ResponseApdu& response);
    void runServer(const Step& step, const ServerStep& server);
    json buildRequest(const Step& step, const ServerStep& server) const;
    Variables readResponse(const Step& step, const ServerStep& server, const json& response) const;
    bool declined(const Step& step, const ServerStep& server, const Variables& answer) const;
    void readDataScript(const Step& step, const DataScriptField& field, const json& response,
                        Variables& out) const;
    void runCheckpoint(const CheckpointStep& checkpoint);
    void countApdu(const Step& step);
    // The card through the scheme's policy, for the kernel's commands (emv_steps.hpp).
    emv_steps::PolicyChannel cardChannel(const Step& step, bool issuerScript = false);
    // The chip through the scheme's policy, for the purchase steps (purchase_steps.hpp).
    emv_steps::PolicyChannel chipChannel(const Step& step);
    void runReadRecords(const Step& step, const ReadRecordsStep& records);
    void runIssuerScript(const Step& step, const IssuerScriptStep& issuerScript);
    void runKernelStep(const Step& step);
    void runGenerateAc(const Step& step, const GenerateAcStep& generateAc);
    void runPurchaseStep(const Step& step);
    void runOnlinePin(const Step& step);
    void merge(const Variables& values);
    void runSet(const Step& step, const SetStep& set);
    void runRepeat(const Step& step, const RepeatStep& repeat);
    bool evaluate(const Condition& condition, const Step& step) const {
        return evaluateOver(variables_, condition, step);
    }

    const Script& script_;
    RunContext& context_;
    Variables variables_;
    std::chrono::steady_clock::time_point start_;
    std::size_t stepsVisited_ = 0;
    std::size_t apdusSent_ = 0;
    std::size_t serverCalls_ = 0;
    // A money APDU went through: its checkpoint runs next, whatever the limits or a cancel say.
    bool moneyPending_ = false;
    // What the kernel read from the card, for relayCardData; never variables.
    emv_steps::CardObjects cardObjects_;
};

Variables Runner::run() {
    for (const InputDeclaration& input : script_.inputs) {
        checkInput(input, context_.inputs.find(input.name));
    }
    for (const auto& [name, value] : context_.inputs) {
        const bool declared = std::any_of(
            script_.inputs.begin(), script_.inputs.end(),
            [&name = name](const InputDeclaration& input) { return input.name == name; });
        if (!declared) {
            throw ScriptError(ErrorCode::InvalidInput, "inputs",
                              name + " is not an input of " + script_.id);
        }
    }
    variables_ = context_.inputs;
    start_ = now();
    runBlock(script_.steps);

    Variables outputs;
    for (const std::string& name : script_.outputs) {
        if (const Variables::Value* value = variables_.find(name)) {
            outputs.set(name, *value);
        }
    }
    return outputs;
}

std::chrono::steady_clock::time_point Runner::now() const {
    return context_.clock ? context_.clock() : std::chrono::steady_clock::now();
}

void Runner::guard(const Step& step) const {
    if (context_.cancelled && context_.cancelled()) {
        throw ScriptError(ErrorCode::Cancelled, step.label, "cancelled before this step");
    }
    if (now() - start_ > script_.limits.maxRunTime) {
        throw ScriptError(ErrorCode::LimitExceeded, step.label,
                          "the run took longer than " +
                              std::to_string(script_.limits.maxRunTime.count()) + " ms");
    }
    if (stepsVisited_ >= script_.limits.maxSteps) {
        throw ScriptError(ErrorCode::LimitExceeded, step.label,
                          "more than " + std::to_string(script_.limits.maxSteps) + " steps");
    }
}

void Runner::runBlock(const std::vector<Step>& steps) {
    for (const Step& step : steps) {
        runStep(step);
    }
}

void Runner::runStep(const Step& step) {
    if (!moneyPending_) {
        guard(step);
    }
    ++stepsVisited_;
    if (step.when && !evaluate(*step.when, step)) {
        return;
    }
    if (const auto* apdu = std::get_if<ApduStep>(&step.action)) {
        runApdu(step, *apdu);
    } else if (const auto* server = std::get_if<ServerStep>(&step.action)) {
        runServer(step, *server);
    } else if (const auto* checkpoint = std::get_if<CheckpointStep>(&step.action)) {
        runCheckpoint(*checkpoint);
    } else if (const auto* progress = std::get_if<ProgressStep>(&step.action)) {
        if (context_.progress) {
            context_.progress(progress->stage);
        }
    } else if (const auto* set = std::get_if<SetStep>(&step.action)) {
        runSet(step, *set);
    } else if (const auto* repeat = std::get_if<RepeatStep>(&step.action)) {
        runRepeat(step, *repeat);
    } else if (const auto* records = std::get_if<ReadRecordsStep>(&step.action)) {
        runReadRecords(step, *records);
    } else if (const auto* getData = std::get_if<GetDataStep>(&step.action)) {
        emv_steps::PolicyChannel channel = cardChannel(step);
        merge(emv_steps::getData(channel, *getData, step.label));
    } else if (const auto* check = std::get_if<EcCheckStep>(&step.action)) {
        emv_steps::checkEcLoad(variables_, *check, step.label);
    } else if (const auto* issuerScript = std::get_if<IssuerScriptStep>(&step.action)) {
        runIssuerScript(step, *issuerScript);
    } else {
        runKernelStep(step);
    }
}

void Runner::runKernelStep(const Step& step) {
    if (const auto* gpo = std::get_if<GpoStep>(&step.action)) {
        const Bytes none;
        const Bytes& pdolData = gpo->pdolData && variables_.contains(*gpo->pdolData)
                                    ? variables_.bytes(*gpo->pdolData)
                                    : none;
        emv_steps::PolicyChannel channel = cardChannel(step);
        merge(emv_steps::gpo(channel, *gpo, pdolData, cardObjects_, step.label));
    } else if (const auto* generateAc = std::get_if<GenerateAcStep>(&step.action)) {
        runGenerateAc(step, *generateAc);
    } else if (const auto* restrictions = std::get_if<RestrictionsStep>(&step.action)) {
        emv_steps::checkRestrictions(variables_, *restrictions, step.label);
    } else {
        runPurchaseStep(step);
    }
}

void Runner::runPurchaseStep(const Step& step) {
    if (const auto* relay = std::get_if<RelayCardDataStep>(&step.action)) {
        emv_steps::PolicyChannel channel = chipChannel(step);
        purchase_steps::relayCardData(channel, *relay, cardObjects_, step.label);
    } else if (std::holds_alternative<OnlinePinStep>(step.action)) {
        runOnlinePin(step);
    }
}

void Runner::runOnlinePin(const Step& step) {
    if (!context_.pinEntry) {
        throw ScriptError::notAccepted(step.label, "pin_unavailable",
                                       "the card asks for an online PIN and nobody can enter it");
    }
    const SecretString pin = context_.pinEntry();
    emv_steps::PolicyChannel channel = chipChannel(step);
    purchase_steps::putPin(channel, pin, step.label);
}

void Runner::runGenerateAc(const Step& step, const GenerateAcStep& generateAc) {
    std::optional<std::uint16_t> firstAtc;
    if (generateAc.firstAtc) {
        const Bytes& atc = variables_.bytes(*generateAc.firstAtc);
        if (atc.size() != 2) {
            throw ScriptError(ErrorCode::ValueInvalid, step.label,
                              "variable " + *generateAc.firstAtc + " is not a 2-byte ATC");
        }
        firstAtc = static_cast<std::uint16_t>(bigEndian(atc));
    }
    emv_steps::PolicyChannel channel = cardChannel(step);
    const Bytes cdolData =
        renderByteTemplate(generateAc.cdolData, variables_, step.label, script_.terminalData);
    merge(emv_steps::generateAc(channel, generateAc, cdolData, firstAtc, cardObjects_, step.label));
}

// --- the kernel's steps (emv_steps.hpp)

void Runner::merge(const Variables& values) {
    for (const auto& [name, value] : values) {
        variables_.set(name, value);
    }
}

void Runner::countApdu(const Step& step) {
    // While money is pending the checkpoint after it must be reached: the issuer script
    // step checked beforehand that all of its commands fit (emv_steps::runIssuerScript).
    if (apdusSent_ >= script_.limits.maxApdus && !moneyPending_) {
        throw ScriptError(ErrorCode::LimitExceeded, step.label,
                          "more than " + std::to_string(script_.limits.maxApdus) + " APDUs");
    }
    ++apdusSent_;
}

emv_steps::PolicyChannel Runner::cardChannel(const Step& step, bool issuerScript) {
    return emv_steps::PolicyChannel(
        context_.card, rulesFor(script_.scheme).card, step.label,
        [this, &step] { countApdu(step); }, issuerScript);
}

emv_steps::PolicyChannel Runner::chipChannel(const Step& step) {
    return emv_steps::PolicyChannel(
        context_.chip, rulesFor(script_.scheme).chip, step.label,
        [this, &step] { countApdu(step); }, false, Target::Chip);
}

void Runner::runReadRecords(const Step& step, const ReadRecordsStep& records) {
    const Variables::Value* afl = variables_.find(records.afl);
    if (afl == nullptr || !isBytes(*afl)) {
        throw ScriptError(ErrorCode::ValueInvalid, step.label,
                          "variable " + records.afl + " is not set to bytes");
    }
    emv_steps::PolicyChannel channel = cardChannel(step);
    merge(
        emv_steps::readRecords(channel, records, std::get<Bytes>(*afl), cardObjects_, step.label));
}

void Runner::runIssuerScript(const Step& step, const IssuerScriptStep& issuerScript) {
    const Variables::Value* scripts = variables_.find(issuerScript.script);
    if (scripts == nullptr || !isBytes(*scripts)) {
        throw ScriptError(ErrorCode::ValueInvalid, step.label,
                          "variable " + issuerScript.script + " is not set to bytes");
    }
    emv_steps::PolicyChannel channel = cardChannel(step, true);
    // From the first command on, the card may hold the new balance: the checkpoint after
    // this step runs whatever happens to the limits or a cancel.
    moneyPending_ = true;
    const std::size_t budget =
        script_.limits.maxApdus - std::min(apdusSent_, script_.limits.maxApdus);
    variables_.setBytes(
        issuerScript.result,
        emv_steps::runIssuerScript(channel, issuerScript, std::get<Bytes>(*scripts),
                                   rulesFor(script_.scheme).card, budget, step.label));
}

// --- apdu

apdu::CommandApdu Runner::buildCommand(const Step& step, const ApduStep& apdu) const {
    apdu::CommandApdu command;
    command.cla = apdu.cla;
    command.ins = apdu.ins;
    command.p1 = renderByteTemplate(apdu.p1, variables_, step.label).at(0);
    command.p2 = renderByteTemplate(apdu.p2, variables_, step.label).at(0);
    command.data = renderByteTemplate(apdu.data, variables_, step.label, script_.terminalData);
    command.le = apdu.le;
    if (command.data.size() > apdu::kMaxExtendedLc) {
        throw ScriptError(ErrorCode::ValueInvalid, step.label,
                          "command data of " + std::to_string(command.data.size()) + " bytes");
    }
    // The policy again, on the bytes that will go out.
    const ApduRule* rule =
        rulesFor(script_.scheme).policy(apdu.target).find(ApduShape::of(command));
    if (rule == nullptr || rule->name != apdu.commandName || rule->issuerScriptOnly ||
        rule->engineStepOnly) {
        throw ScriptError(ErrorCode::ApduNotAllowed, step.label,
                          "APDU " +
                              toHex(Bytes{command.cla, command.ins, command.p1, command.p2}, true) +
                              " is not allowed to the " + std::string(targetName(apdu.target)));
    }
    return command;
}

void Runner::runApdu(const Step& step, const ApduStep& apdu) {
    const apdu::CommandApdu command = buildCommand(step, apdu);
    countApdu(step);
    apdu::ApduChannel& channel = apdu.target == Target::Card ? context_.card : context_.chip;
    const apdu::ResponseApdu response = channel.transmit(command);
    if (apdu.saveSw) {
        variables_.setInteger(*apdu.saveSw, response.sw);
    }
    if (std::find(apdu.expect.begin(), apdu.expect.end(), response.sw) != apdu.expect.end()) {
        acceptResponse(step, apdu, response);
        moneyPending_ = apdu.movesMoney;
        return;
    }
    const auto mapped = apdu.onStatus.find(response.sw);
    if (mapped != apdu.onStatus.end() && mapped->second == kContinue) {
        return;
    }
    throw ScriptError::statusWord(step.label, response.sw, apdu.commandName,
                                  mapped == apdu.onStatus.end() ? "" : mapped->second);
}

void Runner::acceptResponse(const Step& step, const ApduStep& apdu,
                            const apdu::ResponseApdu& response) {
    const Bytes& data = response.data;
    if (apdu.responseLength && data.size() != *apdu.responseLength) {
        throw ScriptError(ErrorCode::ResponseInvalid, step.label,
                          apdu.commandName + " answered " + std::to_string(data.size()) +
                              " bytes, expected " + std::to_string(*apdu.responseLength));
    }
    Variables extracted;
    for (const Extraction& extraction : apdu.extract) {
        const std::size_t length = extraction.length.value_or(
            data.size() > extraction.offset ? data.size() - extraction.offset : 0);
        if (extraction.offset + length > data.size() || (!extraction.length && length == 0)) {
            throw ScriptError(ErrorCode::ResponseInvalid, step.label,
                              apdu.commandName + " answered " + std::to_string(data.size()) +
                                  " bytes, too short for " + extraction.variable);
        }
        const ByteView field = ByteView(data).subspan(extraction.offset, length);
        if (extraction.asInteger) {
            extracted.setInteger(extraction.variable, bigEndian(field));
        } else {
            extracted.setBytes(extraction.variable, Bytes(field.begin(), field.end()));
        }
    }
    if (!apdu.extractTlv.empty()) {
        merge(emv_steps::extractTlv(data, apdu.tlvTemplate, apdu.extractTlv, step.label));
    }
    merge(extracted);
}

// --- server

json Runner::buildRequest(const Step& step, const ServerStep& server) const {
    json request = json::object();
    for (const RequestField& field : server.request) {
        const Variables::Value* value = variables_.find(field.variable);
        if (value == nullptr) {
            throw ScriptError(ErrorCode::ValueInvalid, step.label,
                              "variable " + field.variable + " is not set");
        }
        if (field.encoding == Encoding::Number) {
            request[field.field] = std::get<std::uint64_t>(*value);
            continue;
        }
        const Bytes& bytes = std::get<Bytes>(*value);
        if (field.encoding == Encoding::Hex) {
            request[field.field] = toHex(bytes);
        } else if (isPrintableAscii(bytes)) {
            request[field.field] = std::string(bytes.begin(), bytes.end());
        } else {
            throw ScriptError(ErrorCode::ValueInvalid, step.label,
                              "variable " + field.variable + " is not printable text");
        }
    }
    return request;
}

void Runner::runServer(const Step& step, const ServerStep& server) {
    if (serverCalls_ >= script_.limits.maxServerCalls) {
        throw ScriptError(
            ErrorCode::LimitExceeded, step.label,
            "more than " + std::to_string(script_.limits.maxServerCalls) + " server calls");
    }
    ++serverCalls_;
    const json request = buildRequest(step, server);
    json response;
    try {
        response = context_.server.call(server.call, request);
    } catch (const std::exception& error) {
        throw ScriptError(ErrorCode::Server, step.label, server.call + " failed: " + error.what(),
                          std::current_exception());
    }
    // All or nothing: no variable changes unless the whole answer is right.
    for (const auto& [name, value] : readResponse(step, server, response)) {
        variables_.set(name, value);
    }
}

Variables Runner::readResponse(const Step& step, const ServerStep& server,
                               const json& response) const {
    const auto refuse = [&step, &server](const std::string& why) {
        throw ScriptError(ErrorCode::Server, step.label, server.call + " answered " + why);
    };
    if (!response.is_object()) {
        refuse("something that is not a JSON object");
    }
    Variables out;
    std::vector<std::string> absent;
    for (const ResponseField& field : server.response) {
        const auto found = response.find(field.field);
        if (found == response.end() && field.optional) {
            absent.push_back(field.field);
            continue;
        }
        if (found == response.end()) {
            refuse("without \"" + field.field + "\"");
        }
        if (field.encoding == Encoding::Number) {
            const auto number = unsignedJsonInteger(
                *found, 0, field.max.value_or(std::numeric_limits<std::uint64_t>::max()));
            if (!number) {
                refuse("\"" + field.field + "\" that is not an integer in range");
            }
            out.setInteger(field.variable, *number);
            continue;
        }
        if (field.encoding == Encoding::Text) {
            out.setBytes(field.variable, responseText(field, *found, refuse));
            continue;
        }
        const auto bytes = found->is_string() ? strictHex(found->get<std::string>()) : std::nullopt;
        if (!bytes || bytes->empty() || (field.length && bytes->size() != *field.length)) {
            refuse("\"" + field.field + "\" that is not hex of the right length");
        }
        out.setBytes(field.variable, *bytes);
    }
    for (const DataScriptField& field : server.dataScripts) {
        readDataScript(step, field, response, out);
    }
    // Only a decline may leave the optional fields out (docs/scripts.md, server).
    if (!absent.empty() && !declined(step, server, out)) {
        refuse("without \"" + absent.front() + "\" and did not decline");
    }
    return out;
}

bool Runner::declined(const Step& step, const ServerStep& server, const Variables& answer) const {
    if (!server.declinedWhen) {
        return false;
    }
    Variables after = variables_;
    for (const auto& [name, value] : answer) {
        after.set(name, value);
    }
    return evaluateOver(after, *server.declinedWhen, step);
}

void Runner::readDataScript(const Step& step, const DataScriptField& field, const json& response,
                            Variables& out) const {
    const auto found = response.find(field.field);
    if (found == response.end()) {
        throw ScriptError(ErrorCode::DataScriptInvalid, step.label,
                          "the answer has no data script \"" + field.field + "\"");
    }
    const DataScript data = parseDataScript(*found, field.target, script_.scheme, step.label);
    const auto refuse = [&step](const std::string& why) {
        throw ScriptError(ErrorCode::DataScriptInvalid, step.label, "data script: " + why);
    };
    if (data.items.size() != field.items.size()) {
        refuse("has " + std::to_string(data.items.size()) + " item(s), expected " +
               std::to_string(field.items.size()));
    }
    for (const DataItem& item : field.items) {
        const auto value = data.items.find(item.name);
        if (value == data.items.end()) {
            refuse("item \"" + item.name + "\" is missing");
        }
        if (item.length && value->second.size() != *item.length) {
            refuse("item \"" + item.name + "\" has " + std::to_string(value->second.size()) +
                   " bytes, expected " + std::to_string(*item.length));
        }
        out.setBytes(item.variable, value->second);
    }
}

// --- checkpoint, set, repeat

void Runner::runCheckpoint(const CheckpointStep& checkpoint) {
    Variables saved;
    for (const std::string& name : checkpoint.save) {
        if (const Variables::Value* value = variables_.find(name)) {
            saved.set(name, *value);
        }
    }
    context_.checkpoints.checkpoint(checkpoint.name, saved);
    moneyPending_ = false;
}

void Runner::runSet(const Step& step, const SetStep& set) {
    if (set.bytes) {
        variables_.setBytes(set.variable, renderByteTemplate(*set.bytes, variables_, step.label,
                                                             script_.terminalData));
        return;
    }
    if (set.value) {
        variables_.set(set.variable, *set.value);
        return;
    }
    std::uint64_t sum = 0;
    for (const auto& operand : set.add) {
        std::uint64_t value = 0;
        if (const auto* name = std::get_if<std::string>(&operand)) {
            const Variables::Value* known = variables_.find(*name);
            if (known == nullptr || isBytes(*known)) {
                throw ScriptError(ErrorCode::ValueInvalid, step.label,
                                  "variable " + *name + " is not set to an integer");
            }
            value = std::get<std::uint64_t>(*known);
        } else {
            value = std::get<std::uint64_t>(operand);
        }
        if (value > std::numeric_limits<std::uint64_t>::max() - sum) {
            throw ScriptError(ErrorCode::ValueInvalid, step.label, "the sum overflows");
        }
        sum += value;
    }
    variables_.setInteger(set.variable, sum);
}

void Runner::runRepeat(const Step& step, const RepeatStep& repeat) {
    for (std::size_t iteration = 1;; ++iteration) {
        if (iteration > repeat.max || iteration > script_.limits.maxLoopIterations) {
            if (!repeat.until) {
                return;
            }
            throw ScriptError(ErrorCode::LimitExceeded, step.label,
                              "the until condition did not hold after " +
                                  std::to_string(iteration - 1) + " iterations");
        }
        if (repeat.counter) {
            variables_.setInteger(*repeat.counter, iteration);
        }
        runBlock(repeat.steps);
        if (repeat.until && evaluate(*repeat.until, step)) {
            return;
        }
    }
}

bool evaluateOver(const Variables& variables, const Condition& condition, const Step& step) {
    const auto holds = [&variables, &step](const Condition& c) {
        return evaluateOver(variables, c, step);
    };
    switch (condition.kind) {
        case Condition::Kind::Defined:
            return variables.contains(condition.variable);
        case Condition::Kind::All:
            return std::all_of(condition.children.begin(), condition.children.end(), holds);
        case Condition::Kind::Any:
            return std::any_of(condition.children.begin(), condition.children.end(), holds);
        case Condition::Kind::Not:
            return !holds(condition.children.at(0));
        case Condition::Kind::Compare:
            break;
    }
    const Variables::Value* value = variables.find(condition.variable);
    if (value == nullptr) {
        throw ScriptError(ErrorCode::ValueInvalid, step.label,
                          "condition on " + condition.variable + ", which is not set");
    }
    return compare(condition.op, *value, condition.operand);
}

}  // namespace

Variables run(const Script& script, RunContext& context) {
    Runner runner(script, context);
    return runner.run();
}

}  // namespace taplink::script
