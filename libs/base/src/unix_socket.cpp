#include "taplink/base/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace taplink {

namespace {
sockaddr_un addressOf(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        throw std::system_error(ENAMETOOLONG, std::generic_category(), path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

UniqueFd newSocket() {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw std::system_error(errno, std::generic_category(), "socket");
    }
    return fd;
}
}  // namespace

UniqueFd listenUnix(const std::string& path) {
    const sockaddr_un address = addressOf(path);
    UniqueFd fd = newSocket();
    ::unlink(path.c_str());
    // Only the owner may connect: these sockets drive the simulator and the server.
    const mode_t previous = ::umask(0077);
    const int rv = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::umask(previous);
    if (rv != 0) {
        throw std::system_error(errno, std::generic_category(), "bind " + path);
    }
    if (::listen(fd.get(), 16) != 0) {
        throw std::system_error(errno, std::generic_category(), "listen " + path);
    }
    return fd;
}

UniqueFd connectUnix(const std::string& path) {
    const sockaddr_un address = addressOf(path);
    UniqueFd fd = newSocket();
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::system_error(errno, std::generic_category(), "connect " + path);
    }
    return fd;
}

}  // namespace taplink
