// libs/base's readers of outside bytes: base64 (canonical only), hex, the strict JSON object
// reader and the byte reader. The input is tried as each.
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/strict_json.hpp"

namespace taplink::fuzz {
namespace {

// The caller's own error type, as every user of the strict readers has one.
class Refused : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Only canonical text decodes, so decoding and encoding again gives the text back; and any
// bytes survive encoding and decoding.
void checkBase64(std::string_view text, ByteView bytes) {
    if (const auto decoded = base64Decode(text)) {
        require(base64Encode(*decoded) == text, "base64: decoded text encodes back to itself");
    }
    const auto again = base64Decode(base64Encode(bytes));
    require(again && *again == Bytes(bytes.begin(), bytes.end()), "base64: bytes round trip");
}

std::optional<Bytes> hexOf(std::string_view text) {
    try {
        return fromHex(text);
    } catch (const std::invalid_argument&) {  // fromHex's documented refusal
        return std::nullopt;
    }
}

void checkHex(std::string_view text) {
    if (const auto bytes = hexOf(text)) {
        require(fromHex(toHex(*bytes)) == *bytes, "hex: bytes round trip");
        require(fromHex(toHex(*bytes, true)) == *bytes, "hex: spaced bytes round trip");
    }
}

// Each integer reader gives a value in its range or nothing.
void checkIntegers(const nlohmann::json& value) {
    if (const auto number = unsignedJsonInteger(value, 10, 1000)) {
        require(*number >= 10 && *number <= 1000, "strict JSON: unsigned integer in range");
    }
    if (const auto number = signedJsonInteger(value, -5, 5)) {
        require(*number >= -5 && *number <= 5, "strict JSON: signed integer in range");
    }
}

// A reader of a made-up object: a few optional members of each type, one nested object.
void readObject(JsonObjectReader<DescribedAs<Refused>>& in, int depth) {
    in.optionalString("name");
    in.optionalInteger("count", 0, 255);
    in.optionalSignedInteger("offset", -100, 100);
    in.optionalBoolean("enabled");
    if (depth < 2 && in.has("inner")) {
        auto inner = in.object("inner");
        readObject(inner, depth + 1);
    }
    in.finish();
}

void checkStrictJson(std::string_view text) {
    const auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded()) {
        return;
    }
    checkIntegers(document);
    try {
        JsonObjectReader<DescribedAs<Refused>> in(document, "document");
        readObject(in, 0);
    } catch (const Refused&) {
    }
}

// Fields front to back, each size taken from the input: never past the end.
void checkByteReader(ByteView bytes) {
    ByteReader<Refused> in(bytes, "input");
    try {
        while (!in.atEnd()) {
            const std::size_t before = in.remaining();
            const std::size_t width = in.u8("width") % 9U;
            in.number(width, "number");
            require(in.remaining() == before - 1 - width, "byte reader: exact widths");
        }
    } catch (const Refused&) {
        require(in.remaining() < 9, "byte reader: refuses only a field past the end");
    }
}

void checkInput(ByteView bytes, std::string_view text) {
    checkBase64(text, bytes);
    checkHex(text);
    checkStrictJson(text);
    checkByteReader(bytes);
}

}  // namespace
}  // namespace taplink::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::fuzz::checkInput(taplink::fuzz::bytesOf(data, size),
                              taplink::fuzz::textOf(data, size));
    return 0;
}
