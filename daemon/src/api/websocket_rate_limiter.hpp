// The per-connection message rate limit of the WebSocket: a token bucket (burst tokens,
// refilled at messagesPerSecond) and a count of the messages it refused, so that a peer that
// keeps flooding is dropped rather than answered forever. Time is passed in, so that tests
// need no clock.
#pragma once

#include <chrono>
#include <cstddef>

namespace taplink::api {

class MessageRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    enum class Verdict {
        Accept,  // run the message
        Refuse,  // answer it with error rate_limited
        Close,   // more than maxRefused refused since the bucket was last full: drop the peer
    };

    // Starts full. perSecond > 0, burst >= 1 (the server checks its options).
    MessageRateLimiter(double perSecond, std::size_t burst, std::size_t maxRefused,
                       Clock::time_point now);

    Verdict admit(Clock::time_point now);

  private:
    void refill(Clock::time_point now);

    double perSecond_;
    double burst_;
    std::size_t maxRefused_;
    double tokens_;
    std::size_t refused_ = 0;
    Clock::time_point last_;
};

}  // namespace taplink::api
