// The steps a purchase script adds (docs/scripts.md, "Bank purchase"): relayCardData and
// onlinePin, both to the chip, both only where the scheme's chip policy has their command.
#include <algorithm>

#include "script/scheme_rules.hpp"
#include "script/step_parser.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::script::detail {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxRelayedTags = 16;

std::vector<std::uint32_t> tagList(const json& list, const ObjectReader& reader,
                                   std::string_view key) {
    if (!list.is_array() || list.size() > kMaxRelayedTags) {
        reader.fail(std::string(key) + " must be a list of at most 16 tags");
    }
    std::vector<std::uint32_t> tags;
    for (const json& item : list) {
        json pair = json::object();  // read like a field, for the same tag checks
        pair["tag"] = item;
        ObjectReader entry(pair, reader.where() + " " + std::string(key), ErrorCode::Malformed);
        tags.push_back(tagField(entry, "tag"));
    }
    return tags;
}

}  // namespace

void StepParser::requireChipCommand(const ObjectReader& reader, std::uint8_t ins) const {
    const ApduRule* rule =
        rulesFor(scheme_).chip.find(ApduShape{chip::pay::kCla, ins, 0x00, 0x00, Bytes{}});
    if (rule == nullptr || !rule->engineStepOnly) {
        throw ScriptError(ErrorCode::ApduNotAllowed, reader.where(),
                          "the step's command is not allowed to the chip of " + scheme_);
    }
}

RelayCardDataStep StepParser::parseRelayCardData(ObjectReader& reader) {
    requireChipCommand(reader, chip::pay::ins::kPutCardData);
    RelayCardDataStep step;
    step.tags = tagList(reader.required("tags"), reader, "tags");
    if (const json* optional = reader.optional("optionalTags")) {
        step.optionalTags = tagList(*optional, reader, "optionalTags");
    }
    std::vector<std::uint32_t> all = step.tags;
    all.insert(all.end(), step.optionalTags.begin(), step.optionalTags.end());
    std::sort(all.begin(), all.end());
    if (step.tags.empty() || std::adjacent_find(all.begin(), all.end()) != all.end()) {
        reader.fail("tags must name at least one tag, and no tag twice");
    }
    return step;
}

OnlinePinStep StepParser::parseOnlinePin(const ObjectReader& reader,
                                         const BlockContext& context) const {
    requireChipCommand(reader, chip::pay::ins::kPutPin);
    if (context.loopDepth > 0) {
        reader.fail("the PIN is asked for once: onlinePin may not be in a loop");
    }
    return {};
}

}  // namespace taplink::script::detail
