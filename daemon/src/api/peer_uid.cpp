#include "api/peer_uid.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "taplink/base/unique_fd.hpp"

namespace taplink::api {

namespace peer_uid_detail {

namespace {

// How long the kernel gets to answer a sock_diag request.
constexpr timeval kDiagTimeout{1, 0};
// The one request's sequence number, to find its answer.
constexpr std::uint32_t kDiagSequence = 1;
constexpr std::size_t kIpv4Bytes = 4;
constexpr std::size_t kIpv6Bytes = 16;
// An IPv4-mapped IPv6 address is ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2).
constexpr std::size_t kMappedPrefixBytes = 12;
constexpr std::array<std::uint8_t, kMappedPrefixBytes> kMappedPrefix{0, 0, 0, 0, 0,    0,
                                                                     0, 0, 0, 0, 0xff, 0xff};

struct Endpoint {
    int family = AF_UNSPEC;
    std::array<std::uint8_t, kIpv6Bytes> address{};  // network order; IPv4 in the first 4
    std::uint16_t port = 0;                          // host order

    bool operator==(const Endpoint&) const = default;
};

// One connection as seen from our side: `local` is ours, `peer` the other end's socket.
struct Connection {
    Endpoint local;
    Endpoint peer;
};

std::size_t addressBytes(int family) {
    return family == AF_INET ? kIpv4Bytes : kIpv6Bytes;
}

Endpoint endpointOf(const sockaddr_in& address) {
    Endpoint endpoint;
    endpoint.family = AF_INET;
    std::memcpy(endpoint.address.data(), &address.sin_addr, kIpv4Bytes);
    endpoint.port = ntohs(address.sin_port);
    return endpoint;
}

Endpoint endpointOf(const sockaddr_in6& address) {
    Endpoint endpoint;
    endpoint.family = AF_INET6;
    endpoint.port = ntohs(address.sin6_port);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&address.sin6_addr);
    if (std::memcmp(bytes, kMappedPrefix.data(), kMappedPrefixBytes) == 0) {
        endpoint.family = AF_INET;  // the kernel keeps such a connection as an IPv4 one
        std::memcpy(endpoint.address.data(), bytes + kMappedPrefixBytes, kIpv4Bytes);
    } else {
        std::memcpy(endpoint.address.data(), bytes, kIpv6Bytes);
    }
    return endpoint;
}

std::optional<Endpoint> endpointOf(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) {
        return endpointOf(reinterpret_cast<const sockaddr_in&>(address));
    }
    if (address.ss_family == AF_INET6) {
        return endpointOf(reinterpret_cast<const sockaddr_in6&>(address));
    }
    return std::nullopt;
}

std::optional<Connection> connectionOf(const sockaddr_storage& local,
                                       const sockaddr_storage& peer) {
    const auto ours = endpointOf(local);
    const auto theirs = endpointOf(peer);
    if (!ours || !theirs || ours->family != theirs->family) {
        return std::nullopt;
    }
    return Connection{*ours, *theirs};
}

// --- sock_diag (man 7 sock_diag; the layouts in linux/inet_diag.h)

struct DiagRequest {
    nlmsghdr header;
    inet_diag_req_v2 body;
};

// An exact lookup (no NLM_F_DUMP) of the peer's socket: its source is the peer's address, its
// destination ours. Without a cookie, the kernel matches on the 4-tuple alone.
DiagRequest diagRequestFor(const Connection& connection) {
    DiagRequest request{};
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request.header.nlmsg_flags = NLM_F_REQUEST;
    request.header.nlmsg_seq = kDiagSequence;
    request.body.sdiag_family = static_cast<std::uint8_t>(connection.peer.family);
    request.body.sdiag_protocol = IPPROTO_TCP;
    request.body.idiag_states = ~0U;
    auto& id = request.body.id;
    id.idiag_sport = htons(connection.peer.port);
    id.idiag_dport = htons(connection.local.port);
    const std::size_t size = addressBytes(connection.peer.family);
    std::memcpy(static_cast<void*>(id.idiag_src), connection.peer.address.data(), size);
    std::memcpy(static_cast<void*>(id.idiag_dst), connection.local.address.data(), size);
    id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    return request;
}

UniqueFd openDiagSocket() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (fd &&
        ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &kDiagTimeout, sizeof kDiagTimeout) != 0) {
        fd.reset();
    }
    return fd;
}

