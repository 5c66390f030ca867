// One client connection as the dispatcher sees it, whatever the transport: who the peer is,
// a way to send it messages, the events it subscribed to and the calls it has running (so
// that a disconnect cancels them). Thread-safe: calls run on worker threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace taplink::api {

// Who is calling, as the transport established it (never as the peer claims).
struct Peer {
    std::string transport;  // "unix"
    pid_t pid = -1;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
};

class Session {
  public:
    explicit Session(Peer peer) : peer_(std::move(peer)) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    virtual ~Session() = default;

    const Peer& peer() const { return peer_; }

    // Queues one message for the peer and returns at once; dropped when the connection is
    // gone. Messages arrive in the order they were sent.
    virtual void send(const nlohmann::json& message) = 0;

    // Event subscriptions; each returns every event subscribed to afterwards, sorted.
    std::vector<std::string> subscribe(std::span<const std::string> events);
    std::vector<std::string> unsubscribe(std::span<const std::string> events);
    std::vector<std::string> unsubscribeAll();
    bool isSubscribed(std::string_view event) const;

    // Calls in flight. A call registered after cancelCalls() starts out cancelled.
    std::uint64_t registerCall(std::stop_source stop);
    void unregisterCall(std::uint64_t call);
    std::size_t callsInFlight() const;
    // The peer disconnected or the server stops: every call's stop token fires.
    void cancelCalls();

  private:
    std::vector<std::string> subscribedLocked() const;

    Peer peer_;
    mutable std::mutex mutex_;
    std::set<std::string, std::less<>> events_;
    std::map<std::uint64_t, std::stop_source> calls_;
    std::uint64_t nextCall_ = 0;
    bool cancelled_ = false;
};

}  // namespace taplink::api
