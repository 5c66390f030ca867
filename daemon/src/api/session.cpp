#include "api/session.hpp"

namespace taplink::api {

void Session::becomeWebCaller(std::string transport, std::string origin, std::string extensionId) {
    peer_.caller = Caller::Web;
    peer_.transport = std::move(transport);
    peer_.origin = std::move(origin);
    peer_.extensionId = std::move(extensionId);
}

OriginVerdict Session::originVerdict() const {
    const std::lock_guard lock(mutex_);
    return originVerdict_;
}

OriginVerdict Session::setOriginVerdict(OriginVerdict verdict) {
    const std::lock_guard lock(mutex_);
    if (originVerdict_ != OriginVerdict::Denied) {
        originVerdict_ = verdict;
    }
    return originVerdict_;
}

bool Session::isGone() const {
    const std::lock_guard lock(mutex_);
    return cancelled_;
}

std::vector<std::string> Session::subscribe(std::span<const std::string> events) {
    const std::lock_guard lock(mutex_);
    events_.insert(events.begin(), events.end());
    return subscribedLocked();
}

std::vector<std::string> Session::unsubscribe(std::span<const std::string> events) {
    const std::lock_guard lock(mutex_);
    for (const auto& event : events) {
        events_.erase(event);
    }
    return subscribedLocked();
}

std::vector<std::string> Session::unsubscribeAll() {
    const std::lock_guard lock(mutex_);
    events_.clear();
    return {};
}

bool Session::isSubscribed(std::string_view event) const {
    const std::lock_guard lock(mutex_);
    return events_.find(event) != events_.end();
}

std::vector<std::string> Session::subscribedLocked() const {
    return {events_.begin(), events_.end()};
}

std::uint64_t Session::registerCall(std::stop_source stop) {
    const std::lock_guard lock(mutex_);
    if (cancelled_) {
        stop.request_stop();
    }
    const std::uint64_t call = nextCall_++;
    calls_.emplace(call, std::move(stop));
    return call;
}

void Session::unregisterCall(std::uint64_t call) {
    const std::lock_guard lock(mutex_);
    calls_.erase(call);
}

std::size_t Session::callsInFlight() const {
    const std::lock_guard lock(mutex_);
    return calls_.size();
}

void Session::cancelCalls() {
    std::vector<std::stop_source> toStop;
    {
        const std::lock_guard lock(mutex_);
        cancelled_ = true;
        for (const auto& [call, stop] : calls_) {
            toStop.push_back(stop);
        }
    }
    // Outside the lock: stop callbacks run here, and may send or look at the session.
    for (auto& stop : toStop) {
        stop.request_stop();
    }
}

}  // namespace taplink::api
