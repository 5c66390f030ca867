#include "taplink/base/output_queue.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace taplink {

void OutputQueue::push(std::string_view bytes) {
    if (written_ > 0 && written_ >= buffer_.size() / 2) {  // keep the written part from piling up
        buffer_.erase(0, written_);
        written_ = 0;
    }
    buffer_.append(bytes);
}

OutputQueue::Status OutputQueue::flush() {
    while (written_ < buffer_.size()) {
        const char* data = buffer_.data() + written_;
        const std::size_t size = buffer_.size() - written_;
        const ssize_t n = socket_ ? ::send(fd_, data, size, MSG_NOSIGNAL | MSG_DONTWAIT)
                                  : ::write(fd_, data, size);
        if (n > 0) {
            written_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return Status::Again;
        }
        return Status::Failed;
    }
    buffer_.clear();
    written_ = 0;
    return Status::Done;
}

}  // namespace taplink
