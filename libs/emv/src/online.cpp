// The issuer's answer: 8A and 91 (Book 3 10.9, Book 2 8.2.1) and the script templates.
#include "taplink/emv/online.hpp"

#include <string>

#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"

namespace taplink::emv {

namespace {

constexpr std::size_t kArcSize = 2;
constexpr std::size_t kArpcSize = 8;
constexpr std::size_t kScriptIdSize = 4;

[[noreturn]] void invalid(const std::string& why) {
    throw EmvError(EmvErrorCode::IssuerDataInvalid, why);
}

apdu::CommandApdu scriptCommand(const tlv::Tlv& object) {
    try {
        return apdu::CommandApdu::parse(object.value);
    } catch (const apdu::ApduError& error) {
        invalid(std::string("issuer script command: ") + error.what());
    }
}

// Book 3 Annex A1: 71/72 hold 9F18 (optional) and 86 commands, nothing else.
IssuerScript scriptOf(const tlv::Tlv& object) {
    if (object.tag != tag::kIssuerScriptBeforeFinalGac &&
        object.tag != tag::kIssuerScriptAfterFinalGac) {
        invalid(tagName(object.tag) + " where an issuer script template was expected");
    }
    const EmvTemplate script = EmvTemplate::of(object, "issuer script " + tagName(object.tag));
    IssuerScript result{object.tag, {}, {}};
    for (const tlv::Tlv& child : script.children()) {
        if (child.tag == tag::kIssuerScriptIdentifier) {
            result.id = child.value;
        } else if (child.tag == tag::kIssuerScriptCommand) {
            result.commands.push_back(scriptCommand(child));
        } else {
            invalid("issuer script holds " + tagName(child.tag));
        }
    }
    if (result.commands.empty()) {
        invalid("issuer script without a command");
    }
    return result;
}

std::vector<tlv::Tlv> parseIssuerList(ByteView scripts) {
    try {
        return tlv::parse(scripts);
    } catch (const tlv::TlvError& error) {
        invalid(std::string("issuer scripts: ") + error.what());
    }
}

}  // namespace

Bytes IssuerAuthenticationData::encode() const {
    return concat(arpc, arc);
}

Bytes parseAuthorisationResponseCode(ByteView arc) {
    if (arc.size() != kArcSize) {
        invalid("8A of " + std::to_string(arc.size()) + " bytes, expected 2");
    }
    return Bytes(arc.begin(), arc.end());
}

IssuerAuthenticationData parseIssuerAuthenticationData(ByteView value) {
    if (value.size() != kArpcSize + kArcSize) {
        invalid("91 of " + std::to_string(value.size()) + " bytes, expected ARPC 8 || ARC 2");
    }
    return IssuerAuthenticationData{Bytes(value.begin(), value.begin() + kArpcSize),
                                    Bytes(value.begin() + kArpcSize, value.end())};
}

std::vector<IssuerScript> parseIssuerScripts(ByteView scripts) {
    std::vector<IssuerScript> parsed;
    try {
        for (const tlv::Tlv& object : parseIssuerList(scripts)) {
            parsed.push_back(scriptOf(object));
        }
    } catch (const MalformedAnswer& error) {
        invalid(error.what());  // the template rules, said of the issuer
    }
    return parsed;
}

Bytes ScriptResult::encode() const {
    Bytes out{result};
    const Bytes padded = id.empty() ? Bytes(kScriptIdSize, 0x00) : id;
    out.insert(out.end(), padded.begin(), padded.end());
    return out;
}

tlv::Tlv scriptResultsObject(const std::vector<ScriptResult>& results, std::uint32_t tag) {
    Bytes value;
    for (const ScriptResult& result : results) {
        const Bytes encoded = result.encode();
        value.insert(value.end(), encoded.begin(), encoded.end());
    }
    return tlv::Tlv::primitive(tag, value);
}

}  // namespace taplink::emv
