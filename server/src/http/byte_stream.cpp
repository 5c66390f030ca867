#include "http/byte_stream.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "taplink/base/unique_fd.hpp"

namespace taplink::server::http {

std::size_t SocketStream::readSome(char* buffer, std::size_t size) {
    for (;;) {
        const ssize_t n = ::recv(fd_, buffer, size, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
}

bool SocketStream::writeAll(std::string_view bytes) {
    return taplink::writeAll(fd_, bytes);
}

}  // namespace taplink::server::http
