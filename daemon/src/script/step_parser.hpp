// Internal to the script parser: parses steps and tracks what is known about each variable
// (type, where it may go, whether it is set on every path) so that references are checked
// before a run.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "script/json_reader.hpp"
#include "script/script.hpp"

namespace taplink::script::detail {

enum class VarType { Bytes, Integer };

struct VariableInfo {
    VarType type = VarType::Bytes;
    // Data script items: only ever sent in APDUs to this target.
    std::optional<Target> confinedTo;
    bool definite = false;  // set on every path that gets here
    // Cardholder data (the PAN, track data, the name): only ever sent to the server, never
    // into a checkpoint, an output, an APDU or the terminal data store.
    bool cardholderData = false;
};

// Where in the script a step is.
struct BlockContext {
    bool conditional = false;  // under a when, or after a status word that skips extraction
    int loopDepth = 0;
};

inline constexpr int kMaxLoopDepth = 3;
inline constexpr int kMaxConditionDepth = 8;
inline constexpr std::size_t kMaxStepsInScript = 256;
inline constexpr std::size_t kMaxNameLength = 48;

bool isVariableName(std::string_view name);  // [A-Za-z][A-Za-z0-9_]*, at most 48
// A BER tag (EMV Book 3 Annex B1) of 1 to 3 bytes, written in hex: "9F38".
std::uint32_t tagField(ObjectReader& reader, std::string_view key);
bool isLowerName(std::string_view name);  // [a-z0-9][a-z0-9_-]*, at most 48

inline std::string inQuotes(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

class StepParser {
  public:
    StepParser(const Limits& limits, std::string scheme)
        : limits_(limits), scheme_(std::move(scheme)) {}

    // Declares an input (set, definite, not confined).
    void declareInput(const std::string& name, VarType type, const ObjectReader& where);
    // The script's "terminalData" (tag -> variable), read before the steps.
    TerminalDataMap parseTerminalData(ObjectReader& top);
    // After the steps: every variable of the store is defined, and may go to the card.
    void checkTerminalData(const ObjectReader& top) const;
    std::vector<Step> parseSteps(const nlohmann::json& steps, const std::string& path,
                                 const BlockContext& context);
    const VariableInfo* find(std::string_view name) const;

  private:
    Step parseStep(const nlohmann::json& value, const std::string& path,
                   const BlockContext& context);
    ApduStep parseApdu(ObjectReader& reader, const BlockContext& context);
    void parseTlvExtraction(ObjectReader& reader, ApduStep& step, bool definite);
    std::vector<TlvObject> parseTlvObjects(const nlohmann::json& list, const std::string& where,
                                           bool definite);
    ReadRecordsStep parseReadRecords(ObjectReader& reader, const BlockContext& context);
    GetDataStep parseGetData(ObjectReader& reader, const BlockContext& context);
    EcCheckStep parseEcCheck(ObjectReader& reader);
    IssuerScriptStep parseIssuerScript(ObjectReader& reader, const BlockContext& context);
    GpoStep parseGpo(ObjectReader& reader, const BlockContext& context);
    GenerateAcStep parseGenerateAc(ObjectReader& reader, const BlockContext& context);
    RestrictionsStep parseRestrictions(ObjectReader& reader);
    RelayCardDataStep parseRelayCardData(ObjectReader& reader);
    OnlinePinStep parseOnlinePin(const ObjectReader& reader, const BlockContext& context) const;
    // ScriptError(apdu_not_allowed) unless the scheme's chip policy has this purchase command.
    void requireChipCommand(const ObjectReader& reader, std::uint8_t ins) const;
    // ScriptError(apdu_not_allowed) unless the scheme lets 80 ins p1 00 go to the card.
    void requireCardCommand(const ObjectReader& reader, std::uint8_t ins, std::uint8_t p1) const;
    // A step that asks the card for an AAC and stops on it, under exactly the declinedWhen of
    // the server step right before it: from here on the server's optional fields are set.
    void parseStatusWords(ObjectReader& reader, ApduStep& step);
    void parseExtractions(ObjectReader& reader, ApduStep& step, bool definite);
    ByteTemplate parseTemplate(ObjectReader& reader, std::string_view key,
                               std::optional<Target> target);
    ServerStep parseServer(ObjectReader& reader, const BlockContext& context);
    void parseResponse(ObjectReader& reader, ServerStep& step, bool definite);
    void parseDecline(ObjectReader& reader, ServerStep& step, const BlockContext& context);
    CheckpointStep parseCheckpoint(ObjectReader& reader, const BlockContext& context);
    static ProgressStep parseProgress(ObjectReader& reader);
    SetStep parseSet(ObjectReader& reader, const BlockContext& context);
    RepeatStep parseRepeat(ObjectReader& reader, const std::string& path,
                           const BlockContext& context);
    Condition parseCondition(const nlohmann::json& value, const std::string& where, int depth);
    Condition parseComparison(ObjectReader& reader);
    void checkMoneyRules(const std::vector<Step>& steps, const BlockContext& context) const;

    void define(const std::string& name, VarType type, std::optional<Target> confinedTo,
                bool definite, const ObjectReader& where, bool cardholderData = false);
    // The variable must be set before this point (on some path), be of type and may go to
    // an APDU of apduTarget (nullopt: anywhere but an APDU). mustBeDefinite: on every path.
    // toServer: a server request, the one place cardholder data may go.
    void use(const std::string& name, VarType type, std::optional<Target> apduTarget,
             const ObjectReader& where, bool mustBeDefinite = false, bool toServer = false) const;

    const Limits& limits_;
    std::string scheme_;
    std::map<std::string, VariableInfo, std::less<>> variables_;
    std::set<std::string, std::less<>> stepNames_;
    std::size_t stepCount_ = 0;
    int checkpointsSeen_ = 0;  // index in the checkpoint order of the last one, + 1
    TerminalDataMap terminalData_;
    // The server step just parsed had declinedWhen: its JSON and its optional variables.
    struct PendingDecline {
        nlohmann::json when;
        std::vector<std::string> variables;
    };
    std::optional<PendingDecline> pendingDecline_;
    // A step that asks the card for an AAC and stops on it, under exactly the declinedWhen of
    // the server step right before it: from here on the server's optional fields are set.
    void settleDecline(const PendingDecline& pending, const Step& step, const nlohmann::json* when,
                       const ObjectReader& reader);
};

}  // namespace taplink::script::detail
