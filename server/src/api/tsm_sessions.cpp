#include "api/tsm_sessions.hpp"

#include <algorithm>

namespace taplink::server {

void TsmSessions::dropExpired(Clock::time_point now) {
    std::erase_if(sessions_, [now](const auto& entry) { return entry.second.expires <= now; });
}

void TsmSessions::makeRoom() {
    while (sessions_.size() >= kMaxSessions) {
        const auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
        sessions_.erase(oldest);
    }
}

void TsmSessions::open(const std::string& jobId, Bytes hostChallenge, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    dropExpired(now);
    sessions_.erase(jobId);
    makeRoom();
    sessions_.emplace(jobId,
                      Session{std::move(hostChallenge), std::nullopt, now + kLifetime, ++opened_});
}

std::optional<Bytes> TsmSessions::challenge(const std::string& jobId, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    dropExpired(now);
    const auto found = sessions_.find(jobId);
    if (found == sessions_.end()) {
        return std::nullopt;
    }
    return found->second.hostChallenge;
}

bool TsmSessions::keep(const std::string& jobId, ByteView hostChallenge, gp::HostChannel channel,
                       Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    dropExpired(now);
    const auto found = sessions_.find(jobId);
    if (found == sessions_.end() || found->second.channel ||
        !std::equal(hostChallenge.begin(), hostChallenge.end(), found->second.hostChallenge.begin(),
                    found->second.hostChallenge.end())) {
        return false;
    }
    found->second.channel = std::move(channel);
    return true;
}

std::optional<gp::HostChannel> TsmSessions::take(const std::string& jobId, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    dropExpired(now);
    const auto found = sessions_.find(jobId);
    if (found == sessions_.end()) {
        return std::nullopt;
    }
    std::optional<gp::HostChannel> channel = std::move(found->second.channel);
    sessions_.erase(found);
    return channel;
}

std::size_t TsmSessions::size() const {
    const std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace taplink::server
