// The per-connection token bucket, on a made-up clock.
#include <gtest/gtest.h>

#include "api/websocket_rate_limiter.hpp"

namespace taplink::api {
namespace {

using Verdict = MessageRateLimiter::Verdict;
using std::chrono::milliseconds;

constexpr MessageRateLimiter::Clock::time_point kStart{};

TEST(MessageRateLimiter, AcceptsABurstThenRefuses) {
    MessageRateLimiter limiter(10, 3, 100, kStart);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(limiter.admit(kStart), Verdict::Accept) << i;
    }
    EXPECT_EQ(limiter.admit(kStart), Verdict::Refuse);
}

TEST(MessageRateLimiter, RefillsAtTheRate) {
    MessageRateLimiter limiter(10, 1, 100, kStart);
    EXPECT_EQ(limiter.admit(kStart), Verdict::Accept);
    EXPECT_EQ(limiter.admit(kStart + milliseconds(50)), Verdict::Refuse);  // half a token
    EXPECT_EQ(limiter.admit(kStart + milliseconds(100)), Verdict::Accept);
    EXPECT_EQ(limiter.admit(kStart + milliseconds(100)), Verdict::Refuse);
}

TEST(MessageRateLimiter, NeverHoldsMoreThanTheBurst) {
    MessageRateLimiter limiter(10, 2, 100, kStart);
    const auto later = kStart + std::chrono::hours(1);
    EXPECT_EQ(limiter.admit(later), Verdict::Accept);
    EXPECT_EQ(limiter.admit(later), Verdict::Accept);
    EXPECT_EQ(limiter.admit(later), Verdict::Refuse);
}

TEST(MessageRateLimiter, ClosesAPeerThatKeepsFlooding) {
    MessageRateLimiter limiter(1, 1, 3, kStart);
    EXPECT_EQ(limiter.admit(kStart), Verdict::Accept);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(limiter.admit(kStart), Verdict::Refuse) << i;
    }
    EXPECT_EQ(limiter.admit(kStart), Verdict::Close);
}

TEST(MessageRateLimiter, ForgivesRefusalsOnceTheBucketIsFullAgain) {
    MessageRateLimiter limiter(1, 2, 3, kStart);
    EXPECT_EQ(limiter.admit(kStart), Verdict::Accept);
    EXPECT_EQ(limiter.admit(kStart), Verdict::Accept);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(limiter.admit(kStart), Verdict::Refuse) << i;
    }
    // A token back is not enough: the refusals still count.
    const auto oneSecond = kStart + std::chrono::seconds(1);
    EXPECT_EQ(limiter.admit(oneSecond), Verdict::Accept);
    // Quiet long enough to fill the bucket: a fresh start.
    const auto calm = oneSecond + std::chrono::seconds(2);
    EXPECT_EQ(limiter.admit(calm), Verdict::Accept);
    EXPECT_EQ(limiter.admit(calm), Verdict::Accept);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(limiter.admit(calm), Verdict::Refuse) << i;
    }
    EXPECT_EQ(limiter.admit(calm), Verdict::Close);
}

}  // namespace
}  // namespace taplink::api
