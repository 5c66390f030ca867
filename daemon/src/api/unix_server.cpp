#include "api/unix_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <variant>
#include <vector>

#include "api/call_admission.hpp"
#include "api/event_fanout.hpp"
#include "api/listening_socket.hpp"
#include "api/unix_session.hpp"
#include "taplink/base/log_folding.hpp"
#include "taplink/base/output_queue.hpp"
#include "taplink/rpc/line_buffer.hpp"

namespace taplink::api {

namespace {

constexpr std::string_view kTransport = kUnixTransport;
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
// Read at most this much from one connection per wake-up, so one cannot starve the others.
constexpr std::size_t kReadBudget = std::size_t{1} << 20;
// How long the listener is left alone after accept() ran out of descriptors: the pending
// peer keeps it readable, and polling it at once again would spin.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

using Clock = std::chrono::steady_clock;

bool outOfDescriptors(int error) {
    return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

// poll()'s timeout: none, or until the listener is polled again.
int pollTimeout(std::optional<Clock::time_point> until) {
    if (!until) {
        return -1;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

struct Connection {
    Connection(UniqueFd socket, std::shared_ptr<UnixSession> peerSession, std::size_t maxLine)
        : fd(std::move(socket)),
          session(std::move(peerSession)),
          input(maxLine),
          output(fd.get(), true) {}

    UniqueFd fd;
    std::shared_ptr<UnixSession> session;
    LineBuffer input;
    OutputQueue output;       // taken from the session's queue, being written
    bool reading = true;      // false after the peer's EOF, an oversized message, or stop()
    bool closing = false;     // close once its calls are done and everything is written
    bool dead = false;        // close now: the peer is gone or misbehaved
    bool sawMessage = false;  // session.hello is accepted as the first message only
};

std::optional<Peer> peerOf(int fd) {
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
        return std::nullopt;
    }
    Peer peer;
    peer.transport = kTransport;
    peer.pid = credentials.pid;
    peer.uid = credentials.uid;
    peer.gid = credentials.gid;
    return peer;
}

CallAdmissionOptions admissionOptions(const UnixServerOptions& options,
                                      std::shared_ptr<const Waker> waker) {
    CallAdmissionOptions admission;
    admission.maxCallsPerConnection = options.maxCallsPerConnection;
    admission.maxWorkers = options.maxWorkers;
    admission.log = options.log;
    admission.webCalls = options.webCalls;
    // A closing connection waits for its last call (isFinished()): tell the I/O thread.
    admission.afterCall = [waker = std::move(waker)] { waker->wake(); };
    return admission;
}

}  // namespace

class UnixServer::Impl {
  public:
    Impl(Dispatcher& dispatcher, UnixServerOptions options);
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { stop(); }

    void stop();
    void broadcast(std::string_view event, const nlohmann::json& params);
    const std::string& socketPath() const { return options_.socketPath; }
    std::size_t connectionCount() const;

  private:
    void run();
    void pollOnce();
    void beginStop();
    void acceptAll();
    void acceptFailed(int error);
    std::optional<Clock::time_point> acceptPause() const;
    void admit(UniqueFd socket);
    void service(Connection& connection, short revents);
    void readAvailable(Connection& connection);
    void handleLines(Connection& connection);
    void handleLine(Connection& connection, std::string_view text);
    void hello(Connection& connection, const Request& request, bool first);
    std::optional<std::string> noRoomForWeb(const nlohmann::json& params) const;
    void flush(Connection& connection);
    bool isFinished(Connection& connection);
    void reap();
    void forget(Connection& connection);

    Dispatcher& dispatcher_;
    UnixServerOptions options_;
    log::Sink refusalLog_ = log::foldRepeats(options_.log);  // accept errors, refused peers
    Clock::time_point acceptPausedUntil_;                    // the I/O thread's alone
    ListeningSocket listener_;
    std::shared_ptr<const Waker> waker_ = std::make_shared<const Waker>();
    CallAdmission calls_;
    std::list<Connection> connections_;  // the I/O thread's alone
    bool stopHandled_ = false;           // the I/O thread's alone

    mutable std::mutex sessionsMutex_;
    std::vector<std::shared_ptr<UnixSession>> sessions_;  // for broadcast() and stop()
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finishing_{false};
    std::once_flag stopOnce_;
    std::thread thread_;
};

UnixServer::Impl::Impl(Dispatcher& dispatcher, UnixServerOptions options)
    : dispatcher_(dispatcher),
      options_(std::move(options)),
      listener_(ListeningSocket::open(options_.socketPath)),
      calls_(dispatcher, admissionOptions(options_, waker_)),
      thread_([this] { run(); }) {}

void UnixServer::Impl::stop() {
    std::call_once(stopOnce_, [this] {
        std::vector<std::shared_ptr<UnixSession>> sessions;
        {
            const std::lock_guard lock(sessionsMutex_);
            stopping_ = true;
            sessions = sessions_;
        }
        // Outside the lock: stop callbacks run here and may broadcast.
        for (const auto& session : sessions) {
            session->cancelCalls();
        }
        waker_->wake();
        calls_.shutdown();  // the I/O thread keeps writing replies meanwhile
        finishing_ = true;
        waker_->wake();
        thread_.join();
        listener_.close();
    });
}

void UnixServer::Impl::broadcast(std::string_view event, const nlohmann::json& params) {
    sendToSubscribers(sessionsMutex_, sessions_, event, params);
}

std::size_t UnixServer::Impl::connectionCount() const {
    const std::lock_guard lock(sessionsMutex_);
    return sessions_.size();
}

void UnixServer::Impl::run() {
    try {
        while (!finishing_) {
            pollOnce();
        }
    } catch (const std::exception& error) {
        options_.log(log::Level::Warning,
                     std::string("the socket server stopped: ") + error.what());
    }
    // Write what can be written without waiting, then let every connection go.
    for (auto& connection : connections_) {
        flush(connection);
        forget(connection);
    }
    connections_.clear();
}

void UnixServer::Impl::pollOnce() {
    const auto paused = acceptPause();
    std::vector<pollfd> fds;
    fds.push_back({waker_->fd(), POLLIN, 0});
    fds.push_back({stopping_ || paused ? -1 : listener_.fd(), POLLIN, 0});  // skips fd < 0
    for (const auto& connection : connections_) {
        const short events = static_cast<short>((connection.reading ? POLLIN : 0) |
                                                (connection.output.empty() ? 0 : POLLOUT));
        fds.push_back({connection.fd.get(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), pollTimeout(paused)) < 0) {
        if (errno == EINTR) {
            return;
        }
        throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (fds[0].revents != 0) {
        waker_->drain();
    }
    if (stopping_) {
        beginStop();
    }
    std::size_t index = 2;
    for (auto& connection : connections_) {  // the ones polled; acceptAll() appends after
        service(connection, fds[index++].revents);
    }
    if (!stopping_ && (fds[1].revents & POLLIN) != 0) {
        acceptAll();
    }
    for (auto& connection : connections_) {
        flush(connection);  // replies the workers queued
    }
    reap();
}

void UnixServer::Impl::beginStop() {
    if (stopHandled_) {
        return;
    }
    stopHandled_ = true;
    for (auto& connection : connections_) {
        connection.reading = false;
    }
}

void UnixServer::Impl::acceptAll() {
    for (;;) {
        UniqueFd socket(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!socket) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                acceptFailed(errno);
            }
            return;  // EAGAIN: no more waiting
        }
        admit(std::move(socket));
    }
}

void UnixServer::Impl::acceptFailed(int error) {
    refusalLog_(log::Level::Warning, "accept: " + std::generic_category().message(error));
    if (outOfDescriptors(error)) {
        acceptPausedUntil_ = Clock::now() + kAcceptBackoff;
    }
}

std::optional<Clock::time_point> UnixServer::Impl::acceptPause() const {
    if (Clock::now() >= acceptPausedUntil_) {
        return std::nullopt;
    }
    return acceptPausedUntil_;
}

void UnixServer::Impl::admit(UniqueFd socket) {
    const auto peer = peerOf(socket.get());
    if (!peer || peer->uid != ::geteuid()) {
        // The folder and file modes keep others out already; this holds even if they fail.
        refusalLog_(log::Level::Warning,
                    "refused a connection from uid " +
                        (peer ? std::to_string(peer->uid) : std::string("unknown")));
        return;
    }
    if (connections_.size() >= options_.maxConnections) {
        const std::string line = toLine(busyReply(nullptr, "too many connections"));
        [[maybe_unused]] const ssize_t sent =
            ::send(socket.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return;
    }
    auto session = std::make_shared<UnixSession>(*peer, waker_, options_.maxQueuedBytes);
    {
        const std::lock_guard lock(sessionsMutex_);
        if (stopping_) {
            return;
        }
        sessions_.push_back(session);
    }
    connections_.emplace_back(std::move(socket), std::move(session), options_.maxMessageBytes);
}

void UnixServer::Impl::service(Connection& connection, short revents) {
    if ((revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        // POLLHUP on a Unix stream socket: the peer closed both directions, so nobody is
        // left to answer. (A peer that only shut down its sending side reads as EOF below.)
        connection.dead = true;
        return;
    }
    if ((revents & POLLIN) != 0 && connection.reading) {
        readAvailable(connection);
    }
}

void UnixServer::Impl::readAvailable(Connection& connection) {
    char buffer[kReadChunk];
    for (std::size_t budget = 0; budget < kReadBudget && connection.reading;) {
        const ssize_t n = ::read(connection.fd.get(), buffer, sizeof buffer);
        if (n > 0) {
            connection.input.append(buffer, static_cast<std::size_t>(n));
            budget += static_cast<std::size_t>(n);
            handleLines(connection);
            continue;
        }
        if (n == 0) {
            // The peer will send no more but may still read: finish its calls, then close.
            connection.reading = false;
            connection.closing = true;
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            connection.dead = true;
        }
        return;
    }
}

void UnixServer::Impl::handleLines(Connection& connection) {
    while (connection.reading) {
        const auto line = connection.input.next();
        if (!line) {
            break;
        }
        if (!line->empty()) {
            handleLine(connection, *line);
        }
    }
    if (connection.input.overflowed()) {
        connection.session->send(makeError(nullptr, RpcCode::InvalidRequest,
                                           "invalid request: message longer than " +
                                               std::to_string(options_.maxMessageBytes) +
                                               " bytes; closing the connection"));
        connection.reading = false;
        connection.closing = true;
        connection.session->cancelCalls();
    }
}

void UnixServer::Impl::handleLine(Connection& connection, std::string_view text) {
    auto parsed = parseRequest(text);
    const bool first = !connection.sawMessage;
    connection.sawMessage = true;
    if (auto* error = std::get_if<nlohmann::json>(&parsed)) {
        connection.session->send(*error);
        return;
    }
    auto& request = std::get<Request>(parsed);
    if (request.method == method::kSessionHello) {
        hello(connection, request, first);
        return;
    }
    calls_.admit(connection.session, std::move(request));
}

// Here, on the I/O thread, so that no later call of the connection runs as the owner.
void UnixServer::Impl::hello(Connection& connection, const Request& request, bool first) {
    const nlohmann::json id = request.id.value_or(nullptr);
    nlohmann::json reply;
    if (!first) {
        reply = makeError(id, RpcCode::InvalidRequest,
                          "invalid request: session.hello must be the first message");
    } else if (const auto why = noRoomForWeb(request.params)) {
        refusalLog_(log::Level::Warning, "refused a web page's connection: " + *why);
        reply = busyReply(id, *why);
    } else {
        reply = dispatcher_.hello(request, *connection.session);
    }
    connection.session->send(reply);
    if (first && reply.contains("error")) {
        // A caller that meant to be a web page must not go on as the owner.
        connection.reading = false;
        connection.closing = true;
    }
}

std::optional<std::string> UnixServer::Impl::noRoomForWeb(const nlohmann::json& params) const {
    const auto named = params.is_object() ? params.find("origin") : params.end();
    const std::string origin =
        named != params.end() && named->is_string() ? named->get<std::string>() : "";
    std::size_t web = 0;
    std::size_t sameOrigin = 0;
    for (const auto& connection : connections_) {
        if (connection.session->isWeb()) {
            ++web;
            sameOrigin += connection.session->peer().origin == origin ? 1U : 0U;
        }
    }
    if (sameOrigin >= options_.maxWebConnectionsPerOrigin) {
        return "too many connections from " + origin;
    }
    if (web + options_.ownerReserved >= options_.maxConnections) {
        return "too many web pages are connected (the rest is kept for TapLink's own programs)";
    }
    return std::nullopt;
}

void UnixServer::Impl::flush(Connection& connection) {
    if (connection.dead) {
        return;
    }
    if (connection.session->overflowed()) {
        options_.log(log::Level::Warning, "dropped a connection that stopped reading its replies");
        connection.dead = true;
        return;
    }
    if (connection.output.empty()) {
        // Only once the last batch is out, so a peer that does not read cannot make this grow.
        connection.output.push(connection.session->takeQueued());
    }
    if (connection.output.flush() == OutputQueue::Status::Failed) {
        connection.dead = true;
    }
}

bool UnixServer::Impl::isFinished(Connection& connection) {
    if (connection.dead) {
        return true;
    }
    if (!connection.closing || connection.session->callsInFlight() > 0) {
        return false;
    }
    // No call left, so every reply is queued (a call unregisters after queueing its reply).
    flush(connection);
    return connection.dead || connection.output.empty();
}

void UnixServer::Impl::reap() {
    for (auto it = connections_.begin(); it != connections_.end();) {
        if (isFinished(*it)) {
            forget(*it);
            it = connections_.erase(it);
        } else {
            ++it;
        }
    }
}

void UnixServer::Impl::forget(Connection& connection) {
    connection.session->cancelCalls();
    connection.session->close();
    const std::lock_guard lock(sessionsMutex_);
    std::erase(sessions_, connection.session);
}

UnixServer::UnixServer(Dispatcher& dispatcher, UnixServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

UnixServer::~UnixServer() = default;

void UnixServer::stop() {
    impl_->stop();
}

void UnixServer::broadcast(std::string_view event, const nlohmann::json& params) {
    impl_->broadcast(event, params);
}

const std::string& UnixServer::socketPath() const {
    return impl_->socketPath();
}

std::size_t UnixServer::connectionCount() const {
    return impl_->connectionCount();
}

}  // namespace taplink::api
