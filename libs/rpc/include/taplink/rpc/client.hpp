// A blocking client of taplinkd's Unix socket, for the CLI and other front ends: one call
// at a time, notifications delivered while a call waits, and an event loop for watchers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/unique_fd.hpp"
#include "taplink/rpc/jsonrpc.hpp"
#include "taplink/rpc/line_buffer.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::api {

struct Notification {
    std::string method;
    nlohmann::json params;
};

using NotificationHandler = std::function<void(const Notification&)>;
// Returns false to stop watching.
using EventHandler = std::function<bool(const Notification&)>;

enum class StopReason { Timeout, Interrupted };

struct CallOptions {
    // Notifications that arrive while the call runs (topup.progress, events).
    NotificationHandler onNotification;
    // How long to wait for the answer; none: as long as it takes.
    std::optional<std::chrono::milliseconds> timeout;
    // When readable, the user wants to stop (a self-pipe written by a SIGINT handler).
    int interruptFd = -1;
    // Called once, when the timeout expires or interruptFd becomes readable. True: keep
    // waiting for the answer, with no deadline or interruption from then on. False or
    // unset: give up.
    std::function<bool(StopReason)> onStop;
};

class Client {
  public:
    // Throws DaemonUnavailable when nobody listens at the path.
    static Client connect(const std::string& path);

    // Sends the request and waits for its answer: the result, or ApiError with the daemon's
    // code. Giving up (see CallOptions) closes the connection, which cancels the call on the
    // daemon, and throws ApiError "timeout" or "cancelled". TransportError when the daemon
    // goes away or answers with something that is not JSON-RPC.
    nlohmann::json call(std::string_view method, nlohmann::json params = nlohmann::json::object(),
                        const CallOptions& options = {});

    // Subscribes to the events and hands each to onEvent until it returns false or
    // interruptFd becomes readable. TransportError when the daemon goes away.
    void subscribe(const std::vector<std::string>& events, const EventHandler& onEvent,
                   int interruptFd = -1);

    const std::string& path() const { return path_; }
    bool connected() const { return static_cast<bool>(fd_); }

  private:
    enum class Wait { Message, Timeout, Interrupted };
    using Deadline = std::optional<std::chrono::steady_clock::time_point>;

    Client(std::string path, UniqueFd fd);
    void sendLine(const std::string& line);
    // Waits for the next complete message into `message`.
    Wait receive(nlohmann::json& message, Deadline deadline, int interruptFd);
    bool readMore(Deadline deadline, int interruptFd, Wait& stoppedBy);
    [[noreturn]] void giveUp(StopReason reason);

    std::string path_;
    UniqueFd fd_;
    LineBuffer input_;
    std::int64_t nextId_ = 1;
};

}  // namespace taplink::api
