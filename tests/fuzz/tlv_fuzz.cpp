// libs/apdu's BER-TLV (ISO/IEC 8825-1 as ISO/IEC 7816-4 and EMV use it): every card and
// chip answer that is a data object goes through it first.
#include <optional>
#include <vector>

#include "fuzz_support.hpp"
#include "taplink/apdu/tlv.hpp"

namespace taplink::fuzz {
namespace {

std::optional<std::vector<tlv::Tlv>> objectsOf(ByteView bytes) {
    try {
        return tlv::parse(bytes);
    } catch (const tlv::TlvError&) {
        return std::nullopt;
    }
}

Bytes encodeAll(const std::vector<tlv::Tlv>& objects) {
    Bytes out;
    for (const tlv::Tlv& object : objects) {
        const Bytes encoded = object.encode();
        out.insert(out.end(), encoded.begin(), encoded.end());
    }
    return out;
}

// Encoding drops padding and long-form lengths that were not needed, so the first encoding
// may differ from the input; it must parse back and encode to itself, and every object the
// parser found must be found again.
void checkRoundTrip(ByteView bytes) {
    const auto objects = objectsOf(bytes);
    if (!objects) {
        return;
    }
    const Bytes canonical = encodeAll(*objects);
    const auto again = objectsOf(canonical);
    require(again && again->size() == objects->size(), "TLV: the encoding parses back");
    require(encodeAll(*again) == canonical, "TLV: the encoding is canonical");
    for (const tlv::Tlv& object : *objects) {
        require(tlv::find(*again, object.tag) != nullptr, "TLV: every tag found again");
    }
}

// A tag read from the front encodes to the bytes it was read from, or encodeTag refuses it
// (a tag starting with a padding byte cannot be written).
void checkTag(ByteView bytes) {
    try {
        const auto front = tlv::readTag(bytes);
        const ByteView read = bytes.first(front.size);
        require(tlv::encodeTag(front.tag) == Bytes(read.begin(), read.end()),
                "TLV: encodeTag(readTag(b)) is the tag's bytes");
    } catch (const tlv::TlvError&) {
    }
}

void checkInput(ByteView bytes) {
    checkRoundTrip(bytes);
    checkTag(bytes);
}

}  // namespace
}  // namespace taplink::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::fuzz::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
