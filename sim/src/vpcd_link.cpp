#include "vpcd_link.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace taplink::sim {

namespace {
void setOption(int fd, int level, int name) {
    const int on = 1;
    setsockopt(fd, level, name, &on, sizeof on);
}
}  // namespace

std::optional<VpcdLink> VpcdLink::connect(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return std::nullopt;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return std::nullopt;
    }
    // vpcd sends the length and the APDU in two writes; without these every APDU would
    // wait for a delayed ACK (~40 ms).
    setOption(fd.get(), IPPROTO_TCP, TCP_NODELAY);
    return VpcdLink(std::move(fd));
}

bool VpcdLink::readExactly(std::uint8_t* buffer, std::size_t length) {
    std::size_t done = 0;
    while (done < length) {
        setOption(fd_.get(), IPPROTO_TCP, TCP_QUICKACK);  // the kernel clears it after each ACK
        const ssize_t n = ::recv(fd_.get(), buffer + done, length - done, 0);
        if (n == 0) {
            return false;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::optional<Bytes> VpcdLink::receive() {
    std::uint8_t header[2];
    if (!fd_ || !readExactly(header, sizeof header)) {
        return std::nullopt;
    }
    const std::size_t length = (static_cast<std::size_t>(header[0]) << 8U) | header[1];
    Bytes message(length);
    if (length > 0 && !readExactly(message.data(), length)) {
        return std::nullopt;
    }
    return message;
}

bool VpcdLink::send(ByteView message) {
    if (!fd_ || message.size() > 0xFFFF) {
        return false;
    }
    Bytes frame;
    frame.reserve(message.size() + 2);
    frame.push_back(static_cast<std::uint8_t>(message.size() >> 8U));
    frame.push_back(static_cast<std::uint8_t>(message.size() & 0xFFU));
    frame.insert(frame.end(), message.begin(), message.end());
    return writeAll(fd_.get(), ByteView(frame));
}

void VpcdLink::interrupt() noexcept {
    if (fd_) {
        ::shutdown(fd_.get(), SHUT_RDWR);
    }
}

}  // namespace taplink::sim
