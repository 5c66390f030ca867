// The host side of the TSM's SCP03 sessions (libs/gp HostChannel), in memory only: a job's
// host challenge from its open, then its channel from authenticate until its result. Keyed
// by job id, at most kMaxSessions (the oldest goes first), each dropped on its result or
// kLifetime after its open. A restarted server has none: the device's next run of the job
// opens a new session. A run is told apart from a later run of the same job by its host
// challenge: a stale run cannot store its channel into the new run's session.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::server {

class TsmSessions {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kMaxSessions = 256;
    static constexpr std::chrono::minutes kLifetime{5};

    // A new session of the job with this host challenge (any earlier one is dropped).
    void open(const std::string& jobId, Bytes hostChallenge, Clock::time_point now = Clock::now());
    // The host challenge of the job's live session.
    std::optional<Bytes> challenge(const std::string& jobId, Clock::time_point now = Clock::now());
    // The job's channel after its handshake with hostChallenge, kept for its result; false
    // (nothing kept) when the session is gone or now belongs to another open of the job.
    bool keep(const std::string& jobId, ByteView hostChallenge, gp::HostChannel channel,
              Clock::time_point now = Clock::now());
    // Ends the job's session; its channel when it had one and is live.
    std::optional<gp::HostChannel> take(const std::string& jobId,
                                        Clock::time_point now = Clock::now());
    std::size_t size() const;

  private:
    struct Session {
        Bytes hostChallenge;
        std::optional<gp::HostChannel> channel;
        Clock::time_point expires;
        std::uint64_t order = 0;  // for dropping the oldest
    };
    void dropExpired(Clock::time_point now);
    void makeRoom();

    mutable std::mutex mutex_;
    std::map<std::string, Session, std::less<>> sessions_;
    std::uint64_t opened_ = 0;
};

}  // namespace taplink::server
