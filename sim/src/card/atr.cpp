#include "card/atr.hpp"

#include <stdexcept>

namespace taplink::sim {

namespace {
constexpr std::uint8_t kDirectConvention = 0x3B;
constexpr std::size_t kMaxHistorical = 15;

void requireHistoricalFits(ByteView historical) {
    if (historical.size() > kMaxHistorical) {
        throw std::invalid_argument("an ATR holds at most 15 historical bytes");
    }
}
}  // namespace

Bytes atrT0(ByteView historical) {
    requireHistoricalFits(historical);
    Bytes atr{kDirectConvention, static_cast<std::uint8_t>(historical.size())};
    atr.insert(atr.end(), historical.begin(), historical.end());
    return atr;
}

Bytes atrT1(ByteView historical) {
    requireHistoricalFits(historical);
    Bytes atr{kDirectConvention,
              static_cast<std::uint8_t>(0x80U | historical.size()),  // T0: TD1 follows
              0x81,                                                  // TD1: TD2 follows, T=1
              0x31,                                                  // TD2: TA3 and TB3 follow, T=1
              0xFE,                                                  // TA3: IFSC 254
              0x45};                                                 // TB3: BWI 4, CWI 5
    atr.insert(atr.end(), historical.begin(), historical.end());
    std::uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) {
        tck ^= atr[i];  // TCK: XOR of T0 .. last historical byte is 0 with TCK
    }
    atr.push_back(tck);
    return atr;
}

Bytes historicalBytes(std::string_view text) {
    constexpr std::size_t kMaxText = 10;  // 15 historical bytes - indicator, tag, status
    if (text.size() > kMaxText) {
        throw std::invalid_argument("historical text holds at most 10 bytes");
    }
    Bytes bytes;
    bytes.reserve(text.size() + 5);
    bytes.push_back(0x00);  // category indicator: COMPACT-TLV objects, then a status indicator
    if (!text.empty()) {
        bytes.push_back(static_cast<std::uint8_t>(0x50U | text.size()));  // tag 5: issuer's data
        bytes.insert(bytes.end(), text.begin(), text.end());
    }
    bytes.insert(bytes.end(), {0x00, 0x90, 0x00});  // LCS 00, SW 9000
    return bytes;
}

}  // namespace taplink::sim
