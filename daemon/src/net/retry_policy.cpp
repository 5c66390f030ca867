#include "net/retry_policy.hpp"

#include <algorithm>
#include <random>

namespace taplink::net {

std::chrono::milliseconds RetryPolicy::backoffBefore(int attempt) const {
    if (attempt <= 1) {
        return std::chrono::milliseconds{0};
    }
    std::chrono::milliseconds wait = initialBackoff;
    for (int i = 2; i < attempt && wait < maxBackoff; ++i) {
        wait *= 2;
    }
    wait = std::min(wait, maxBackoff);
    thread_local std::minstd_rand jitterSource{std::random_device{}()};
    std::uniform_int_distribution<long long> jitter(0, wait.count() / 4);
    return wait - std::chrono::milliseconds{jitter(jitterSource)};
}

}  // namespace taplink::net
