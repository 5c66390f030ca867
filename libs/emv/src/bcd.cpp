#include "taplink/emv/bcd.hpp"

#include "taplink/base/byte_reader.hpp"
#include "taplink/emv/emv_error.hpp"

namespace taplink::emv {

namespace {

constexpr std::size_t kMaxNumericBytes = 9;  // 18 digits fit in 64 bits
constexpr std::uint64_t kBase = 10;

bool sizeFits(ByteView bytes) {
    return !bytes.empty() && bytes.size() <= kMaxNumericBytes;
}

}  // namespace

Bytes encodeNumeric(std::uint64_t value, std::size_t size) {
    Bytes out(size, 0x00);
    std::uint64_t rest = value;
    for (std::size_t i = size; i-- > 0;) {
        const auto low = static_cast<std::uint8_t>(rest % kBase);
        const auto high = static_cast<std::uint8_t>((rest / kBase) % kBase);
        out[i] = static_cast<std::uint8_t>((high << 4U) | low);
        rest /= kBase * kBase;
    }
    if (rest != 0) {
        throw EmvError(EmvErrorCode::TerminalDataInvalid, std::to_string(value) + " does not fit " +
                                                              std::to_string(size * 2) + " digits");
    }
    return out;
}

std::uint64_t decodeNumeric(ByteView bytes, const std::string& what) {
    if (!sizeFits(bytes)) {
        throw MalformedAnswer(what + ": numeric field of " + std::to_string(bytes.size()) +
                              " bytes");
    }
    const std::optional<std::uint64_t> value = numericValue(bytes);
    if (!value) {
        throw MalformedAnswer(what + ": not a decimal digit in a numeric field");
    }
    return *value;
}

std::optional<std::uint64_t> numericValue(ByteView bytes) {
    if (!sizeFits(bytes)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const std::uint8_t byte : bytes) {
        const unsigned high = byte >> 4U;
        const unsigned low = byte & 0x0FU;
        if (high > 9 || low > 9) {
            return std::nullopt;
        }
        value = (value * kBase + high) * kBase + low;
    }
    return value;
}

Bytes encodeAmount(std::uint64_t amount) {
    return encodeNumeric(amount, kAmountSize);
}

std::uint64_t decodeAmount(ByteView bytes, const std::string& what) {
    requireSize<MalformedAnswer>(bytes, kAmountSize, what);
    return decodeNumeric(bytes, what);
}

bool isDate(ByteView yymmdd) {
    constexpr std::uint64_t kLastMonth = 12;
    constexpr std::uint64_t kLastDay = 31;
    const std::optional<std::uint64_t> value =
        yymmdd.size() == kDateSize ? numericValue(yymmdd) : std::nullopt;
    if (!value) {
        return false;
    }
    const std::uint64_t month = *value / 100 % 100;
    const std::uint64_t day = *value % 100;
    return month >= 1 && month <= kLastMonth && day >= 1 && day <= kLastDay;
}

std::optional<std::uint64_t> dateOrder(ByteView yymmdd) {
    constexpr std::uint64_t kCenturyPivot = 50;  // EMV Book 4 6.7.3
    if (!isDate(yymmdd)) {
        return std::nullopt;
    }
    const std::uint64_t value = *numericValue(yymmdd);
    return (value / 10000 < kCenturyPivot ? 20'000'000 : 19'000'000) + value;
}

}  // namespace taplink::emv
