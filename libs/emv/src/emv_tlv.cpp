#include "taplink/emv/emv_tlv.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {

namespace {

struct LengthRule {
    std::uint32_t tag;
    std::size_t min;
    std::size_t max;
};

// Book 3 Annex A1 (lengths in bytes); 9F79/9F77/9F78 n12 from JR/T 0025.13.
constexpr std::array kLengthRules{
    LengthRule{tag::kAid, 5, 16},
    LengthRule{tag::kDfName, 5, 16},
    LengthRule{tag::kApplicationLabel, 1, 16},
    LengthRule{tag::kPriorityIndicator, 1, 1},
    LengthRule{tag::kLogEntry, 2, 2},
    LengthRule{tag::kAip, 2, 2},
    LengthRule{tag::kAfl, 4, 252},
    LengthRule{tag::kPan, 1, 10},
    LengthRule{tag::kPanSequenceNumber, 1, 1},
    LengthRule{tag::kCdol1, 1, 252},
    LengthRule{tag::kCdol2, 1, 252},
    LengthRule{tag::kExpirationDate, 3, 3},
    LengthRule{tag::kEffectiveDate, 3, 3},
    LengthRule{tag::kIssuerCountryCode, 2, 2},
    LengthRule{tag::kApplicationUsageControl, 2, 2},
    LengthRule{tag::kCardApplicationVersion, 2, 2},
    LengthRule{tag::kCryptogramInformationData, 1, 1},
    LengthRule{tag::kAtc, 2, 2},
    LengthRule{tag::kApplicationCryptogram, 8, 8},
    LengthRule{tag::kIssuerApplicationData, 1, 32},
    LengthRule{tag::kIssuerScriptIdentifier, 4, 4},
    LengthRule{tag::kAuthorisationResponseCode, 2, 2},
    LengthRule{tag::kIssuerAuthenticationData, 8, 16},
    LengthRule{tag::kPinTryCounter, 1, 1},
    LengthRule{tag::kEcBalance, 6, 6},
    LengthRule{tag::kEcBalanceLimit, 6, 6},
    LengthRule{tag::kEcSingleTransactionLimit, 6, 6},
};

// Repeated by design: directory entries (Book 1 12.2.3) and script commands (Book 3 10.10).
bool mayRepeat(std::uint32_t tag) {
    return tag == tag::kDirectoryEntry || tag == tag::kIssuerScriptCommand;
}

[[noreturn]] void malformed(const std::string& what, const std::string& problem) {
    throw MalformedAnswer(what + ": " + problem);
}

std::vector<tlv::Tlv> parseList(ByteView bytes, const std::string& what) {
    try {
        return tlv::parse(bytes);
    } catch (const tlv::TlvError& error) {
        malformed(what, error.what());
    }
}

// A data object appears once per template (Book 3 10.2 states it for the records; we hold
// every template to it), and every known length is checked.
void checkChildren(const tlv::Tlv& object, const std::string& what) {
    std::set<std::uint32_t> seen;
    for (const tlv::Tlv& child : object.children) {
        if (!seen.insert(child.tag).second && !mayRepeat(child.tag)) {
            malformed(what, tagName(child.tag) + " appears twice in " + tagName(object.tag));
        }
        if (!child.constructed()) {
            checkLength(child.tag, child.value, what);
        }
    }
}

}  // namespace

std::string tagName(std::uint32_t tag) {
    Bytes bytes;
    for (std::uint32_t rest = tag; rest != 0; rest >>= 8U) {
        bytes.insert(bytes.begin(), static_cast<std::uint8_t>(rest & 0xFFU));
    }
    return bytes.empty() ? "00" : toHex(bytes);
}

void checkLength(std::uint32_t tag, ByteView value, const std::string& what) {
    const auto* rule = std::find_if(kLengthRules.begin(), kLengthRules.end(),
                                    [tag](const LengthRule& r) { return r.tag == tag; });
    if (rule == kLengthRules.end()) {
        return;
    }
    if (value.size() < rule->min || value.size() > rule->max) {
        malformed(what, tagName(tag) + " of " + std::to_string(value.size()) + " bytes (allowed " +
                            std::to_string(rule->min) + " to " + std::to_string(rule->max) + ")");
    }
}

EmvTemplate::EmvTemplate(tlv::Tlv object, std::string what)
    : object_(std::move(object)), what_(std::move(what)) {
    if (!object_.constructed()) {
        malformed(what_, tagName(object_.tag) + " is not a template");
    }
    checkChildren(object_, what_);
}

EmvTemplate EmvTemplate::parse(ByteView bytes, std::uint32_t tag, const std::string& what) {
    std::vector<tlv::Tlv> objects = parseList(bytes, what);
    if (objects.size() != 1) {
        malformed(what, std::to_string(objects.size()) + " objects where one " + tagName(tag) +
                            " was expected");
    }
    if (objects.front().tag != tag) {
        malformed(what, tagName(objects.front().tag) + " where " + tagName(tag) + " was expected");
    }
    return EmvTemplate(std::move(objects.front()), what);
}

EmvTemplate EmvTemplate::of(const tlv::Tlv& object, const std::string& what) {
    return EmvTemplate(object, what);
}

const tlv::Tlv* EmvTemplate::child(std::uint32_t tag) const {
    for (const tlv::Tlv& object : object_.children) {
        if (object.tag == tag) {
            return &object;
        }
    }
    return nullptr;
}

const Bytes& EmvTemplate::required(std::uint32_t tag) const {
    const tlv::Tlv* found = child(tag);
    if (found == nullptr) {
        malformed(what_, "no " + tagName(tag) + " in " + tagName(object_.tag));
    }
    return found->value;
}

const Bytes* EmvTemplate::optional(std::uint32_t tag) const {
    const tlv::Tlv* found = child(tag);
    return found == nullptr ? nullptr : &found->value;
}

EmvTemplate EmvTemplate::requiredTemplate(std::uint32_t tag) const {
    required(tag);
    return EmvTemplate(*child(tag), what_);
}

std::optional<EmvTemplate> EmvTemplate::optionalTemplate(std::uint32_t tag) const {
    const tlv::Tlv* found = child(tag);
    if (found == nullptr) {
        return std::nullopt;
    }
    return EmvTemplate(*found, what_);
}

std::vector<const tlv::Tlv*> EmvTemplate::all(std::uint32_t tag) const {
    std::vector<const tlv::Tlv*> found;
    for (const tlv::Tlv& object : object_.children) {
        if (object.tag == tag) {
            found.push_back(&object);
        }
    }
    return found;
}

Bytes parseSingleObject(ByteView bytes, std::uint32_t tag, const std::string& what) {
    const std::vector<tlv::Tlv> objects = parseList(bytes, what);
    if (objects.size() != 1 || objects.front().tag != tag) {
        malformed(what, "expected exactly one " + tagName(tag));
    }
    checkLength(tag, objects.front().value, what);
    return objects.front().value;
}

}  // namespace taplink::emv
