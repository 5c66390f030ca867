// Numeric (n) fields, the one place for them (EMV Book 3 4.3): decimal digits two to a
// byte, right-justified, leading digits 0. Amounts are n12 in 6 bytes (9F02, 9F79, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "taplink/base/bytes.hpp"

namespace taplink::emv {

inline constexpr std::size_t kAmountSize = 6;  // n12
inline constexpr std::uint64_t kMaxAmount = 999'999'999'999;

// value as `size` bytes of n; EmvError(TerminalDataInvalid) when it does not fit.
Bytes encodeNumeric(std::uint64_t value, std::size_t size);
// Strict: every nibble 0-9, 1 to 9 bytes; MalformedAnswer naming what otherwise.
std::uint64_t decodeNumeric(ByteView bytes, const std::string& what);
// The same rule for the card side, which answers a status word instead of throwing:
// nullopt where decodeNumeric throws.
std::optional<std::uint64_t> numericValue(ByteView bytes);

Bytes encodeAmount(std::uint64_t amount);
// Exactly 6 bytes of n12.
std::uint64_t decodeAmount(ByteView bytes, const std::string& what);

// A date n6 YYMMDD (9A, 5F24, 5F25): 3 bytes of n, month 01-12, day 01-31.
inline constexpr std::size_t kDateSize = 3;
bool isDate(ByteView yymmdd);
// A number that orders dates, 20YYMMDD or 19YYMMDD (YY 00-49: 20YY, 50-99: 19YY, EMV Book 4
// 6.7.3); nullopt when yymmdd is not isDate.
std::optional<std::uint64_t> dateOrder(ByteView yymmdd);

}  // namespace taplink::emv
