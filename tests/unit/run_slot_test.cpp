// The top-up service's one slot: taken by one at a time, a timed wait gives up, a release wakes
// a waiter.
#include "service/run_slot.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace taplink::service {
namespace {

using namespace std::chrono_literals;

TEST(RunSlot, IsTakenByOneAtATime) {
    RunSlot slot;
    std::unique_lock first(slot, std::try_to_lock);
    ASSERT_TRUE(first.owns_lock());
    EXPECT_FALSE(slot.try_lock());
    EXPECT_FALSE(slot.try_lock_for(10ms));
    first.unlock();
    EXPECT_TRUE(slot.try_lock());
    slot.unlock();
}

TEST(RunSlot, AReleaseWakesAWaiter) {
    RunSlot slot;
    slot.lock();
    std::thread releaser([&slot] {
        std::this_thread::sleep_for(20ms);
        slot.unlock();
    });
    EXPECT_TRUE(slot.try_lock_for(30s));
    releaser.join();
    slot.unlock();
}

}  // namespace
}  // namespace taplink::service
