// Who is at the other end of a loopback TCP connection: the uid that owns the peer's socket.
// TCP carries no credentials (unlike SO_PEERCRED on a Unix socket), but on the loopback both
// sockets are in this kernel, so it can say who created the other one. Asked through
// sock_diag (NETLINK_SOCK_DIAG, the interface of `ss`); when netlink cannot be used, from
// /proc/net/tcp and /proc/net/tcp6. docs/websocket.md, "Security checks".
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <optional>

namespace taplink::api {

// The uid owning the TCP socket whose own address is `peer` and whose remote address is
// `local`: the other end of a connection this process accepted (local = getsockname(),
// peer = getpeername()). IPv4 and IPv6 (an IPv4-mapped IPv6 pair counts as IPv4). Nothing
// when no such socket exists, the addresses are not TCP/IP ones, or neither sock_diag nor
// /proc answers: callers refuse then. It is the uid of the process that *created* the
// socket, as the kernel recorded it. Blocks for at most about a second; never throws.
std::optional<uid_t> loopbackPeerUid(const sockaddr_storage& local, const sockaddr_storage& peer);

// The same for a connected TCP socket: its addresses are read from the descriptor.
std::optional<uid_t> loopbackPeerUid(int connectedFd);

namespace peer_uid_detail {

// The outcome of one way of asking. Anything but Found from sock_diag is asked again through
// /proc: its ENOENT may mean no inet_diag handler as well as no such socket.
enum class Outcome { Found, NotFound, Unavailable };

struct Lookup {
    Outcome outcome = Outcome::Unavailable;
    uid_t uid = 0;  // when Found
};

// Each way on its own (tests).
Lookup viaSockDiag(const sockaddr_storage& local, const sockaddr_storage& peer);
Lookup viaProcNet(const sockaddr_storage& local, const sockaddr_storage& peer);

}  // namespace peer_uid_detail

}  // namespace taplink::api
