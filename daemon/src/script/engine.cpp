#include "script/engine.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <string>

#include "script/byte_template.hpp"
#include "script/data_script.hpp"
#include "script/json_reader.hpp"
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
    void readDataScript(const Step& step, const DataScriptField& field, const json& response,
                        Variables& out) const;
    void runCheckpoint(const CheckpointStep& checkpoint);
    void runSet(const Step& step, const SetStep& set);
    void runRepeat(const Step& step, const RepeatStep& repeat);
    bool evaluate(const Condition& condition, const Step& step) const;

    const Script& script_;
    RunContext& context_;
    Variables variables_;
    std::chrono::steady_clock::time_point start_;
    std::size_t stepsVisited_ = 0;
    std::size_t apdusSent_ = 0;
    std::size_t serverCalls_ = 0;
    // A money APDU went through: its checkpoint runs next, whatever the limits or a cancel say.
    bool moneyPending_ = false;
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
    }
}

// --- apdu

apdu::CommandApdu Runner::buildCommand(const Step& step, const ApduStep& apdu) const {
    apdu::CommandApdu command;
    command.cla = apdu.cla;
    command.ins = apdu.ins;
    command.p1 = renderByteTemplate(apdu.p1, variables_, step.label).at(0);
    command.p2 = renderByteTemplate(apdu.p2, variables_, step.label).at(0);
    command.data = renderByteTemplate(apdu.data, variables_, step.label);
    command.le = apdu.le;
    if (command.data.size() > apdu::kMaxExtendedLc) {
        throw ScriptError(ErrorCode::ValueInvalid, step.label,
                          "command data of " + std::to_string(command.data.size()) + " bytes");
    }
    // The policy again, on the bytes that will go out.
    const ApduRule* rule = ApduPolicy::forTarget(apdu.target).find(ApduShape::of(command));
    if (rule == nullptr || rule->name != apdu.commandName) {
        throw ScriptError(ErrorCode::ApduNotAllowed, step.label,
                          "APDU " +
                              toHex(Bytes{command.cla, command.ins, command.p1, command.p2}, true) +
                              " is not allowed to the " + std::string(targetName(apdu.target)));
    }
    return command;
}

void Runner::runApdu(const Step& step, const ApduStep& apdu) {
    const apdu::CommandApdu command = buildCommand(step, apdu);
    if (apdusSent_ >= script_.limits.maxApdus) {
        throw ScriptError(ErrorCode::LimitExceeded, step.label,
                          "more than " + std::to_string(script_.limits.maxApdus) + " APDUs");
    }
    ++apdusSent_;
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
    for (const auto& [name, value] : extracted) {
        variables_.set(name, value);
    }
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
    for (const ResponseField& field : server.response) {
        const auto found = response.find(field.field);
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
        const auto bytes = found->is_string() ? strictHex(found->get<std::string>()) : std::nullopt;
        if (!bytes || bytes->empty() || (field.length && bytes->size() != *field.length)) {
            refuse("\"" + field.field + "\" that is not hex of the right length");
        }
        out.setBytes(field.variable, *bytes);
    }
    for (const DataScriptField& field : server.dataScripts) {
        readDataScript(step, field, response, out);
    }
    return out;
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

bool Runner::evaluate(const Condition& condition, const Step& step) const {
    switch (condition.kind) {
        case Condition::Kind::Defined:
            return variables_.contains(condition.variable);
        case Condition::Kind::All:
            return std::all_of(condition.children.begin(), condition.children.end(),
                               [this, &step](const Condition& c) { return evaluate(c, step); });
        case Condition::Kind::Any:
            return std::any_of(condition.children.begin(), condition.children.end(),
                               [this, &step](const Condition& c) { return evaluate(c, step); });
        case Condition::Kind::Not:
            return !evaluate(condition.children.at(0), step);
        case Condition::Kind::Compare:
            break;
    }
    const Variables::Value* value = variables_.find(condition.variable);
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
