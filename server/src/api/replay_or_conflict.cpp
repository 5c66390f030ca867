#include "api/replay_or_conflict.hpp"

#include <algorithm>

#include "api/api_error.hpp"

namespace taplink::server {

void replayOrConflict(const DecidedOrder& earlier, ByteView message) {
    // The stored message is public (signed, not secret): a plain comparison is fine.
    if (std::ranges::equal(earlier.message, message)) {
        throw ApiError(409, earlier.replayCode, "order " + earlier.orderId + " is " + earlier.state,
                       {{"receipt", earlier.receipt}, {"sameResult", true}});
    }
    throw ApiError(409, "result_conflict",
                   "order " + earlier.orderId + " was " + earlier.state + " by another message");
}

}  // namespace taplink::server
