#include "byte_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace taplink::nm {

bool makeNonBlocking(int fd) {
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) {
        return false;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

ReadStatus readSome(int fd, std::string& into, std::size_t chunk) {
    const std::size_t before = into.size();
    into.resize(before + chunk);
    for (;;) {
        const ssize_t n = ::read(fd, into.data() + before, chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        into.resize(before + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (n > 0) {
            return ReadStatus::Data;
        }
        if (n == 0) {
            return ReadStatus::Eof;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK ? ReadStatus::Again : ReadStatus::Failed;
    }
}

}  // namespace taplink::nm
