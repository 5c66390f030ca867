#include "http/http_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <utility>

#include "taplink/base/log.hpp"

namespace taplink::server::http {

namespace {

void setTimeouts(int fd, std::chrono::seconds timeout) {
    timeval value{};
    value.tv_sec = static_cast<time_t>(timeout.count());
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value);
}

// Every API takes JSON only: a body must say so (media type "application/json", any case,
// parameters such as charset allowed).
bool hasJsonBody(const Request& request) {
    return request.body.empty() || hasMediaType(request, "application/json");
}

}  // namespace

HttpServer::HttpServer(UniqueFd listener, SessionFactory sessions, Handler handler,
                       ServerOptions options)
    : listener_(std::move(listener)),
      sessions_(std::move(sessions)),
      handler_(std::move(handler)),
      options_(std::move(options)) {}

HttpServer::~HttpServer() {
    stopAll();
}

void HttpServer::run(int stopFd) {
    for (;;) {
        std::array<pollfd, 2> fds{{{stopFd, POLLIN, 0}, {listener_.get(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (fds[0].revents != 0) {
            break;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            accept();
        }
        reapFinished();
    }
    stopAll();
}

void HttpServer::accept() {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd) {
        return;
    }
    const std::lock_guard lock(mutex_);
    if (open_.size() >= options_.maxConnections) {
        return;  // over the cap: closed without a word
    }
    setTimeouts(fd.get(), options_.ioTimeout);
    open_.insert(fd.get());
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back(Worker{std::thread([this, done, connection = std::move(fd)]() mutable {
                                  serve(std::move(connection));
                                  done->store(true);
                              }),
                              done});
}

void HttpServer::serve(UniqueFd fd) noexcept {
    try {
        std::optional<Session> session = sessions_(fd.get());
        if (session) {
            converse(*session);
        }
    } catch (const std::exception& error) {
        log::warning(std::string("connection: ") + error.what());
    } catch (...) {
        log::warning("connection: unknown error");
    }
    // Forget the socket before closing it, so that stopAll never shuts down a reused number.
    const std::lock_guard lock(mutex_);
    open_.erase(fd.get());
    fd = UniqueFd();
}

void HttpServer::converse(Session& session) {
    RequestReader reader(*session.stream, options_.limits);
    for (;;) {
        std::optional<Request> request;
        try {
            request = reader.next();
        } catch (const HttpError& error) {
            Response refusal = errorResponse(error.status(), error.code(), error.what());
            session.stream->writeAll(wireForm(std::move(refusal), false));
            return;
        }
        if (!request) {
            return;
        }
        Response response = hasJsonBody(*request)
                                ? respond(*request, session.peer)
                                : errorResponse(415, "unsupported_media_type",
                                                "request bodies must be application/json");
        const bool keepAlive = request->keepAlive && !response.close;
        if (!session.stream->writeAll(wireForm(std::move(response), keepAlive)) || !keepAlive) {
            return;
        }
    }
}

Response HttpServer::respond(const Request& request, const Peer& peer) noexcept {
    try {
        return handler_(request, peer);
    } catch (const std::exception& error) {
        log::warning(request.method + ' ' + request.path + ": " + error.what());
    } catch (...) {
        log::warning(request.method + ' ' + request.path + ": unknown error");
    }
    try {
        Response failure = errorResponse(500, "internal_error", "the server failed; try again");
        failure.close = true;
        return failure;
    } catch (...) {
        Response bare;
        bare.status = 500;
        bare.close = true;
        return bare;
    }
}

std::string HttpServer::wireForm(Response response, bool keepAlive) const {
    response.headers.insert(response.headers.end(), options_.headers.begin(),
                            options_.headers.end());
    return serialize(response, keepAlive);
}

void HttpServer::reapFinished() {
    std::list<Worker> finished;
    {
        const std::lock_guard lock(mutex_);
        for (auto it = workers_.begin(); it != workers_.end();) {
            if (it->done->load()) {
                finished.splice(finished.end(), workers_, it++);
            } else {
                ++it;
            }
        }
    }
    for (Worker& worker : finished) {
        worker.thread.join();
    }
}

void HttpServer::stopAll() {
    std::list<Worker> all;
    {
        const std::lock_guard lock(mutex_);
        for (const int fd : open_) {
            ::shutdown(fd, SHUT_RDWR);  // wakes the connection's thread from its read
        }
        all.splice(all.end(), workers_);
    }
    for (Worker& worker : all) {
        worker.thread.join();
    }
}

SessionFactory ownerOnlySessions() {
    return [](int fd) -> std::optional<Session> {
        ucred credentials{};
        socklen_t length = sizeof credentials;
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 ||
            credentials.uid != ::geteuid()) {
            return std::nullopt;
        }
        Session session;
        session.stream = std::make_unique<SocketStream>(fd);
        session.peer.uid = credentials.uid;
        return session;
    };
}

}  // namespace taplink::server::http
