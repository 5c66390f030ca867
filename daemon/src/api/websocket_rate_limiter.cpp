#include "api/websocket_rate_limiter.hpp"

#include <algorithm>

namespace taplink::api {

MessageRateLimiter::MessageRateLimiter(double perSecond, std::size_t burst, std::size_t maxRefused,
                                       Clock::time_point now)
    : perSecond_(perSecond),
      burst_(static_cast<double>(burst)),
      maxRefused_(maxRefused),
      tokens_(burst_),
      last_(now) {}

void MessageRateLimiter::refill(Clock::time_point now) {
    if (now <= last_) {
        return;
    }
    const std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * perSecond_);
    if (tokens_ >= burst_) {
        refused_ = 0;  // the peer kept to the rate long enough to fill the bucket: forgiven
    }
}

MessageRateLimiter::Verdict MessageRateLimiter::admit(Clock::time_point now) {
    refill(now);
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return Verdict::Accept;
    }
    ++refused_;
    return refused_ > maxRefused_ ? Verdict::Close : Verdict::Refuse;
}

}  // namespace taplink::api
