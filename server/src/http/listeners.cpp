#include "http/listeners.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace taplink::server::http {

namespace {

constexpr int kBacklog = 64;

std::string systemError(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

void requireOwnerOnlyFolder(const std::filesystem::path& folder) {
    std::error_code error;
    if (!std::filesystem::exists(folder, error)) {
        std::filesystem::create_directories(folder, error);
        if (error) {
            throw ListenError("cannot create " + folder.string() + ": " + error.message());
        }
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
    }
    struct stat info {};
    if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        throw ListenError("the admin socket's folder " + folder.string() + " is not a folder");
    }
    if (info.st_uid != ::geteuid() || (info.st_mode & 077U) != 0) {
        throw ListenError("the admin socket's folder " + folder.string() +
                          " must belong to this user and be closed to others (chmod 700)");
    }
}

}  // namespace

bool isLoopbackHost(const std::string& host) {
    if (host == "localhost") {
        return true;
    }
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24U) == 127U;
    }
    in6_addr v6{};
    return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

TcpListener listenOnLoopback(const std::string& host, std::uint16_t port) {
    if (!isLoopbackHost(host)) {
        throw ListenError("refusing to listen on " + host +
                          ": the server listens on a loopback address only");
    }
    sockaddr_storage address{};
    socklen_t length = 0;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = v6;
        in6->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
        in4->sin_family = AF_INET;
        ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &in4->sin_addr);
        in4->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    }
    UniqueFd fd(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw ListenError(systemError("socket"));
    }
    const int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        throw ListenError(systemError("bind " + host + ":" + std::to_string(port)));
    }
    if (::listen(fd.get(), kBacklog) != 0) {
        throw ListenError(systemError("listen"));
    }
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &boundLength);
    const std::uint16_t boundPort = bound.ss_family == AF_INET6
                                        ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    return TcpListener{std::move(fd), boundPort};
}

UniqueFd listenOwnerOnly(const std::string& path) {
    requireOwnerOnlyFolder(std::filesystem::absolute(path).parent_path());
    try {
        UniqueFd fd = listenUnix(path);  // bound under umask 077
        if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
            throw ListenError(systemError("chmod 600 " + path));
        }
        return fd;
    } catch (const std::system_error& error) {
        throw ListenError(std::string("admin socket: ") + error.what());
    }
}

}  // namespace taplink::server::http
