#include "bcd_fields.hpp"

#include <optional>
#include <string>

#include "taplink/base/byte_reader.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {

namespace {

constexpr std::uint64_t kLastHour = 23;
constexpr std::uint64_t kLastMinute = 59;

bool isTime(std::uint64_t hhmmss) {
    return hhmmss / 10000 <= kLastHour && hhmmss / 100 % 100 <= kLastMinute &&
           hhmmss % 100 <= kLastMinute;
}

}  // namespace

void requireBcdDate(ByteView date, std::size_t size, std::string_view what) {
    requireSize<WireFormatError>(date, size, what);
    // YYYYMMDD ends with YYMMDD, so both are a numeric field whose last 3 bytes are a date.
    if (!taplink::emv::numericValue(date) ||
        !taplink::emv::isDate(date.last(taplink::emv::kDateSize))) {
        throw WireFormatError(std::string(what) + " is not a BCD date: " + toHex(date));
    }
}

void requireBcdTime(ByteView time, std::string_view what) {
    requireSize<WireFormatError>(time, kTimeSize, what);  // topup_wire.hpp: hhmmss
    const std::optional<std::uint64_t> hhmmss = taplink::emv::numericValue(time);
    if (!hhmmss || !isTime(*hhmmss)) {
        throw WireFormatError(std::string(what) + " is not BCD hhmmss: " + toHex(time));
    }
}

}  // namespace taplink::net::wire
