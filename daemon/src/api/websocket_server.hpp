// taplinkd's WebSocket transport for web pages (docs/websocket.md): the same JSON-RPC 2.0 API
// as the Unix socket, one message per text frame, on 127.0.0.1 and ::1 only. Every
// connection is a web caller (Peer::caller Web, origin = the handshake's Origin header): it
// reaches only the methods registered with Access::Web, each call through the dispatcher's
// CallerGate. A connection from a process of another user (the peer socket's uid, see
// api/peer_uid.hpp) is closed before a byte is read; the handshake is refused (HTTP 403)
// unless Host is a loopback name and Origin is a well-formed origin. One lws service thread does
// all the I/O; each request runs on a worker thread; a connection's replies and notifications are
// written in order.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/dispatcher.hpp"
#include "api/websocket_checks.hpp"

namespace taplink::api {

// The WebSocket subprotocol a client may offer (Sec-WebSocket-Protocol); optional.
inline constexpr std::string_view kWebSocketSubprotocol = "taplink.v1";
// taplinkd's default port (taplinkd.json web.websocket.port).
inline constexpr std::uint16_t kDefaultWebSocketPort = 47631;

class WebCallLimit;

struct WebSocketServerOptions {
    std::uint16_t port = kDefaultWebSocketPort;  // 0: any free port (tests); port() tells which
    std::size_t maxMessageBytes = std::size_t{64} * 1024;  // bigger: close 1009
    double messagesPerSecond = 20;  // token bucket per connection: over it, error rate_limited
    std::size_t burst = 40;
    std::chrono::seconds pingInterval{30};  // a connection silent this long is pinged
    std::chrono::seconds idleTimeout{120};  // one silent this long (no pong) is closed
    // Upgraded connections; more: the handshake gets HTTP 503. Sockets of any state are
    // capped at this plus kPendingHandshakes (api/file_limit.hpp): past that no more are
    // accepted until one closes, and one that has not upgraded within 5 s is closed.
    std::size_t maxConnections = 64;
    ConnectionShares shares;  // of maxConnections, per origin and domain; more: HTTP 503
    std::size_t maxCallsPerConnection = 8;               // more at once: error busy
    std::size_t maxWorkers = 64;                         // calls in flight, all connections
    std::size_t maxQueuedBytes = std::size_t{16} << 20;  // a peer that reads no more: dropped
    // Only sockets of this user may connect (taplinkd's own; a test names another to see
    // the refusal). A peer whose uid cannot be found is refused too.
    uid_t allowedUid = ::geteuid();
    log::Sink log =
        log::processSink();  // refused handshakes, dropped peers; never message contents
    std::shared_ptr<WebCallLimit> webCalls;  // see CallAdmissionOptions
};

class WebSocketServer {
  public:
    // Listens on 127.0.0.1 and ::1 (logs and goes on with 127.0.0.1 alone when the host has
    // no IPv6 loopback) and serves on a thread of its own until stop(). Throws TransportError
    // when it cannot listen (port taken, ...) or the options make no sense. The dispatcher
    // must outlive the server.
    WebSocketServer(Dispatcher& dispatcher, WebSocketServerOptions options);
    WebSocketServer(const WebSocketServer&) = delete;
    WebSocketServer& operator=(const WebSocketServer&) = delete;
    ~WebSocketServer();

    // Stops accepting, cancels every call in flight, waits for the handlers to return,
    // writes what it can of their replies and closes every connection (1001). Do not call
    // it from a handler. Idempotent.
    void stop();

    // Sends the event notification to every connection subscribed to it. Any thread.
    void broadcast(std::string_view event, const nlohmann::json& params);

    std::uint16_t port() const;
    // True when it also listens on ::1.
    bool listensOnIpv6() const;
    // Connections open right now (handshake done).
    std::size_t connectionCount() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace taplink::api
