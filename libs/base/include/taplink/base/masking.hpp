// The one way a card serial is shown to a person, an API client or a log: "…0042", only
// the last four digits (docs/api.md "Methods": serials are only ever sent masked).
#pragma once

#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink {

// Masks serial digits; digits that are masked already come back as they are.
std::string maskSerial(std::string_view digits);
// Masks a serial given as bytes (its upper-case hex digits).
std::string maskSerial(ByteView serial);

}  // namespace taplink
