#include "control_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "control_protocol.hpp"

namespace taplink::sim {

namespace {
constexpr std::size_t kMaxLine = std::size_t{64} * 1024;

struct Client {
    UniqueFd fd;
    std::string pending;
};

// Handles the complete lines in the client's buffer; false when the connection should end
// (the peer is gone, a line is too long) or shutdown was asked for.
bool isShutdown(const nlohmann::json& request) {
    return request.is_object() && request.contains("cmd") && request["cmd"].is_string() &&
           request["cmd"].get<std::string>() == "shutdown";
}

nlohmann::json replyTo(const std::string& line, std::vector<std::unique_ptr<Slot>>& slots,
                       const SimSettings& settings, bool& shutdown) {
    const auto request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded()) {
        return {{"ok", false}, {"error", "not JSON"}};
    }
    if (isShutdown(request)) {
        shutdown = true;
        return {{"ok", true}};
    }
    return handleControlRequest(request, slots, settings);
}

// Handles the complete lines in the client's buffer; false when the connection should end
// (the peer is gone, a line is too long) or shutdown was asked for.
bool handleLines(Client& client, std::vector<std::unique_ptr<Slot>>& slots,
                 const SimSettings& settings, bool& shutdown) {
    for (std::size_t end; (end = client.pending.find('\n')) != std::string::npos;) {
        const std::string line = client.pending.substr(0, end);
        client.pending.erase(0, end + 1);
        // Invalid UTF-8 from the request echoed in an error must not end the simulator.
        const std::string reply =
            replyTo(line, slots, settings, shutdown)
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (!writeAll(client.fd.get(), reply + "\n") || shutdown) {
            return false;
        }
    }
    return client.pending.size() <= kMaxLine;
}

}  // namespace

ControlServer::ControlServer(std::string path, SimSettings settings)
    : path_(std::move(path)), settings_(std::move(settings)), listener_(listenUnix(path_)) {}

ControlServer::~ControlServer() {
    ::unlink(path_.c_str());
}

void ControlServer::run(std::vector<std::unique_ptr<Slot>>& slots, int stopFd) {
    std::vector<Client> clients;
    bool shutdown = false;
    while (!shutdown) {
        std::vector<pollfd> fds{{stopFd, POLLIN, 0}, {listener_.get(), POLLIN, 0}};
        for (const auto& client : clients) {
            fds.push_back({client.fd.get(), POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[0].revents != 0) {
            return;
        }
        // Backwards, so that erasing keeps the indices of the clients still to visit.
        for (std::size_t i = clients.size(); i-- > 0;) {
            if (fds[i + 2].revents == 0) {
                continue;
            }
            char buffer[4096];
            const ssize_t n = ::read(clients[i].fd.get(), buffer, sizeof buffer);
            bool keep = n > 0;
            if (keep) {
                clients[i].pending.append(buffer, static_cast<std::size_t>(n));
                keep = handleLines(clients[i], slots, settings_, shutdown);
            }
            if (!keep) {
                clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        if ((fds[1].revents & POLLIN) != 0) {
            UniqueFd accepted(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (accepted) {
                clients.push_back(Client{std::move(accepted), {}});
            }
        }
    }
}

}  // namespace taplink::sim
