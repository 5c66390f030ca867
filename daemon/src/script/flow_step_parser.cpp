// The steps that are not APDUs: server exchanges, checkpoints, progress, set, repeat, and
// the conditions of when and until.
#include "script/step_parser.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "script/scheme_rules.hpp"
#include "taplink/base/byte_reader.hpp"

namespace taplink::script::detail {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

constexpr std::size_t kMaxResponseText = 64;

constexpr std::array<std::string_view, 4> kStages = {"authorizing", "writing", "confirming",
                                                     "completing"};

Encoding encodingFrom(ObjectReader& reader, bool allowText) {
    const std::string as = reader.string("as");
    if (as == "hex") {
        return Encoding::Hex;
    }
    if (as == "number") {
        return Encoding::Number;
    }
    if (as == "text" && allowText) {
        return Encoding::Text;
    }
    reader.fail("\"as\" must be " +
                std::string(allowText ? "hex, number or text" : "hex or number") + ", not " +
                inQuotes(as));
}

VarType typeOf(Encoding encoding) {
    return encoding == Encoding::Number ? VarType::Integer : VarType::Bytes;
}

}  // namespace

// --- server

ServerStep StepParser::parseServer(ObjectReader& reader, const BlockContext& context) {
    ServerStep step;
    step.call = reader.string("call");
    if (!isLowerName(step.call)) {
        reader.fail("call must be a lower-case name, not " + inQuotes(step.call));
    }
    const json& request = reader.required("request");
    if (!request.is_object() || request.size() > 32) {
        reader.fail("request must be an object of at most 32 fields");
    }
    for (const auto& item : request.items()) {
        ObjectReader field(item.value(), reader.where() + " request." + item.key(),
                           ErrorCode::Malformed);
        RequestField out{item.key(), field.string("var"), encodingFrom(field, true)};
        use(out.variable, typeOf(out.encoding), std::nullopt, field, false, true);
        field.finish();
        step.request.push_back(std::move(out));
    }
    parseResponse(reader, step, !context.conditional);
    parseDecline(reader, step, context);
    return step;
}

void StepParser::parseDecline(ObjectReader& reader, ServerStep& step, const BlockContext& context) {
    PendingDecline pending;
    for (const ResponseField& field : step.response) {
        if (field.optional) {
            pending.variables.push_back(field.variable);
        }
    }
    const json* when = reader.optional("declinedWhen");
    if (when == nullptr) {
        if (!pending.variables.empty()) {
            reader.fail("an optional response field needs the step's declinedWhen");
        }
        return;
    }
    if (context.conditional || context.loopDepth > 0) {
        reader.fail("declinedWhen: the server step may not be in a loop or under a condition");
    }
    step.declinedWhen = std::make_shared<const Condition>(
        parseCondition(*when, reader.where() + " declinedWhen", 0));
    pending.when = *when;
    pendingDecline_ = std::move(pending);
}

void StepParser::parseResponse(ObjectReader& reader, ServerStep& step, bool definite) {
    const json& response = reader.required("response");
    if (!response.is_object() || response.size() > 32) {
        reader.fail("response must be an object of at most 32 fields");
    }
    for (const auto& item : response.items()) {
        ObjectReader field(item.value(), reader.where() + " response." + item.key(),
                           ErrorCode::Malformed);
        if (field.has("as") && item.value()["as"] == "dataScript") {
            field.string("as");
            DataScriptField out{item.key(), Target::Chip, {}};
            const std::string target = field.string("target");
            const auto parsedTarget = targetFromName(target);
            if (!parsedTarget) {
                field.fail("target must be \"card\" or \"chip\", not " + inQuotes(target));
            }
            out.target = *parsedTarget;
            const json& items = field.required("items");
            if (!items.is_object() || items.empty() || items.size() > 16) {
                field.fail("items must be an object of 1 to 16 items");
            }
            for (const auto& entry : items.items()) {
                ObjectReader itemReader(entry.value(), field.where() + " items." + entry.key(),
                                        ErrorCode::Malformed);
                DataItem dataItem{entry.key(), itemReader.string("var"),
                                  itemReader.optionalInteger("length", 1, 4096)};
                itemReader.finish();
                define(dataItem.variable, VarType::Bytes, out.target, definite, itemReader);
                out.items.push_back(std::move(dataItem));
            }
            field.finish();
            step.dataScripts.push_back(std::move(out));
            continue;
        }
        ResponseField out;
        out.field = item.key();
        out.variable = field.string("var");
        out.encoding = encodingFrom(field, true);
        if (out.encoding == Encoding::Number) {
            out.max = field.optionalInteger("max", 0, kMaxU64);
        } else {
            out.length = field.optionalInteger("length", 1, 4096);
        }
        if (out.encoding == Encoding::Text) {
            out.maxLength = field.optionalInteger("maxLength", 1, kMaxResponseText);
            if (out.length.has_value() == out.maxLength.has_value()) {
                field.fail("a text field has its length or its maxLength");
            }
        }
        out.optional = field.optionalBoolean("optional").value_or(false);
        field.finish();
        define(out.variable, typeOf(out.encoding), std::nullopt, definite && !out.optional, field);
        step.response.push_back(std::move(out));
    }
}

