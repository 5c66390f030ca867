// How the server keeps a card number out of its store, log and answers (docs/server.md,
// "Cardholder accounts"): an account names its card by a keyed hash and the last four
// digits; an EC authorization keeps the PAN sealed for the cryptogram checks of its result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"

namespace taplink::server {

// Upper-case hex HMAC-SHA-256(key, PAN digits).
std::string panHash(ByteView key, std::string_view pan);
std::string panLastFour(std::string_view pan);
// "…1234".
std::string maskedPan(std::string_view lastFour);

// AES-256-GCM with a fresh IV, context as associated data: IV || ciphertext || tag. The
// store's sealing of anything secret at rest (a PAN, the TSM's payment keys).
Bytes sealSecret(ByteView key, std::string_view context, ByteView secret);
// nullopt when it does not open (another key, context or altered bytes).
std::optional<Bytes> openSecret(ByteView key, std::string_view context, ByteView sealed);

// sealSecret with the order id as the context.
Bytes sealPan(ByteView key, std::string_view orderId, std::string_view pan);
// nullopt when it does not open (another key, order or altered bytes).
std::optional<std::string> openPan(ByteView key, std::string_view orderId, ByteView sealed);

}  // namespace taplink::server
