#include "script/script_parser.hpp"

#include <cstdint>
#include <string>

#include "script/json_reader.hpp"
#include "script/step_parser.hpp"
#include "taplink/base/utc_timestamp.hpp"

namespace taplink::script {

namespace {

using detail::StepParser;
using detail::VarType;
using nlohmann::json;

constexpr std::string_view kWhere = "script";
constexpr std::size_t kMaxDescription = 1024;
constexpr std::size_t kMaxInputBytes = 4096;
constexpr std::size_t kMaxDeclarations = 32;

// Format and kind first: a script of another version is "unsupported", whatever else it has.
void checkFormatAndKind(ObjectReader& reader) {
    const json& format = reader.required("format");
    if (!format.is_string()) {
        reader.fail("field \"format\" must be a string");
    }
    if (format.get<std::string>() != kFormat) {
        throw ScriptError(ErrorCode::Unsupported, reader.where(),
                          "format \"" + format.get<std::string>() + "\" (this engine runs " +
                              std::string(kFormat) + ")");
    }
    const std::string kind = reader.string("kind");
    if (kind != "command") {
        throw ScriptError(ErrorCode::Unsupported, reader.where(),
                          "kind \"" + kind +
                              "\" (a signed script is a command script; data "
                              "scripts come inside a server response)");
    }
}

InputDeclaration parseInput(const json& value, std::size_t index, StepParser& steps) {
    ObjectReader reader(value, "inputs[" + std::to_string(index) + "]", ErrorCode::Malformed);
    InputDeclaration input;
    input.name = reader.string("name");
    const std::string type = reader.string("type");
    if (type == "bytes") {
        input.length = reader.optionalInteger("length", 1, kMaxInputBytes);
        input.maxLength = reader.optionalInteger("maxLength", 1, kMaxInputBytes);
        if (input.length && input.maxLength) {
            reader.fail("length and maxLength exclude each other");
        }
    } else if (type == "uint") {
        input.isBytes = false;
        const auto bits = reader.optionalInteger("bits", 8, 64).value_or(64);
        if (bits % 8 != 0) {
            reader.fail("bits must be 8, 16, 24, 32, 40, 48, 56 or 64");
        }
        input.bits = static_cast<unsigned>(bits);
    } else {
        reader.fail("type must be bytes or uint, not \"" + type + "\"");
    }
    reader.optionalString("description");
    steps.declareInput(input.name, input.isBytes ? VarType::Bytes : VarType::Integer, reader);
    reader.finish();
    return input;
}

const json& boundedArray(ObjectReader& reader, std::string_view key) {
    const json& value = reader.required(key);
    if (!value.is_array() || value.size() > kMaxDeclarations) {
        reader.fail("field \"" + std::string(key) + "\" must be a list of at most " +
                    std::to_string(kMaxDeclarations));
    }
    return value;
}

// The script's own limits may lower the engine's, never raise them.
Limits parseLimits(ObjectReader& top, const Limits& engine) {
    Limits limits = engine;
    const json* value = top.optional("limits");
    if (value == nullptr) {
        return limits;
    }
    ObjectReader reader(*value, "limits", ErrorCode::Malformed);
    const auto lower = [&reader](std::string_view key, std::size_t& limit) {
        if (const auto declared = reader.optionalInteger(key, 1, UINT32_MAX)) {
            if (*declared > limit) {
                throw ScriptError(ErrorCode::LimitExceeded, reader.where(),
                                  std::string(key) + " " + std::to_string(*declared) +
                                      " is over the engine's " + std::to_string(limit));
            }
            limit = static_cast<std::size_t>(*declared);
        }
    };
    lower("maxSteps", limits.maxSteps);
    lower("maxApdus", limits.maxApdus);
    lower("maxServerCalls", limits.maxServerCalls);
    auto seconds = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(engine.maxRunTime).count());
    if (reader.has("maxSeconds")) {
        lower("maxSeconds", seconds);
        limits.maxRunTime = std::chrono::seconds(seconds);
    }
    reader.finish();
    return limits;
}

std::string lowerName(ObjectReader& reader, std::string_view key) {
    std::string name = reader.string(key);
    if (!detail::isLowerName(name)) {
        reader.fail("field \"" + std::string(key) + "\" must be a lower-case name");
    }
    return name;
}

std::int64_t timestamp(ObjectReader& reader, std::string_view key) {
    const std::string text = reader.string(key);
    const auto seconds = parseUtcTimestamp(text);
    if (!seconds) {
        reader.fail("field \"" + std::string(key) +
                    "\" must be a UTC time YYYY-MM-DDThh:mm:ssZ, not \"" + text + "\"");
    }
    return *seconds;
}

// The period the issuer signed the script for (docs/scripts.md, "Rollback and validity").
void parseValidity(ObjectReader& reader, Script& script) {
    script.validFrom = timestamp(reader, "validFrom");
    script.validUntil = timestamp(reader, "validUntil");
    if (script.validFrom >= script.validUntil) {
        reader.fail("validFrom must be before validUntil");
    }
}

}  // namespace

Script parseScript(ByteView text, const Limits& limits) {
    if (text.size() > limits.maxScriptBytes) {
        throw ScriptError(ErrorCode::LimitExceeded, std::string(kWhere),
                          std::to_string(text.size()) + " bytes, the most is " +
                              std::to_string(limits.maxScriptBytes));
    }
    const std::string_view chars(reinterpret_cast<const char*>(text.data()), text.size());
    const json document = parseStrictJson(chars, ErrorCode::Malformed, std::string(kWhere));
    ObjectReader reader(document, std::string(kWhere), ErrorCode::Malformed);
    checkFormatAndKind(reader);

    Script script;
    script.id = lowerName(reader, "id");
    script.scheme = lowerName(reader, "scheme");
    script.version = reader.integer("version", 1, UINT32_MAX);
    parseValidity(reader, script);
    script.description = reader.optionalString("description").value_or("");
    if (script.description.size() > kMaxDescription) {
        reader.fail("description longer than " + std::to_string(kMaxDescription));
    }
    script.limits = parseLimits(reader, limits);

    StepParser steps(script.limits, script.scheme);
    const json& inputs = boundedArray(reader, "inputs");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        script.inputs.push_back(parseInput(inputs[i], i, steps));
    }
    script.terminalData = steps.parseTerminalData(reader);
    script.steps = steps.parseSteps(reader.required("steps"), "steps", {});
    steps.checkTerminalData(reader);

    for (const json& output : boundedArray(reader, "outputs")) {
        const detail::VariableInfo* known =
            output.is_string() ? steps.find(output.get<std::string>()) : nullptr;
        if (known == nullptr || !known->definite || known->confinedTo || known->cardholderData) {
            reader.fail("output " + output.dump() +
                        " is not a variable set on every path through the script, or it is "
                        "cardholder data");
        }
        script.outputs.push_back(output.get<std::string>());
    }
    reader.finish();
    return script;
}

}  // namespace taplink::script
