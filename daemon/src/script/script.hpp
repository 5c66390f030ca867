// A recharge script as the engine runs it: parsed, checked against the APDU policy and the
// limits, never modified afterwards. The JSON format is described in docs/scripts.md; the
// engine (engine.hpp) runs it and signed_script.hpp makes one from a signed envelope.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "script/apdu_policy.hpp"
#include "script/variables.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

inline constexpr std::string_view kFormat = "taplink-script/1";

// Hard limits of the engine. A script may declare lower ones ("limits"), never higher.
struct Limits {
    std::size_t maxScriptBytes = std::size_t{64} * 1024;
    std::size_t maxSteps = 512;          // steps visited in one run, loop bodies included
    std::size_t maxApdus = 128;          // APDUs sent in one run, both targets
    std::size_t maxLoopIterations = 32;  // the most a repeat may declare
    std::size_t maxServerCalls = 4;      // server exchanges in one run
    std::chrono::milliseconds maxRunTime{std::chrono::minutes(2)};
};

// APDU data, P1 or P2: literal bytes and variables with an explicit encoding.
struct TemplatePart {
    enum class Kind { Literal, Integer, Bytes };
    Kind kind = Kind::Literal;
    Bytes literal;          // Literal
    std::string variable;   // Integer, Bytes
    std::size_t width = 0;  // Integer: big-endian, this many bytes
};

struct ByteTemplate {
    std::string source;  // as the script wrote it, for messages
    std::vector<TemplatePart> parts;

    // The bytes when there are no variables in it.
    std::optional<Bytes> literal() const;
};

struct Condition {
    enum class Kind { Compare, Defined, All, Any, Not };
    enum class Op { Eq, Ne, Lt, Le, Gt, Ge };
    Kind kind = Kind::Compare;
    std::string variable;             // Compare, Defined
    Op op = Op::Eq;                   // Compare
    Variables::Value operand;         // Compare: of the variable's type
    std::vector<Condition> children;  // All, Any, Not (one)
};

struct Extraction {
    std::string variable;
    std::size_t offset = 0;
    std::optional<std::size_t> length;  // nullopt: to the end (bytes only)
    bool asInteger = false;             // big-endian unsigned, 1..8 bytes
};

struct ApduStep {
    Target target = Target::Card;
    std::string commandName;  // the policy rule's name
    bool movesMoney = false;
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    ByteTemplate p1;
    ByteTemplate p2;
    ByteTemplate data;
    std::optional<std::size_t> le;
    std::vector<std::uint16_t> expect;  // accepted: extraction follows
    // Other status words the step names: "continue" accepts without extraction, any other
    // outcome stops the run with status_word and that outcome.
    std::map<std::uint16_t, std::string> onStatus;
    std::optional<std::string> saveSw;
    std::optional<std::size_t> responseLength;
    std::vector<Extraction> extract;
};

enum class Encoding { Hex, Number, Text };

struct RequestField {
    std::string field;
    std::string variable;
    Encoding encoding = Encoding::Hex;
};

struct ResponseField {
    std::string field;
    std::string variable;
    Encoding encoding = Encoding::Hex;  // Hex or Number
    std::optional<std::size_t> length;  // Hex: exact byte count
    std::optional<std::uint64_t> max;   // Number: largest value accepted
};

struct DataItem {
    std::string name;
    std::string variable;
    std::optional<std::size_t> length;
};

// A response field that must be a data script for target, whose items become variables.
struct DataScriptField {
    std::string field;
    Target target = Target::Chip;
    std::vector<DataItem> items;
};

struct ServerStep {
    std::string call;
    std::vector<RequestField> request;
    std::vector<ResponseField> response;
    std::vector<DataScriptField> dataScripts;
};

struct CheckpointStep {
    std::string name;  // "authorized", "card_initialized", "credited"
    std::vector<std::string> save;
};

struct ProgressStep {
    std::string stage;  // "authorizing", "writing", "confirming"
};

// variable = sum of the operands (variables or constants), or a constant value.
struct SetStep {
    std::string variable;
    std::vector<std::variant<std::string, std::uint64_t>> add;
    std::optional<Variables::Value> value;
};

struct Step;

struct RepeatStep {
    std::size_t max = 1;
    std::optional<Condition> until;      // checked after each iteration
    std::optional<std::string> counter;  // 1 for the first iteration
    std::vector<Step> steps;
};

struct Step {
    std::string label;  // "steps[4] initialize-for-load", for messages
    std::optional<Condition> when;
    std::variant<ApduStep, ServerStep, CheckpointStep, ProgressStep, SetStep, RepeatStep> action;
};

struct InputDeclaration {
    std::string name;
    bool isBytes = true;
    std::optional<std::size_t> length;     // bytes: exact
    std::optional<std::size_t> maxLength;  // bytes: at most
    unsigned bits = 64;                    // integer: fits in this many bits
};

struct Script {
    std::string id;
    std::string scheme;
    std::uint64_t version = 0;
    std::string description;
    std::vector<InputDeclaration> inputs;
    std::vector<std::string> outputs;
    Limits limits;  // in force for this script: the engine's, lowered by the script's own
    std::vector<Step> steps;
    std::string keyId;  // of the key that signed it; empty when parsed without a signature
};

}  // namespace taplink::script
