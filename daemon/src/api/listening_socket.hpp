// The server's end of the socket path, set up so that only its owner can reach it:
//   <folder>/            0700, owned by us (created if missing; refused if anyone else can
//                        enter it or it is not ours, as in a /tmp someone else prepared)
//   <folder>/NAME.lock   flock()ed while the server listens: a second server fails instead
//                        of taking the socket over; never deleted (deleting would race)
//   <folder>/NAME        the socket, 0600; a stale one (no server holds the lock) is replaced,
//                        anything that is not a socket is refused
#pragma once

#include <sys/types.h>

#include <string>

#include "taplink/base/unique_fd.hpp"

namespace taplink::api {

class ListeningSocket {
  public:
    // Throws TransportError saying what is wrong (already running, unsafe folder, ...).
    static ListeningSocket open(const std::string& path, int backlog = 64);

    ListeningSocket(ListeningSocket&&) noexcept = default;
    ListeningSocket& operator=(ListeningSocket&&) = delete;
    ListeningSocket(const ListeningSocket&) = delete;
    ListeningSocket& operator=(const ListeningSocket&) = delete;
    // Removes the socket file if it is still the one this server bound.
    ~ListeningSocket();

    int fd() const { return socket_.get(); }
    const std::string& path() const { return path_; }
    // Stops listening, removes the socket file, then lets the lock go. Idempotent.
    void close();

  private:
    ListeningSocket(std::string path, UniqueFd lock, UniqueFd socket);

    std::string path_;
    UniqueFd lock_;
    UniqueFd socket_;
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

}  // namespace taplink::api
