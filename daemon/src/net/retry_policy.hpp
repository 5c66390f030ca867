// When and how long to wait before trying a request to the server again.
#pragma once

#include <chrono>

namespace taplink::net {

struct RetryPolicy {
    int maxAttempts = 4;  // including the first
    std::chrono::milliseconds initialBackoff{250};
    std::chrono::milliseconds maxBackoff{4000};

    // Wait before attempt `attempt` (2, 3, ...): initialBackoff doubled each time, capped,
    // with up to a quarter of random jitter taken off so that many kiosks do not retry in
    // step after a server restart.
    std::chrono::milliseconds backoffBefore(int attempt) const;
};

}  // namespace taplink::net
