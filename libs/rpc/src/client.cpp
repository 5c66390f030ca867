#include "taplink/rpc/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "taplink/protocol/api_names.hpp"

namespace taplink::api {

namespace {

// Replies can be larger than requests (a long history); still bounded.
constexpr std::size_t kMaxReply = std::size_t{16} << 20;

DaemonUnavailable::Reason reasonFor(int error) {
    switch (error) {
        case ENOENT:
        case ENOTDIR:
            return DaemonUnavailable::Reason::NoSocket;
        case ECONNREFUSED:
            return DaemonUnavailable::Reason::Refused;
        case EACCES:
        case EPERM:
            return DaemonUnavailable::Reason::PermissionDenied;
        default:
            return DaemonUnavailable::Reason::Other;
    }
}

bool isNotification(const nlohmann::json& message) {
    const auto method = message.find("method");
    return method != message.end() && method->is_string() && !message.contains("id");
}

Notification notificationFrom(const nlohmann::json& message) {
    return Notification{message["method"].get<std::string>(),
                        message.value("params", nlohmann::json::object())};
}

nlohmann::json resultOf(const nlohmann::json& reply) {
    if (const auto error = reply.find("error"); error != reply.end()) {
        throw apiErrorFromReply(*error);
    }
    if (const auto result = reply.find("result"); result != reply.end()) {
        return *result;
    }
    throw TransportError("taplinkd sent a reply with neither result nor error");
}

int millisecondsUntil(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

}  // namespace

Client Client::connect(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        throw DaemonUnavailable(DaemonUnavailable::Reason::Other, path,
                                "socket path too long: " + path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd ||
        ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        throw DaemonUnavailable(reasonFor(error), path,
                                "cannot connect to taplinkd at " + path + ": " +
                                    std::generic_category().message(error));
    }
    return Client(path, std::move(fd));
}

Client::Client(std::string path, UniqueFd fd)
    : path_(std::move(path)), fd_(std::move(fd)), input_(kMaxReply) {}

nlohmann::json Client::call(std::string_view method, nlohmann::json params,
                            const CallOptions& options) {
    const std::int64_t id = nextId_++;
    if (params.is_null()) {
        params = nlohmann::json::object();  // what `{}` makes of a json argument
    }
    sendLine(toLine(
        {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}));
    Deadline deadline;
    if (options.timeout) {
        deadline = std::chrono::steady_clock::now() + *options.timeout;
    }
    int interruptFd = options.interruptFd;
    for (;;) {
        nlohmann::json message;
        const Wait wait = receive(message, deadline, interruptFd);
        if (wait != Wait::Message) {
            const auto reason =
                wait == Wait::Timeout ? StopReason::Timeout : StopReason::Interrupted;
            if (options.onStop && options.onStop(reason)) {
                deadline.reset();
                interruptFd = -1;
                continue;
            }
            giveUp(reason);
        }
        if (isNotification(message)) {
            if (options.onNotification) {
                options.onNotification(notificationFrom(message));
            }
            continue;
        }
        const auto replyId = message.find("id");
        if (replyId != message.end() && *replyId == id) {
            return resultOf(message);
        }
        if (replyId != message.end() && replyId->is_null() && message.contains("error")) {
            // Refused before our request was read (too many connections, oversized).
            return resultOf(message);
        }
        throw TransportError("taplinkd sent an unexpected message: " + message.dump());
    }
}

void Client::subscribe(const std::vector<std::string>& events, const EventHandler& onEvent,
                       int interruptFd) {
    bool watching = true;
    // Events can arrive before the subscription's own reply.
    CallOptions options;
    options.onNotification = [&](const Notification& event) {
        watching = watching && onEvent(event);
    };
    call(method::kEventsSubscribe, {{"events", events}}, options);
    while (watching) {
        nlohmann::json message;
        if (receive(message, std::nullopt, interruptFd) != Wait::Message) {
            return;
        }
        if (isNotification(message)) {
            watching = onEvent(notificationFrom(message));
        }
    }
}

void Client::sendLine(const std::string& line) {
    if (!fd_) {
        throw TransportError("not connected to taplinkd");
    }
    if (!writeAll(fd_.get(), line)) {
        fd_.reset();
        throw TransportError("taplinkd closed the connection");
    }
}

Client::Wait Client::receive(nlohmann::json& message, Deadline deadline, int interruptFd) {
    for (;;) {
        if (auto line = input_.next()) {
            if (line->empty()) {
                continue;
            }
            message = nlohmann::json::parse(*line, nullptr, false);
            if (message.is_discarded() || !message.is_object()) {
                throw TransportError("taplinkd sent something that is not a JSON-RPC message");
            }
            return Wait::Message;
        }
        if (input_.overflowed()) {
            throw TransportError("taplinkd sent a message longer than " +
                                 std::to_string(kMaxReply) + " bytes");
        }
        Wait stoppedBy = Wait::Message;
        if (!readMore(deadline, interruptFd, stoppedBy)) {
            return stoppedBy;
        }
    }
}

bool Client::readMore(Deadline deadline, int interruptFd, Wait& stoppedBy) {
    if (!fd_) {
        throw TransportError("not connected to taplinkd");
    }
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {interruptFd, POLLIN, 0}};
    const int ready = ::poll(fds, 2, deadline ? millisecondsUntil(*deadline) : -1);
    if (ready < 0) {
        if (errno == EINTR) {
            return true;  // a signal: look again (the interrupt fd tells if it was the user)
        }
        throw TransportError("poll: " + std::generic_category().message(errno));
    }
    if (ready == 0) {
        stoppedBy = Wait::Timeout;
        return false;
    }
    if (fds[1].revents != 0) {
        stoppedBy = Wait::Interrupted;
        return false;
    }
    char buffer[65536];
    const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n > 0) {
        input_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }
    if (n < 0 && errno == EINTR) {
        return true;
    }
    fd_.reset();
    throw TransportError("taplinkd closed the connection");
}

void Client::giveUp(StopReason reason) {
    fd_.reset();  // the daemon cancels the call of a connection that goes away
    if (reason == StopReason::Timeout) {
        throw ApiError(ErrorCode::Timeout, "no answer from taplinkd in time");
    }
    throw ApiError(ErrorCode::Cancelled, "interrupted");
}

}  // namespace taplink::api