// --- checkpoint, progress, set

CheckpointStep StepParser::parseCheckpoint(ObjectReader& reader, const BlockContext& context) {
    CheckpointStep step;
    step.name = reader.string("name");
    const std::vector<std::string_view>& names = rulesFor(scheme_).checkpoints;
    std::string order;
    for (const std::string_view name : names) {
        order += (order.empty() ? "" : ", ") + std::string(name);
    }
    const auto position = std::find(names.begin(), names.end(), step.name);
    if (position == names.end()) {
        reader.fail("unknown checkpoint " + inQuotes(step.name) + " (" + order + ")");
    }
    const int index = static_cast<int>(position - names.begin());
    if (context.loopDepth > 0 || context.conditional || index < checkpointsSeen_) {
        reader.fail("checkpoint " + step.name +
                    " must come once, outside loops and conditions, in the order " + order);
    }
    checkpointsSeen_ = index + 1;
    const json& save = reader.required("save");
    if (!save.is_array() || save.size() > 32) {
        reader.fail("save must be a list of at most 32 variables");
    }
    for (const json& name : save) {
        if (!name.is_string()) {
            reader.fail("save must be a list of variable names");
        }
        const VariableInfo* known = find(name.get<std::string>());
        if (known == nullptr) {
            reader.fail("variable " + name.get<std::string>() + " is not defined before this step");
        }
        use(name.get<std::string>(), known->type, std::nullopt, reader, true);
        step.save.push_back(name.get<std::string>());
    }
    return step;
}

ProgressStep StepParser::parseProgress(ObjectReader& reader) {
    ProgressStep step{reader.string("stage")};
    if (std::find(kStages.begin(), kStages.end(), step.stage) == kStages.end()) {
        reader.fail("unknown stage " + inQuotes(step.stage) +
                    " (authorizing, writing, confirming, completing)");
    }
    return step;
}

SetStep StepParser::parseSet(ObjectReader& reader, const BlockContext& context) {
    SetStep step;
    step.variable = reader.string("var");
    const json* add = reader.optional("add");
    const json* value = reader.optional("value");
    const bool hasBytes = reader.has("bytes");
    if ((add != nullptr) + (value != nullptr) + static_cast<int>(hasBytes) != 1) {
        reader.fail("a set step has one of \"add\", \"value\" or \"bytes\"");
    }
    if (hasBytes) {
        step.bytes = parseTemplate(reader, "bytes", std::nullopt);
        define(step.variable, VarType::Bytes, std::nullopt, !context.conditional, reader);
        return step;
    }
    VarType type = VarType::Integer;
    if (add != nullptr) {
        if (!add->is_array() || add->empty() || add->size() > 8) {
            reader.fail("add must be a list of 1 to 8 integer variables or numbers");
        }
        for (const json& operand : *add) {
            if (operand.is_string()) {
                use(operand.get<std::string>(), VarType::Integer, std::nullopt, reader);
                step.add.emplace_back(operand.get<std::string>());
            } else if (const auto number = unsignedJsonInteger(operand, 0, kMaxU64)) {
                step.add.emplace_back(*number);
            } else {
                reader.fail("add must be a list of integer variables or numbers");
            }
        }
    } else if (const auto number = unsignedJsonInteger(*value, 0, kMaxU64)) {
        step.value = Variables::Value(*number);
    } else if (const auto bytes =
                   value->is_string() ? strictHex(value->get<std::string>()) : std::nullopt) {
        step.value = Variables::Value(*bytes);
        type = VarType::Bytes;
    } else {
        reader.fail("value must be a number or hex");
    }
    define(step.variable, type, std::nullopt, !context.conditional, reader);
    return step;
}

// --- repeat

