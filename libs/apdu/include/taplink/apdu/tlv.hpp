// BER-TLV as used by ISO/IEC 7816-4 and EMV (ISO/IEC 8825-1 clause 8.1: tags of up to
// four bytes, definite lengths in short or long form up to four length bytes).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::tlv {

// Malformed BER-TLV input. Parsing never reads past the input.
class TlvError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr int kMaxDepth = 16;

struct Tlv {
    std::uint32_t tag = 0;      // the tag bytes big-endian, e.g. 0x9F79, 0x6F, 0xBF0C
    Bytes value;                // raw value bytes (for constructed objects: the encoded children)
    std::vector<Tlv> children;  // parsed children when the tag is constructed

    // Bit 6 of the first tag byte (ISO/IEC 8825-1 8.1.2.5).
    bool constructed() const;
    // Depth-first search through this object and its children.
    const Tlv* find(std::uint32_t wanted) const;
    // Encodes the children when there are any, else the value.
    Bytes encode() const;

    static Tlv primitive(std::uint32_t tag, Bytes value);
    static Tlv constructedOf(std::uint32_t tag, std::vector<Tlv> children);
};

// Parses a sequence of TLV objects, recursing into constructed ones (at most kMaxDepth
// levels). 00 and FF bytes between objects are padding and skipped (EMV Book 3 B1).
std::vector<Tlv> parse(ByteView bytes);

// First object with the tag anywhere in the list (depth-first), or nullptr.
const Tlv* find(const std::vector<Tlv>& objects, std::uint32_t tag);
// The result points into the list: a temporary list would leave it dangling.
const Tlv* find(std::vector<Tlv>&& objects, std::uint32_t tag) = delete;

// The tag at the front of bytes (8825-1 8.1.2) and how many bytes it takes, for lists of
// bare tags such as EMV's data object lists (Book 3 5.4). Throws TlvError for a truncated
// tag or one longer than four bytes.
struct TagAtFront {
    std::uint32_t tag = 0;
    std::size_t size = 0;
};
TagAtFront readTag(ByteView bytes);

// Encodes a tag / a definite length in the shortest form; throws TlvError for a tag that
// would not read back as itself or a length beyond four length bytes.
Bytes encodeTag(std::uint32_t tag);
Bytes encodeLength(std::size_t length);

}  // namespace taplink::tlv
