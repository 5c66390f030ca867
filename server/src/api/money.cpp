#include "api/money.hpp"

#include <algorithm>
#include <limits>

namespace taplink::server {

namespace {
bool allDigits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::optional<std::uint32_t> parseYuan(std::string_view text) {
    constexpr std::size_t kMaxYuanDigits = 8;  // 99 999 999.99 yuan still fits in 2^32 fen
    const auto dot = text.find('.');
    const std::string_view yuan = text.substr(0, dot);
    const std::string_view decimals =
        dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (yuan.empty() || yuan.size() > kMaxYuanDigits || !allDigits(yuan) ||
        (dot != std::string_view::npos && (decimals.empty() || decimals.size() > 2)) ||
        !allDigits(decimals)) {
        return std::nullopt;
    }
    std::uint64_t fen = 0;
    for (const char digit : yuan) {
        fen = fen * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    fen *= 100;
    if (!decimals.empty()) {
        fen += static_cast<std::uint64_t>(decimals[0] - '0') * 10;
    }
    if (decimals.size() == 2) {
        fen += static_cast<std::uint64_t>(decimals[1] - '0');
    }
    if (fen > std::numeric_limits<std::uint32_t>::max()) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(fen);
}

std::string formatYuan(std::uint64_t fen) {
    const std::uint64_t cents = fen % 100;
    return std::to_string(fen / 100) + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

}  // namespace taplink::server
