#include "taplink/apdu/apdu.hpp"

#include <string>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::apdu {

namespace {

constexpr std::size_t kHeaderSize = 4;
// Byte 5 of an extended APDU is 00; the short form never starts its body with Lc = 00.
constexpr std::uint8_t kExtendedMarker = 0x00;

void appendShortLe(Bytes& out, std::size_t le) {
    // Le = 256 wraps to 00 by definition (7816-4 5.1).
    out.push_back(static_cast<std::uint8_t>(le == kMaxShortLe ? 0 : le));
}

void appendExtendedLength(Bytes& out, std::size_t length) {
    // Only Le can reach 65536, which wraps to 0000.
    const std::size_t wrapped = length == kMaxExtendedLe ? 0 : length;
    const Bytes field = ByteWriter().u16(static_cast<std::uint16_t>(wrapped)).take();
    out.insert(out.end(), field.begin(), field.end());
}

std::size_t readExtended(ByteView bytes, std::size_t offset) {
    return bigEndian(bytes.subspan(offset, 2));
}

std::size_t shortLeValue(std::uint8_t byte) {
    return byte == 0 ? kMaxShortLe : byte;
}

std::size_t extendedLeValue(std::size_t raw) {
    return raw == 0 ? kMaxExtendedLe : raw;
}

[[noreturn]] void fail(const std::string& what, std::size_t size) {
    throw ApduError("malformed command APDU (" + std::to_string(size) + " bytes): " + what);
}

void validateForEncode(const CommandApdu& apdu) {
    if (apdu.data.size() > kMaxExtendedLc) {
        throw ApduError("command data too long: " + std::to_string(apdu.data.size()) +
                        " bytes (max 65535)");
    }
    if (apdu.le && *apdu.le == 0) {
        throw ApduError("Le must be at least 1 (use nullopt for no Le field)");
    }
    if (apdu.le && *apdu.le > kMaxExtendedLe) {
        throw ApduError("Le too large: " + std::to_string(*apdu.le) + " (max 65536)");
    }
}

// Body = everything after the header, in short form: [Lc data] [Le].
void parseShortBody(ByteView bytes, CommandApdu& out) {
    const ByteView body = bytes.subspan(kHeaderSize);
    if (body.size() == 1) {
        out.le = shortLeValue(body[0]);  // case 2S
        return;
    }
    const std::size_t lc = body[0];
    const std::size_t available = body.size() - 1;
    if (available < lc) {
        fail("Lc " + std::to_string(lc) + " exceeds the " + std::to_string(available) +
                 " data bytes present",
             bytes.size());
    }
    if (available > lc + 1) {
        fail("Lc " + std::to_string(lc) + " leaves " + std::to_string(available - lc) +
                 " trailing bytes (at most a 1-byte Le may follow)",
             bytes.size());
    }
    out.data.assign(body.begin() + 1, body.begin() + 1 + static_cast<std::ptrdiff_t>(lc));
    if (available == lc + 1) {
        out.le = shortLeValue(body.back());  // case 4S
    }
}

// Body starts with the 00 marker: 00 Le(2) | 00 Lc(2) data [Le(2)].
void parseExtendedBody(ByteView bytes, CommandApdu& out) {
    const ByteView body = bytes.subspan(kHeaderSize);
    if (body.size() < 3) {
        fail("extended length marker 00 without a complete 2-byte length", bytes.size());
    }
    if (body.size() == 3) {
        out.le = extendedLeValue(readExtended(body, 1));  // case 2E
        return;
    }
    const std::size_t lc = readExtended(body, 1);
    if (lc == 0) {
        fail("extended Lc is 0000 but data follows", bytes.size());
    }
    const std::size_t available = body.size() - 3;
    if (available != lc && available != lc + 2) {
        fail("extended Lc " + std::to_string(lc) + " does not match the " +
                 std::to_string(available) + " bytes after it (expected Lc or Lc + 2)",
             bytes.size());
    }
    out.data.assign(body.begin() + 3, body.begin() + 3 + static_cast<std::ptrdiff_t>(lc));
    if (available == lc + 2) {
        out.le = extendedLeValue(readExtended(body, 3 + lc));  // case 4E
    }
}

}  // namespace

bool CommandApdu::isExtended() const {
    return data.size() > kMaxShortLc || (le && *le > kMaxShortLe);
}

Bytes CommandApdu::encode() const {
    validateForEncode(*this);
    Bytes out{cla, ins, p1, p2};
    out.reserve(kHeaderSize + 3 + data.size() + 2);
    if (!isExtended()) {
        if (!data.empty()) {
            out.push_back(static_cast<std::uint8_t>(data.size()));
            out.insert(out.end(), data.begin(), data.end());
        }
        if (le) {
            appendShortLe(out, *le);
        }
        return out;
    }
    // Extended form: a single 00 marker, then 2-byte Lc and/or 2-byte Le.
    out.push_back(kExtendedMarker);
    if (!data.empty()) {
        appendExtendedLength(out, data.size());
        out.insert(out.end(), data.begin(), data.end());
    }
    if (le) {
        appendExtendedLength(out, *le);
    }
    return out;
}

CommandApdu CommandApdu::parse(ByteView bytes) {
    if (bytes.size() < kHeaderSize) {
        fail("shorter than the 4-byte header", bytes.size());
    }
    CommandApdu out;
    out.cla = bytes[0];
    out.ins = bytes[1];
    out.p1 = bytes[2];
    out.p2 = bytes[3];
    if (bytes.size() == kHeaderSize) {
        return out;  // case 1
    }
    // A lone fifth byte is always a short Le (00 = 256); otherwise 00 marks the extended form.
    if (bytes.size() > kHeaderSize + 1 && bytes[kHeaderSize] == kExtendedMarker) {
        parseExtendedBody(bytes, out);
    } else {
        parseShortBody(bytes, out);
    }
    return out;
}

Bytes ResponseApdu::encode() const {
    Bytes out;
    out.reserve(data.size() + 2);
    out.assign(data.begin(), data.end());
    out.push_back(sw1());
    out.push_back(sw2());
    return out;
}

ResponseApdu ResponseApdu::parse(ByteView bytes) {
    if (bytes.size() < 2) {
        throw ApduError("malformed response APDU (" + std::to_string(bytes.size()) +
                        " bytes): missing the 2-byte status word");
    }
    ResponseApdu out;
    const std::size_t dataSize = bytes.size() - 2;
    out.data.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(dataSize));
    out.sw = static_cast<std::uint16_t>(bigEndian(bytes.subspan(dataSize)));
    return out;
}

std::string statusWordHex(std::uint16_t statusWord) {
    return toHex(ByteWriter().u16(statusWord).take());
}

}  // namespace taplink::apdu
