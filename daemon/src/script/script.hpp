// A recharge script as the engine runs it: parsed, checked against the APDU policy and the
// limits, never modified afterwards. The JSON format is described in docs/scripts.md; the
// engine (engine.hpp) runs it and signed_script.hpp makes one from a signed envelope.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "script/apdu_policy.hpp"
#include "script/variables.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/emv/generate_ac.hpp"

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

// The script's terminal data store for DOLs (EMV Book 3 5.4): tag -> variable. A bytes
// variable goes in as it is, an integer one as n12 (6 bytes BCD); an unset one is absent.
using TerminalDataMap = std::map<std::uint32_t, std::string>;

// APDU data, P1 or P2: literal bytes and variables with an explicit encoding.
struct TemplatePart {
    // Dol: the data a DOL held in the variable asks for, from the terminal data store;
    // LengthValue: the bytes after their BER length (Book 3 Annex B2); Numeric: an integer
    // as n (BCD, Book 3 4.3) in width bytes.
    enum class Kind { Literal, Integer, Bytes, Dol, LengthValue, Numeric };
    Kind kind = Kind::Literal;
    Bytes literal;          // Literal
    std::string variable;   // Integer, Bytes
    std::size_t width = 0;  // Integer: big-endian, this many bytes; Numeric: BCD
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

// How a data object found in a BER-TLV answer becomes a variable: as bytes, an n12 amount or
// another n number as an integer (taplink/emv/bcd.hpp), cn digits (a PAN, F padding
// dropped) as ASCII text, or those digits masked for display (first 6 and last 4).
enum class TlvAs { Bytes, Amount, Number, Digits, MaskedDigits };

struct TlvObject {
    std::string variable;
    std::uint32_t tag = 0;
    bool optional = false;  // absent: the variable is left unset
    TlvAs as = TlvAs::Bytes;
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
    // The answer is one BER-TLV template of this tag (strict: taplink/emv/emv_tlv.hpp); the
    // objects are found by tag anywhere inside it, each at most once. Unset with extractTlv
    // (a chip's answer only): the answer is a sequence of BER-TLV objects.
    std::optional<std::uint32_t> tlvTemplate;
    std::vector<TlvObject> extractTlv;
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
    Encoding encoding = Encoding::Hex;
    std::optional<std::size_t> length;     // Hex, Text: exact byte count
    std::optional<std::size_t> maxLength;  // Text: at most this many bytes
    std::optional<std::uint64_t> max;      // Number: largest value accepted
    // May be absent when the server step's declinedWhen holds (the variable is left unset).
    bool optional = false;
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

struct Condition;

struct ServerStep {
    std::string call;
    std::vector<RequestField> request;
    std::vector<ResponseField> response;
    std::vector<DataScriptField> dataScripts;
    // The issuer declined (over the answer's variables): the optional fields may be absent.
    // Otherwise they are required like the others. Held by pointer: Condition is recursive.
    std::shared_ptr<const Condition> declinedWhen;
};

struct CheckpointStep {
    std::string name;  // one of the scheme's (scheme_rules.hpp)
    std::vector<std::string> save;
};

struct ProgressStep {
    std::string stage;  // "authorizing", "writing", "confirming", "completing"
};

// variable = sum of the operands (variables or constants), a constant value, or the bytes
// of a data template.
struct SetStep {
    std::string variable;
    std::vector<std::variant<std::string, std::uint64_t>> add;
    std::optional<Variables::Value> value;
    std::optional<ByteTemplate> bytes;
};

// READ RECORD of every record the AFL in `afl` names (EMV Book 3 10.2), the records' data
// objects collected by the kernel; the objects listed become variables.
struct ReadRecordsStep {
    std::string afl;
    std::size_t maxRecords = 16;
    std::vector<TlvObject> objects;
};

// GET DATA of one data object (Book 3 6.5.7) into a variable.
struct GetDataStep {
    std::uint16_t tag = 0;
    TlvObject object;
};

// The kernel's electronic-cash check before a cryptogram is asked for (JR/T 0025.13):
// refused with ScriptError(not_accepted) and the outcome when the amount does not fit.
struct EcCheckStep {
    std::string balance;
    std::string limit;
    std::string amount;
    std::string outcome;
};

// Runs the issuer scripts of one template (71 or 72, Book 3 10.10) held in a bytes variable
// (from the server); every command must be one the scheme's policy allows in an issuer
// script. The results (Book 4 Annex A5) go into `result` as the 9F5B or DF31 object.
struct IssuerScriptStep {
    std::string script;
    std::uint32_t templateTag = 0x72;
    std::string result;
    std::uint32_t resultTag = 0xDF31;
};

// GET PROCESSING OPTIONS with the kernel (Book 3 6.5.8, 10.1): either answer format; the
// AIP and the AFL (its 4-byte entries, Book 3 10.2) become bytes variables.
struct GpoStep {
    std::optional<std::string> pdolData;  // bytes; unset or absent: no PDOL (83 00)
    std::string aip;
    std::string afl;
};

// GENERATE AC with the kernel (Book 3 6.5.5, 9.3): either answer format, never a cryptogram
// higher than asked, the second never an ARQC, and the second's ATC the first's.
struct GenerateAcStep {
    emv::CryptogramType cryptogram = emv::CryptogramType::Arqc;
    ByteTemplate cdolData;                // "{cdol1Data:hex}", "{cdol2:dol}"
    std::optional<std::string> firstAtc;  // the second: the first answer's ATC (bytes)
    std::string cid;                      // 9F27, 1 byte
    std::optional<std::string> atc;       // 9F36, 2 bytes
    std::string ac;                       // 9F26, 8 bytes
    std::string iad;                      // 9F10, 0-32 bytes
    // The card answered an AAC: the run stops with not_accepted and this outcome.
    std::optional<std::string> onAac;
};

// The kernel's processing restrictions on the dates (Book 3 10.4.3) against the transaction
// date: an expired or not yet effective application stops the run with not_accepted and the
// outcome (emv::refuseUnusableForLoad, TapLink's load policy).
struct RestrictionsStep {
    std::string date;                      // 9A, n6 YYMMDD
    std::string expiry;                    // 5F24
    std::optional<std::string> effective;  // 5F25; unset: not checked
    std::string outcome;
};

// PUT CARD DATA (80 42 00 00) to the chip of the card objects the kernel read in this run,
// by tag, each exactly once, canonical BER-TLV, whole objects, at most 255 data bytes a
// command (docs/scripts.md, "Bank purchase"). The objects never become variables: the PAN
// reaches the chip's seal and nothing else. A tag the run did not read is response_invalid,
// unless it is one of optionalTags.
struct RelayCardDataStep {
    std::vector<std::uint32_t> tags;
    std::vector<std::uint32_t> optionalTags;
};

// The cardholder's online PIN from RunContext::pinEntry to the chip as PUT PIN (80 46 00 00,
// ASCII digits), wiped afterwards; never a variable. The chip's 6A80 is status_word with the
// outcome pin_invalid; no pinEntry is not_accepted with pin_unavailable.
struct OnlinePinStep {};

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
    std::variant<ApduStep, ServerStep, CheckpointStep, ProgressStep, SetStep, RepeatStep,
                 ReadRecordsStep, GetDataStep, EcCheckStep, IssuerScriptStep, GpoStep,
                 GenerateAcStep, RestrictionsStep, RelayCardDataStep, OnlinePinStep>
        action;
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
    // The validity period the issuer signed (docs/scripts.md), unix seconds: validFrom is the
    // first second it may run, validUntil the last; validFrom < validUntil.
    std::int64_t validFrom = 0;
    std::int64_t validUntil = 0;
    std::string description;
    std::vector<InputDeclaration> inputs;
    std::vector<std::string> outputs;
    Limits limits;  // in force for this script: the engine's, lowered by the script's own
    std::vector<Step> steps;
    TerminalDataMap terminalData;
    std::string keyId;  // of the key that signed it; empty when parsed without a signature
};

}  // namespace taplink::script