bool sendDiagRequest(int fd, const DiagRequest& request) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    const auto sent = ::sendto(fd, &request, sizeof request, 0,
                               reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    return sent == static_cast<ssize_t>(sizeof request);
}

// NLMSG_DATA without its cast away from const (netlink(7): the payload follows the aligned
// header).
const void* payloadOf(const nlmsghdr& message) {
    return reinterpret_cast<const char*>(&message) + NLMSG_ALIGN(sizeof(nlmsghdr));
}

Lookup diagMessage(const nlmsghdr& message, const Connection& connection) {
    if (message.nlmsg_type == NLMSG_ERROR) {
        const auto* error = static_cast<const nlmsgerr*>(payloadOf(message));
        const bool noSuchSocket =
            message.nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)) && error->error == -ENOENT;
        return {noSuchSocket ? Outcome::NotFound : Outcome::Unavailable, 0};
    }
    if (message.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
        message.nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
        return {};
    }
    const auto* socket = static_cast<const inet_diag_msg*>(payloadOf(message));
    if (socket->id.idiag_sport != htons(connection.peer.port) ||
        socket->id.idiag_dport != htons(connection.local.port)) {
        return {Outcome::NotFound, 0};  // not the socket asked about: trust nothing
    }
    return {Outcome::Found, socket->idiag_uid};
}

Lookup readDiagAnswer(int fd, const Connection& connection) {
    alignas(nlmsghdr) std::array<char, 8192> buffer{};
    ssize_t received = -1;
    do {
        received = ::recv(fd, buffer.data(), buffer.size(), 0);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) {
        return {};
    }
    const auto size = static_cast<std::size_t>(received);
    for (std::size_t offset = 0; offset + sizeof(nlmsghdr) <= size;) {
        const auto* message = reinterpret_cast<const nlmsghdr*>(buffer.data() + offset);
        if (message->nlmsg_len < sizeof(nlmsghdr) || message->nlmsg_len > size - offset) {
            return {};
        }
        if (message->nlmsg_seq == kDiagSequence) {
            return diagMessage(*message, connection);
        }
        offset += NLMSG_ALIGN(message->nlmsg_len);
    }
    return {};
}

// --- /proc/net/tcp and /proc/net/tcp6 (Documentation/networking/proc_net_tcp.rst): per
// socket "sl local rem st tx:rx tr:when retrnsmt uid ...", each address the hex of the
// kernel's 32-bit words as the CPU holds them, ":", the port in hex.

