#include "taplink/apdu/tlv.hpp"

#include <string>
#include <utility>

namespace taplink::tlv {

namespace {

constexpr std::size_t kMaxTagBytes = 4;
constexpr std::size_t kMaxLengthBytes = 4;
constexpr std::uint8_t kTagNumberMask = 0x1F;  // all ones: the tag number follows
constexpr std::uint8_t kMoreTagBytes = 0x80;
constexpr std::uint8_t kConstructedBit = 0x20;
constexpr std::uint8_t kLongLength = 0x80;
constexpr std::uint64_t kMaxLength = 0xFFFFFFFFU;

bool isPadding(std::uint8_t byte) {
    return byte == 0x00 || byte == 0xFF;
}

// A bounds-checked reader; every read goes through takeByte() or takeBytes(). `base` is the
// offset of `bytes` in the top-level input, so errors in nested objects point at the right byte.
class Reader {
  public:
    Reader(ByteView bytes, std::size_t base) : bytes_(bytes), base_(base) {}

    bool atEnd() const { return pos_ == bytes_.size(); }
    std::size_t remaining() const { return bytes_.size() - pos_; }
    std::size_t offset() const { return base_ + pos_; }

    // Only called when !atEnd().
    std::uint8_t peek() const { return bytes_[pos_]; }
    void skip() { takeByte("padding"); }

    std::uint8_t takeByte(const char* what) {
        if (atEnd()) {
            fail(std::string("truncated ") + what);
        }
        return bytes_[pos_++];
    }

    ByteView takeBytes(std::size_t count) {
        if (count > remaining()) {
            fail("length " + std::to_string(count) + " exceeds the " + std::to_string(remaining()) +
                 " bytes left");
        }
        const ByteView out = bytes_.subspan(pos_, count);
        pos_ += count;
        return out;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw TlvError("malformed BER-TLV at offset " + std::to_string(offset()) + ": " + what);
    }

