// An ApduChannel that adds the time each exchange takes to a counter and counts the
// commands: how a top-up or an EC load splits its latency between the card, the chip, the
// server and the daemon itself (the benchmark, topup.start's and ecload.start's "timings",
// ecload.start's "cardApdus").
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "taplink/apdu/apdu_channel.hpp"

namespace taplink::service {

using Nanos = std::atomic<std::int64_t>;

// Adds the time from construction to destruction to the counter.
class ScopedTimer {
  public:
    explicit ScopedTimer(Nanos& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    ~ScopedTimer() {
        total_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - start_)
                      .count();
    }
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;

  private:
    Nanos& total_;
    std::chrono::steady_clock::time_point start_;
};

class TimedChannel : public apdu::ApduChannel {
  public:
    TimedChannel(apdu::ApduChannel& channel, Nanos& total) : channel_(channel), total_(total) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        const ScopedTimer timer(total_);
        ++commands_;
        return channel_.transmit(command);
    }
    // Commands sent through this channel, answered or not.
    std::uint32_t commands() const { return commands_; }

  private:
    apdu::ApduChannel& channel_;
    Nanos& total_;
    std::uint32_t commands_ = 0;
};

}  // namespace taplink::service