std::optional<Endpoint> parseProcEndpoint(const std::string& field, int family) {
    const std::size_t words = addressBytes(family) / sizeof(std::uint32_t);
    constexpr std::size_t kHexPerWord = 8;
    constexpr std::size_t kPortHex = 4;
    if (field.size() != words * kHexPerWord + 1 + kPortHex || field[words * kHexPerWord] != ':') {
        return std::nullopt;
    }
    Endpoint endpoint;
    endpoint.family = family;
    try {
        for (std::size_t i = 0; i < words; ++i) {
            const auto word = static_cast<std::uint32_t>(
                std::stoul(field.substr(i * kHexPerWord, kHexPerWord), nullptr, 16));
            std::memcpy(endpoint.address.data() + i * sizeof word, &word, sizeof word);
        }
        endpoint.port = static_cast<std::uint16_t>(
            std::stoul(field.substr(words * kHexPerWord + 1), nullptr, 16));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return endpoint;
}

// The uid on the line of the socket whose own address is `wanted.peer` and whose remote one
// is `wanted.local`.
std::optional<uid_t> procLineUid(const std::string& line, const Connection& wanted) {
    std::istringstream fields(line);
    std::string slot, ownAddress, remoteAddress, state, queues, timer, retransmits;
    unsigned long uid = 0;
    if (!(fields >> slot >> ownAddress >> remoteAddress >> state >> queues >> timer >>
          retransmits >> uid)) {
        return std::nullopt;
    }
    const auto own = parseProcEndpoint(ownAddress, wanted.peer.family);
    const auto remote = parseProcEndpoint(remoteAddress, wanted.peer.family);
    if (own != wanted.peer || remote != wanted.local) {
        return std::nullopt;
    }
    return static_cast<uid_t>(uid);
}

Lookup searchProcFile(const char* path, const Connection& wanted) {
    std::ifstream file(path);
    std::string line;
    if (!file || !std::getline(file, line)) {  // the first line names the columns
        return {};
    }
    while (std::getline(file, line)) {
        if (const auto uid = procLineUid(line, wanted)) {
            return {Outcome::Found, *uid};
        }
    }
    return {Outcome::NotFound, 0};
}

// An IPv4 connection made from an IPv6 socket is listed in tcp6 with IPv4-mapped addresses.
Endpoint mapped(const Endpoint& ipv4) {
    Endpoint endpoint;
    endpoint.family = AF_INET6;
    endpoint.port = ipv4.port;
    std::memcpy(endpoint.address.data(), kMappedPrefix.data(), kMappedPrefixBytes);
    std::memcpy(endpoint.address.data() + kMappedPrefixBytes, ipv4.address.data(), kIpv4Bytes);
    return endpoint;
}

}  // namespace

Lookup viaSockDiag(const sockaddr_storage& local, const sockaddr_storage& peer) {
    const auto connection = connectionOf(local, peer);
    if (!connection) {
        return {Outcome::NotFound, 0};
    }
    const UniqueFd fd = openDiagSocket();
    if (!fd || !sendDiagRequest(fd.get(), diagRequestFor(*connection))) {
        return {};
    }
    return readDiagAnswer(fd.get(), *connection);
}

Lookup viaProcNet(const sockaddr_storage& local, const sockaddr_storage& peer) {
    const auto connection = connectionOf(local, peer);
    if (!connection) {
        return {Outcome::NotFound, 0};
    }
    try {
        if (connection->peer.family == AF_INET6) {
            return searchProcFile("/proc/net/tcp6", *connection);
        }
        const Lookup ipv4 = searchProcFile("/proc/net/tcp", *connection);
        if (ipv4.outcome != Outcome::NotFound) {
            return ipv4;
        }
        const Lookup ipv6 = searchProcFile(
            "/proc/net/tcp6", Connection{mapped(connection->local), mapped(connection->peer)});
        return ipv6.outcome == Outcome::Unavailable ? ipv4 : ipv6;
    } catch (const std::exception&) {  // out of memory reading the file: unknown, refused
        return {};
    }
}

}  // namespace peer_uid_detail

std::optional<uid_t> loopbackPeerUid(const sockaddr_storage& local, const sockaddr_storage& peer) {
    using peer_uid_detail::Outcome;
    auto lookup = peer_uid_detail::viaSockDiag(local, peer);
    // No netlink here (seccomp, old kernel), or an ENOENT that may only mean the kernel has no
    // inet_diag handler (a container without the module): /proc/net/tcp has the last word.
    if (lookup.outcome != Outcome::Found) {
        lookup = peer_uid_detail::viaProcNet(local, peer);
    }
    if (lookup.outcome != Outcome::Found) {
        return std::nullopt;
    }
    return lookup.uid;
}

std::optional<uid_t> loopbackPeerUid(int connectedFd) {
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t localSize = sizeof local;
    socklen_t peerSize = sizeof peer;
    if (::getsockname(connectedFd, reinterpret_cast<sockaddr*>(&local), &localSize) != 0 ||
        ::getpeername(connectedFd, reinterpret_cast<sockaddr*>(&peer), &peerSize) != 0) {
        return std::nullopt;
    }
    return loopbackPeerUid(local, peer);
}

}  // namespace taplink::api
