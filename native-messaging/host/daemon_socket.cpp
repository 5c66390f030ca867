#include "daemon_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "byte_stream.hpp"

namespace taplink::nm {

std::variant<UniqueFd, Unreachable> connectToDaemon(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        return Unreachable{"the socket path is too long: " + path};
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return Unreachable{"cannot create a socket: " + std::generic_category().message(errno)};
    }
    // A local connect completes or fails at once (taplink-nm handles no signal that could
    // interrupt it).
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return Unreachable{"taplinkd is not running (cannot connect to " + path + ": " +
                           std::generic_category().message(errno) + ")"};
    }
    makeNonBlocking(fd.get());
    return fd;
}

}  // namespace taplink::nm
