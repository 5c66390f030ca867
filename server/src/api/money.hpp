// Amounts as the operator writes them: decimal yuan with at most two decimals ("50", "50.5",
// "50.00"); the server works in fen (1/100 yuan).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace taplink::server {

// nullopt for anything else: signs, blanks, exponents, a third decimal, more than 2^32-1 fen.
std::optional<std::uint32_t> parseYuan(std::string_view text);
// "50.00" for 5000.
std::string formatYuan(std::uint64_t fen);

}  // namespace taplink::server
