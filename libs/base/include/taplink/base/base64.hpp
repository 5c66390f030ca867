// Standard base64 (RFC 4648 section 4, with padding) through OpenSSL's EVP encoder, with a
// strict check first: OpenSSL's decoder alone accepts whitespace and non-canonical input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink {

std::string base64Encode(ByteView bytes);

// nullopt unless text is canonical base64: alphabet A-Z a-z 0-9 + /, length a multiple of
// four, padding only at the end, unused bits zero.
std::optional<Bytes> base64Decode(std::string_view text);

}  // namespace taplink
