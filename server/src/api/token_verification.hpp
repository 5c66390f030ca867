// The bank's side of the payment applet's dynamic token (docs/server.md, "Dynamic token
// verification"): the code a chip gave for a challenge, checked with the token seed the TSM
// personalised, over a look-ahead window of the chip's counter, and accepted once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/server_store.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::server {

// RFC 4226 7.4: the look-ahead window s. The chip's counter moves on with every code it
// gives, also for codes the person never submits; 10 such codes are forgiven.
inline constexpr std::uint64_t kTokenWindow = 10;

// The counter the code was made with, now recorded as accepted; nullopt when no counter in
// [the last accepted + 1 (0 before the first), + kTokenWindow) gives code for challenge, or
// another request accepted it first (a replay). challenge and code must be 8 digits.
std::optional<std::uint64_t> verifyToken(ServerStore& store, ByteView tokenSeed,
                                         const std::string& chipSerial, std::string_view challenge,
                                         std::string_view code);

}  // namespace taplink::server