RepeatStep StepParser::parseRepeat(ObjectReader& reader, const std::string& path,
                                   const BlockContext& context) {
    RepeatStep step;
    if (context.loopDepth >= kMaxLoopDepth) {
        reader.fail("loops nest at most " + std::to_string(kMaxLoopDepth) + " deep");
    }
    const std::uint64_t max = reader.integer("max", 1, kMaxU64);
    if (max > limits_.maxLoopIterations) {
        throw ScriptError(ErrorCode::LimitExceeded, reader.where(),
                          "max " + std::to_string(max) + " is over the engine's cap of " +
                              std::to_string(limits_.maxLoopIterations) + " iterations");
    }
    step.max = static_cast<std::size_t>(max);
    if (const auto counter = reader.optionalString("counter")) {
        define(*counter, VarType::Integer, std::nullopt, !context.conditional, reader);
        step.counter = counter;
    }
    BlockContext body = context;
    body.loopDepth += 1;
    step.steps = parseSteps(reader.required("steps"), path + ".steps", body);
    if (const json* until = reader.optional("until")) {
        step.until = parseCondition(*until, reader.where(), 0);
    }
    return step;
}

// --- conditions

Condition StepParser::parseCondition(const json& value, const std::string& where, int depth) {
    if (depth >= kMaxConditionDepth) {
        throw ScriptError(
            ErrorCode::Malformed, where,
            "conditions nest at most " + std::to_string(kMaxConditionDepth) + " deep");
    }
    ObjectReader reader(value, where + " condition", ErrorCode::Malformed);
    Condition condition;
    if (const json* defined = reader.optional("defined")) {
        condition.kind = Condition::Kind::Defined;
        condition.variable = defined->is_string() ? defined->get<std::string>() : std::string();
        if (find(condition.variable) == nullptr || find(condition.variable)->confinedTo) {
            reader.fail("defined needs a variable defined before this step");
        }
    } else if (reader.has("all") || reader.has("any")) {
        const bool all = reader.has("all");
        condition.kind = all ? Condition::Kind::All : Condition::Kind::Any;
        const json& children = reader.required(all ? "all" : "any");
        if (!children.is_array() || children.empty() || children.size() > 16) {
            reader.fail("all/any must be a list of 1 to 16 conditions");
        }
        for (const json& child : children) {
            condition.children.push_back(parseCondition(child, where, depth + 1));
        }
    } else if (const json* negated = reader.optional("not")) {
        condition.kind = Condition::Kind::Not;
        condition.children.push_back(parseCondition(*negated, where, depth + 1));
    } else {
        condition = parseComparison(reader);
    }
    reader.finish();
    return condition;
}

Condition StepParser::parseComparison(ObjectReader& reader) {
    static constexpr std::array<std::pair<std::string_view, Condition::Op>, 6> kOps = {{
        {"eq", Condition::Op::Eq},
        {"ne", Condition::Op::Ne},
        {"lt", Condition::Op::Lt},
        {"le", Condition::Op::Le},
        {"gt", Condition::Op::Gt},
        {"ge", Condition::Op::Ge},
    }};
    Condition condition;
    condition.kind = Condition::Kind::Compare;
    condition.variable = reader.string("var");
    const VariableInfo* known = find(condition.variable);
    if (known == nullptr) {
        reader.fail("variable " + condition.variable + " is not defined before this step");
    }
    use(condition.variable, known->type, std::nullopt, reader);
    const json* operand = nullptr;
    for (const auto& [key, op] : kOps) {
        if (const json* found = reader.optional(key)) {
            if (operand != nullptr) {
                reader.fail("a comparison has exactly one of eq, ne, lt, le, gt, ge");
            }
            operand = found;
            condition.op = op;
        }
    }
    if (operand == nullptr) {
        reader.fail("a condition is var with eq/ne/lt/le/gt/ge, defined, all, any or not");
    }
    const auto bytes = operand->is_string() ? strictHex(operand->get<std::string>()) : std::nullopt;
    if (known->type == VarType::Bytes) {
        if (!bytes || (condition.op != Condition::Op::Eq && condition.op != Condition::Op::Ne)) {
            reader.fail("bytes compare with eq or ne against hex");
        }
        condition.operand = *bytes;
    } else if (const auto number = unsignedJsonInteger(*operand, 0, kMaxU64)) {
        condition.operand = *number;
    } else if (bytes && !bytes->empty() && bytes->size() <= 8) {
        // An integer written as hex ("9000" for a status word) is its big-endian value.
        condition.operand = bigEndian(*bytes);
    } else {
        reader.fail("an integer compares with a number or up to 16 hex digits");
    }
    return condition;
}

}  // namespace taplink::script::detail
