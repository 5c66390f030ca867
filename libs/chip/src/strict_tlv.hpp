// Strict BER-TLV lists for the chip's own layouts (MANAGE data, the purchase commands): only
// the tags of the layout, each at most once, in canonical form (no padding bytes, shortest
// lengths, ISO/IEC 8825-1 8.1.3.2 a). The error type is the caller's, constructible from a
// std::string naming what is wrong.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::chip::detail {

template <class Error>
std::vector<tlv::Tlv> strictObjects(ByteView bytes, std::initializer_list<std::uint32_t> allowed,
                                    const std::string& what) {
    std::vector<tlv::Tlv> objects;
    try {
        objects = tlv::parse(bytes);
    } catch (const tlv::TlvError& error) {
        throw Error(what + ": " + error.what());
    }
    ByteWriter reencoded;
    std::set<std::uint32_t> seen;
    for (const tlv::Tlv& object : objects) {
        if (std::find(allowed.begin(), allowed.end(), object.tag) == allowed.end()) {
            throw Error(what + ": tag " + toHex(tlv::encodeTag(object.tag)) + " is not allowed");
        }
        if (!seen.insert(object.tag).second) {
            throw Error(what + ": tag " + toHex(tlv::encodeTag(object.tag)) + " twice");
        }
        reencoded.bytes(object.encode());
    }
    if (reencoded.take() != Bytes(bytes.begin(), bytes.end())) {
        throw Error(what + ": not canonical BER-TLV (padding or long lengths)");
    }
    return objects;
}

// The object with this tag at the top level of the list, or nullptr.
inline const tlv::Tlv* topLevel(const std::vector<tlv::Tlv>& objects, std::uint32_t tag) {
    const auto found = std::find_if(objects.begin(), objects.end(),
                                    [tag](const tlv::Tlv& object) { return object.tag == tag; });
    return found == objects.end() ? nullptr : &*found;
}

}  // namespace taplink::chip::detail
