// The byte layouts of selection: the PPSE directory and the application FCI.
#include <algorithm>
#include <iterator>

#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/selection.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kConfirmationBit = 0x80;  // 87 b8 (Book 1 12.2.3, table 48)
constexpr std::uint8_t kPriorityMask = 0x0F;     // 87 b4-b1, 0: no priority
constexpr std::uint8_t kLowestRank = 0x10;       // after every priority 1-15

std::string textOf(const Bytes* value) {
    return value == nullptr ? std::string() : std::string(value->begin(), value->end());
}

std::optional<std::uint8_t> priorityOf(const Bytes* indicator) {
    if (indicator == nullptr || (indicator->front() & kPriorityMask) == 0) {
        return std::nullopt;
    }
    return static_cast<std::uint8_t>(indicator->front() & kPriorityMask);
}

Candidate candidateOf(const EmvTemplate& entry) {
    const Bytes* indicator = entry.optional(tag::kPriorityIndicator);
    return Candidate{entry.required(tag::kAid), textOf(entry.optional(tag::kApplicationLabel)),
                     priorityOf(indicator),
                     indicator != nullptr && (indicator->front() & kConfirmationBit) != 0};
}

bool supported(const Bytes& aid, const std::vector<Bytes>& supportedAids) {
    return std::any_of(supportedAids.begin(), supportedAids.end(), [&aid](const Bytes& known) {
        return aid.size() >= known.size() && std::equal(known.begin(), known.end(), aid.begin());
    });
}

std::uint8_t rankOf(const Candidate& candidate) {
    return candidate.priority.value_or(kLowestRank);
}

// The FCI's DF name 84, which must be the AID the terminal selected.
const Bytes& selectedDfName(const EmvTemplate& fci, ByteView selectedAid) {
    const Bytes& dfName = fci.required(tag::kDfName);
    if (!std::equal(dfName.begin(), dfName.end(), selectedAid.begin(), selectedAid.end())) {
        throw MalformedAnswer("application FCI: DF name " + toHex(dfName) +
                              " is not the AID selected, " + toHex(selectedAid));
    }
    return dfName;
}

Bytes valueOrEmpty(const Bytes* value) {
    return value == nullptr ? Bytes{} : *value;
}

// The log entry 9F4D sits in the optional issuer discretionary data BF0C (Book 3 Annex D).
Bytes logEntryOf(const EmvTemplate& proprietary) {
    const std::optional<EmvTemplate> discretionary =
        proprietary.optionalTemplate(tag::kFciIssuerDiscretionary);
    return discretionary ? valueOrEmpty(discretionary->optional(tag::kLogEntry)) : Bytes{};
}

}  // namespace

apdu::CommandApdu selectByName(ByteView name) {
    return apdu::CommandApdu{
        0x00, apdu::kInsSelect, 0x04, 0x00, Bytes(name.begin(), name.end()), apdu::kMaxShortLe};
}

std::vector<Candidate> parsePpseFci(ByteView fci) {
    const EmvTemplate outer = EmvTemplate::parse(fci, tag::kFci, "PPSE FCI");
    outer.required(tag::kDfName);
    const EmvTemplate directory =
        outer.requiredTemplate(tag::kFciProprietary).requiredTemplate(tag::kFciIssuerDiscretionary);
    std::vector<Candidate> candidates;
    for (const tlv::Tlv* entry : directory.all(tag::kDirectoryEntry)) {
        candidates.push_back(candidateOf(EmvTemplate::of(*entry, "PPSE directory entry")));
    }
    return candidates;
}

std::vector<Candidate> candidateList(const std::vector<Candidate>& directory,
                                     const std::vector<Bytes>& supportedAids) {
    std::vector<Candidate> list;
    std::copy_if(directory.begin(), directory.end(), std::back_inserter(list),
                 [&](const Candidate& c) { return supported(c.aid, supportedAids); });
    std::stable_sort(list.begin(), list.end(),
                     [](const Candidate& a, const Candidate& b) { return rankOf(a) < rankOf(b); });
    return list;
}

ApplicationFci parseApplicationFci(ByteView fci, ByteView selectedAid) {
    const EmvTemplate outer = EmvTemplate::parse(fci, tag::kFci, "application FCI");
    const Bytes& dfName = selectedDfName(outer, selectedAid);
    const EmvTemplate proprietary = outer.requiredTemplate(tag::kFciProprietary);
    return ApplicationFci{dfName, textOf(proprietary.optional(tag::kApplicationLabel)),
                          priorityOf(proprietary.optional(tag::kPriorityIndicator)),
                          valueOrEmpty(proprietary.optional(tag::kPdol)), logEntryOf(proprietary)};
}

}  // namespace taplink::emv
