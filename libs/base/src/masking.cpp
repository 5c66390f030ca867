#include "taplink/base/masking.hpp"

namespace taplink {

namespace {
constexpr std::string_view kEllipsis = "\u2026";
constexpr std::size_t kVisibleDigits = 4;
}  // namespace

std::string maskSerial(std::string_view digits) {
    if (digits.starts_with(kEllipsis)) {
        return std::string(digits);
    }
    if (digits.size() > kVisibleDigits) {
        digits = digits.substr(digits.size() - kVisibleDigits);
    }
    return std::string(kEllipsis) + std::string(digits);
}

std::string maskSerial(ByteView serial) {
    return maskSerial(std::string_view(toHex(serial)));
}

}  // namespace taplink
