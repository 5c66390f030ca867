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

// Owner: a program of the user's own (CLI, GUI) on the Unix socket, with the whole API.
// Web: a web page, through the WebSocket or through taplink-nm (native messaging); it reaches
// only the methods registered with Access::Web, and only once its origin is allowed.
enum class Caller { Owner, Web };

// Who is calling, as the transport established it (never as the peer claims).
struct Peer {
    Peer() = default;
    explicit Peer(std::string transportName) : transport(std::move(transportName)) {}

    std::string transport;  // "unix", "websocket" or "native-messaging"
    pid_t pid = -1;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    Caller caller = Caller::Owner;
    std::string origin;       // web callers: the page's origin, as the browser reported it
    std::string extensionId;  // native messaging: the extension taplink-nm was started for
};

// What the user decided about a web caller's origin for this connection (see
// app/web_access.hpp); an origin on the allow-list needs no decision.
enum class OriginVerdict { Undecided, Approved, Denied };

class Session {
  public:
    explicit Session(Peer peer) : peer_(std::move(peer)) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    virtual ~Session() = default;

    const Peer& peer() const { return peer_; }
    bool isWeb() const { return peer_.caller == Caller::Web; }

    // Turns an owner connection into a web caller's (session.hello from taplink-nm). Only
    // the transport's I/O thread may call it, before it dispatches any call of the session.
    void becomeWebCaller(std::string transport, std::string origin, std::string extensionId);

    OriginVerdict originVerdict() const;
    // Records the decision and returns the one that holds: a refusal is final, so a later
    // approval on the same connection cannot undo it.
    OriginVerdict setOriginVerdict(OriginVerdict verdict);

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
    // True after cancelCalls(): nothing sent to the session reaches anybody any more.
    bool isGone() const;

  private:
    std::vector<std::string> subscribedLocked() const;

    Peer peer_;
    mutable std::mutex mutex_;
    std::set<std::string, std::less<>> events_;
    std::map<std::uint64_t, std::stop_source> calls_;
    std::uint64_t nextCall_ = 0;
    bool cancelled_ = false;
    OriginVerdict originVerdict_ = OriginVerdict::Undecided;
};

}  // namespace taplink::api
