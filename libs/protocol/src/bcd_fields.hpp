// The BCD date and time fields of the signed result messages (TLR1 in topup_wire.cpp, TLE1
// and TLX1 in ecload_wire.cpp), read as numeric (n) fields the way libs/emv reads them
// (EMV Book 3 4.3): one rule for both wire files.
#pragma once

#include <cstddef>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::net::wire {

// BCD YYYYMMDD (4 bytes, TLR1) or YYMMDD (3 bytes, 9A in TLE1/TLX1), month 01-12, day 01-31.
// WireFormatError naming what otherwise.
void requireBcdDate(ByteView date, std::size_t size, std::string_view what);
// BCD hhmmss (3 bytes, 9F21), hh 00-23, mm and ss 00-59.
void requireBcdTime(ByteView time, std::string_view what);

}  // namespace taplink::net::wire
