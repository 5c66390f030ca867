#include "admin_client.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "taplink/base/unix_socket.hpp"

namespace taplink::server {

namespace {

constexpr std::size_t kMaxReply = std::size_t{16} * 1024 * 1024;

std::string readAll(int fd) {
    std::string reply;
    std::array<char, 8192> chunk{};
    for (;;) {
        const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return reply;
        }
        reply.append(chunk.data(), static_cast<std::size_t>(n));
        if (reply.size() > kMaxReply) {
            throw AdminClientError("the admin answer is too large");
        }
    }
}

AdminReply parseReply(const std::string& reply) {
    const auto headEnd = reply.find("\r\n\r\n");
    constexpr std::string_view kVersion = "HTTP/1.1 ";
    if (headEnd == std::string::npos || reply.rfind(kVersion, 0) != 0 ||
        reply.size() < kVersion.size() + 3) {
        throw AdminClientError("the admin socket did not answer in HTTP/1.1");
    }
    AdminReply parsed;
    try {
        parsed.status = std::stoi(reply.substr(kVersion.size(), 3));
    } catch (const std::exception&) {
        throw AdminClientError("the admin answer has no status code");
    }
    parsed.body = nlohmann::json::parse(reply.substr(headEnd + 4), nullptr, false);
    if (parsed.body.is_discarded()) {
        throw AdminClientError("the admin answer is not JSON");
    }
    return parsed;
}

}  // namespace

AdminReply AdminClient::request(std::string_view method, std::string_view path,
                                const nlohmann::json& body) const {
    UniqueFd fd;
    try {
        fd = connectUnix(socketPath_);
    } catch (const std::system_error& error) {
        throw AdminClientError("cannot reach the admin socket: " + std::string(error.what()));
    }
    const std::string content = body.is_null() ? std::string() : body.dump();
    std::string message = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
    message += "Host: localhost\r\nConnection: close\r\n";
    if (!body.is_null()) {
        message +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(content.size()) +
            "\r\n";
    }
    message += "\r\n" + content;
    if (!writeAll(fd.get(), message)) {
        throw AdminClientError("the admin socket closed before the request was sent");
    }
    return parseReply(readAll(fd.get()));
}

}  // namespace taplink::server
