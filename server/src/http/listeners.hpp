// The server's two listening sockets: TCP on a loopback address only, and the admin Unix
// socket, owner-only in an owner-only folder.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "taplink/base/unix_socket.hpp"

namespace taplink::server::http {

// A listening address or path that this server refuses to use.
class ListenError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Whether host is a loopback address: 127.0.0.0/8, ::1, or the name "localhost".
bool isLoopbackHost(const std::string& host);

struct TcpListener {
    UniqueFd fd;
    std::uint16_t port = 0;  // the bound port (the one the system picked for port 0)
};

// ListenError for a host that is not a loopback address (it is never resolved through DNS)
// or when binding fails.
TcpListener listenOnLoopback(const std::string& host, std::uint16_t port);

// Binds path with mode 0600. Its folder is created 0700 when missing, and must otherwise
// belong to this user and be closed to everyone else. ListenError otherwise.
UniqueFd listenOwnerOnly(const std::string& path);

}  // namespace taplink::server::http
