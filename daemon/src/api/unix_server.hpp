// taplinkd's owner-only Unix-socket transport: one JSON-RPC 2.0 message per '\n'-terminated
// line (docs/api.md). One I/O thread accepts, reads and writes (non-blocking); each request
// runs on a worker thread so a long call never holds up another, on the same connection or
// on others; a connection's replies and notifications are queued and written in order.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "taplink/rpc/socket_path.hpp"

namespace taplink::api {

class WebCallLimit;

struct UnixServerOptions {
    std::string socketPath = defaultSocketPath();
    std::size_t maxConnections = 32;
    // Of maxConnections, what web pages' connections (taplink-nm's, after session.hello)
    // never take, so that the user's own programs always get in (a reserve of all of them
    // leaves web pages none); and each origin's share of the rest. More: session.hello is
    // answered busy and the connection closed.
    std::size_t ownerReserved = 8;
    std::size_t maxWebConnectionsPerOrigin = 8;
    std::size_t maxMessageBytes = std::size_t{1} << 20;  // longer: -32600, connection closed
    std::size_t maxCallsPerConnection = 8;               // more at once: error "busy"
    std::size_t maxWorkers = 64;                         // calls in flight, all connections
    std::size_t maxQueuedBytes = std::size_t{16} << 20;  // a peer that reads no more: dropped
    log::Sink log = log::processSink();                  // refused peers, I/O failures
    std::shared_ptr<WebCallLimit> webCalls;  // taplink-nm's calls: see CallAdmissionOptions
};

class UnixServer {
  public:
    // Sets up the socket (see listening_socket.hpp) and serves on threads of its own until
    // stop(). Throws TransportError (already running, unsafe folder, ...). The dispatcher
    // must outlive the server.
    explicit UnixServer(Dispatcher& dispatcher, UnixServerOptions options = {});
    UnixServer(const UnixServer&) = delete;
    UnixServer& operator=(const UnixServer&) = delete;
    ~UnixServer();

    // Stops accepting, cancels every call in flight (their CallContext::cancelled() turns
    // true), waits for the handlers to return, writes what it can of their replies, closes
    // every connection and removes the socket file. Handlers must honour cancellation; do
    // not call stop() from a handler. Idempotent.
    void stop();

    // Sends the event notification to every connection subscribed to it. Any thread.
    void broadcast(std::string_view event, const nlohmann::json& params);

    const std::string& socketPath() const;
    // Connections open right now.
    std::size_t connectionCount() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace taplink::api