  private:
    ByteView bytes_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

std::uint32_t readTag(Reader& in) {
    const std::uint8_t first = in.takeByte("tag");
    std::uint32_t tag = first;
    if ((first & kTagNumberMask) != kTagNumberMask) {
        return tag;
    }
    // Subsequent bytes continue while bit 8 is set (8825-1 8.1.2.4).
    for (std::size_t count = 2; count <= kMaxTagBytes; ++count) {
        const std::uint8_t next = in.takeByte("multi-byte tag");
        tag = (tag << 8U) | next;
        if ((next & kMoreTagBytes) == 0) {
            return tag;
        }
    }
    in.fail("tag longer than 4 bytes");
}

std::size_t readLength(Reader& in) {
    const std::uint8_t first = in.takeByte("length");
    if (first < kLongLength) {
        return first;
    }
    if (first == kLongLength) {
        in.fail("indefinite length (80) is not allowed");
    }
    const std::size_t count = first & 0x7FU;
    if (count > kMaxLengthBytes) {
        in.fail("length field with " + std::to_string(count) + " length bytes (max 4)");
    }
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < count; ++i) {
        length = (length << 8U) | in.takeByte("long-form length");
    }
    return static_cast<std::size_t>(length);
}

std::vector<Tlv> parseSequence(ByteView bytes, std::size_t base, int level);

Tlv parseObject(Reader& in, int level) {
    Tlv object;
    object.tag = readTag(in);
    const std::size_t length = readLength(in);
    const std::size_t valueOffset = in.offset();
    const ByteView value = in.takeBytes(length);
    object.value.assign(value.begin(), value.end());
    if (object.constructed()) {
        object.children = parseSequence(value, valueOffset, level + 1);
    }
    return object;
}

// Level 1 is the top-level list; objects deeper than kMaxDepth are rejected so that hostile
// input cannot exhaust the stack.
std::vector<Tlv> parseSequence(ByteView bytes, std::size_t base, int level) {
    std::vector<Tlv> objects;
    Reader in(bytes, base);
    while (true) {
        while (!in.atEnd() && isPadding(in.peek())) {
            in.skip();
        }
        if (in.atEnd()) {
            return objects;
        }
        if (level > kMaxDepth) {
            in.fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        }
        objects.push_back(parseObject(in, level));
    }
}

std::uint8_t firstTagByte(std::uint32_t tag) {
    while (tag > 0xFFU) {
        tag >>= 8U;
    }
    return static_cast<std::uint8_t>(tag);
}

// The tag bytes must themselves be a well-formed BER tag, or the output would not parse back.
void checkTag(const Bytes& bytes) {
    const auto bad = [&bytes](const char* why) {
        return TlvError("cannot encode tag " + toHex(bytes) + ": " + why);
    };
    if (isPadding(bytes.front())) {
        throw bad("a leading 00 or FF would be read back as padding");
    }
    const bool multiByte = (bytes.front() & kTagNumberMask) == kTagNumberMask;
    if (!multiByte && bytes.size() > 1) {
        throw bad("first byte does not announce subsequent tag bytes");
    }
    if (multiByte && bytes.size() == 1) {
        throw bad("first byte announces subsequent tag bytes that are missing");
    }
    for (std::size_t i = 1; i < bytes.size(); ++i) {
        const bool more = (bytes[i] & kMoreTagBytes) != 0;
        if (more != (i + 1 < bytes.size())) {
            throw bad("bit 8 of the subsequent tag bytes is inconsistent with the tag size");
        }
    }
}

}  // namespace

bool Tlv::constructed() const {
    return (firstTagByte(tag) & kConstructedBit) != 0;
}

const Tlv* Tlv::find(std::uint32_t wanted) const {
    if (tag == wanted) {
        return this;
    }
    return tlv::find(children, wanted);
}

Bytes Tlv::encode() const {
    Bytes body;
    if (children.empty()) {
        body = value;
    } else {
        for (const Tlv& child : children) {
            const Bytes encoded = child.encode();
            body.insert(body.end(), encoded.begin(), encoded.end());
        }
    }
    Bytes out = encodeTag(tag);
    const Bytes length = encodeLength(body.size());
    out.insert(out.end(), length.begin(), length.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Tlv Tlv::primitive(std::uint32_t tag, Bytes value) {
    Tlv out;
    out.tag = tag;
    out.value = std::move(value);
    return out;
}

Tlv Tlv::constructedOf(std::uint32_t tag, std::vector<Tlv> children) {
    Tlv out;
    out.tag = tag;
    out.children = std::move(children);
    // Keep value as the encoded children, exactly as parse() leaves it.
    for (const Tlv& child : out.children) {
        const Bytes encoded = child.encode();
        out.value.insert(out.value.end(), encoded.begin(), encoded.end());
    }
    return out;
}

std::vector<Tlv> parse(ByteView bytes) {
    return parseSequence(bytes, 0, 1);
}

const Tlv* find(const std::vector<Tlv>& objects, std::uint32_t tag) {
    for (const Tlv& object : objects) {
        if (const Tlv* hit = object.find(tag)) {
            return hit;
        }
    }
    return nullptr;
}

TagAtFront readTag(ByteView bytes) {
    Reader in(bytes, 0);
    const std::uint32_t tag = readTag(in);
    return TagAtFront{tag, in.offset()};
}

Bytes encodeTag(std::uint32_t tag) {
    Bytes out;
    bool started = false;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto byte = static_cast<std::uint8_t>(tag >> static_cast<unsigned>(shift));
        started = started || byte != 0 || shift == 0;
        if (started) {
            out.push_back(byte);
        }
    }
    checkTag(out);
    return out;
}

Bytes encodeLength(std::size_t length) {
    if (static_cast<std::uint64_t>(length) > kMaxLength) {
        throw TlvError("length " + std::to_string(length) + " needs more than 4 length bytes");
    }
    if (length < kLongLength) {
        return Bytes{static_cast<std::uint8_t>(length)};
    }
    Bytes digits;
    for (std::size_t rest = length; rest != 0; rest >>= 8U) {
        digits.insert(digits.begin(), static_cast<std::uint8_t>(rest & 0xFFU));
    }
    Bytes out{static_cast<std::uint8_t>(kLongLength | digits.size())};
    out.insert(out.end(), digits.begin(), digits.end());
    return out;
}

}  // namespace taplink::tlv
