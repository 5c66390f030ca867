// Strict reading of the card's BER-TLV templates, on top of taplink/apdu/tlv.hpp: one
// object of the expected tag and nothing after it but padding (Book 3 Annex B1), every
// known data object's length checked, no data object twice in a template, and the
// mandatory ones required. Problems are EmvError(CardAnsweredWrongly) naming the answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// Throws MalformedAnswer when a data object the kernel knows has a length outside what
// Book 3 Annex A1 (or JR/T 0025.13 for the EC objects) allows; other tags pass.
void checkLength(std::uint32_t tag, ByteView value, const std::string& what);

// The tag as EMV writes it ("9F27").
std::string tagName(std::uint32_t tag);

class EmvTemplate {
  public:
    // bytes must be exactly one constructed object tagged `tag` (padding aside).
    static EmvTemplate parse(ByteView bytes, std::uint32_t tag, const std::string& what);
    // An object already parsed (e.g. A5 inside 6F); it must be constructed.
    static EmvTemplate of(const tlv::Tlv& object, const std::string& what);

    std::uint32_t tag() const { return object_.tag; }
    const std::string& what() const { return what_; }
    const std::vector<tlv::Tlv>& children() const { return object_.children; }

    // A direct child's value; MalformedAnswer "<what>: no <tag>" when it is missing.
    const Bytes& required(std::uint32_t tag) const;
    const Bytes* optional(std::uint32_t tag) const;
    EmvTemplate requiredTemplate(std::uint32_t tag) const;
    std::optional<EmvTemplate> optionalTemplate(std::uint32_t tag) const;
    // Every direct child with this tag (the ones that may repeat: 61, 86).
    std::vector<const tlv::Tlv*> all(std::uint32_t tag) const;

  private:
    EmvTemplate(tlv::Tlv object, std::string what);
    const tlv::Tlv* child(std::uint32_t tag) const;

    tlv::Tlv object_;
    std::string what_;
};

// The one object of a GET DATA answer (Book 3 6.5.7.4): tag and length, nothing else.
Bytes parseSingleObject(ByteView bytes, std::uint32_t tag, const std::string& what);

}  // namespace taplink::emv
