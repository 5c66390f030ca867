// The answer to a signed message for an order another signed message decided already
// (docs/server.md, the result endpoints of the top-up and the EC load): the same bytes again
// are a replay, other bytes a conflict. One rule for device_api.cpp and ecload_api.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "taplink/base/bytes.hpp"

namespace taplink::server {

// An order and the message that decided it.
struct DecidedOrder {
    std::string orderId;
    ByteView message;        // the signed message as received then
    std::string state;       // "settled" or "reversed"
    std::string replayCode;  // "already_settled", "already_reversed"
    nlohmann::json receipt;
};

// Throws ApiError: 409 replayCode with the receipt and "sameResult" for the same bytes, 409
// result_conflict for others.
[[noreturn]] void replayOrConflict(const DecidedOrder& earlier, ByteView message);

}  // namespace taplink::server
