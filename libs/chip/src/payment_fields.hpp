// Field helpers shared by the purchase layouts (payment_protocol.cpp, payment_seal.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::chip::pay::fields {

Bytes encodeAll(const std::vector<tlv::Tlv>& objects);
// The value of the top-level object with this tag; PurchaseFormatError when absent.
const Bytes& requiredValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                           const std::string& what);
// The same, of exactly size bytes.
const Bytes& sizedValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag, std::size_t size,
                        const std::string& what);
// The six request objects (9F02, 5F2A, 9A, 9C, 4F, DF21) of a list, checked.
PurchaseRequest requestOf(const std::vector<tlv::Tlv>& objects, const std::string& what);

}  // namespace taplink::chip::pay::fields
