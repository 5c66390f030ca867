#include "keepassxc_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace {

constexpr std::string_view kReply =
    R"({"action":"get-databasehash","hash":"bench","nonce":"bench"})";

}  // namespace

KeepassxcListener::KeepassxcListener(const std::string& runtimeDir) {
    const std::string folder = runtimeDir + "/app/org.keepassxc.KeePassXC";
    std::filesystem::create_directories(folder);
    socketPath_ = folder + "/org.keepassxc.KeePassXC.BrowserServer";
    listener_ = taplink::UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socketPath_.c_str(), sizeof address.sun_path - 1);
    if (!listener_ ||
        ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_.get(), 16) != 0) {
        throw std::system_error(errno, std::generic_category(), "listen " + socketPath_);
    }
    std::array<int, 2> stop{};
    if (::pipe2(stop.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stopRead_ = taplink::UniqueFd(stop[0]);
    stopWrite_ = taplink::UniqueFd(stop[1]);
    thread_ = std::thread([this] { serve(); });
}

KeepassxcListener::~KeepassxcListener() {
    [[maybe_unused]] const ssize_t written = ::write(stopWrite_.get(), "x", 1);
    thread_.join();
}

bool KeepassxcListener::waitReadable(int fd) const {
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {stopRead_.get(), POLLIN, 0}}};
    while (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno != EINTR) {
            return false;
        }
    }
    return fds[1].revents == 0;
}

void KeepassxcListener::serve() {
    while (waitReadable(listener_.get())) {
        const taplink::UniqueFd connection(
            ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (connection) {
            serveConnection(connection.get());
        }
    }
}

void KeepassxcListener::serveConnection(int fd) {
    char buffer[65536];
    while (waitReadable(fd)) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            return;  // the proxy exited
        }
        if (::send(fd, kReply.data(), kReply.size(), MSG_NOSIGNAL) < 0) {
            return;
        }
    }
}
