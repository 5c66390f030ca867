// A cardholder account's purchase PIN (docs/server.md, "Purchase (acquirer and issuer)"):
// the server keeps only a keyed hash, bound to the account, never the PIN.
#pragma once

#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::server {

// Upper-case hex HMAC-SHA-256(key, account id || ":" || PIN).
std::string pinHash(ByteView key, std::string_view accountId, std::string_view pin);

}  // namespace taplink::server
