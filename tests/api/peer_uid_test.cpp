// Who is at the other end of a loopback TCP connection (api/peer_uid.hpp), on real sockets:
// both ways of asking (sock_diag and /proc/net/tcp*), IPv4 and IPv6, a socket of another
// user (as root), a connection that does not exist, and the WebSocket server closing a
// connection of another user before its handshake.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "api/peer_uid.hpp"
#include "ws_fixture.hpp"

namespace taplink::api::test {
namespace {

using peer_uid_detail::Outcome;

constexpr uid_t kNobody = 65534;

sockaddr_storage loopbackAddress(int family, std::uint16_t port) {
    sockaddr_storage storage{};
    if (family == AF_INET) {
        auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
        ipv4.sin_family = AF_INET;
        ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ipv4.sin_port = htons(port);
    } else {
        auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
        ipv6.sin6_family = AF_INET6;
        ipv6.sin6_addr = in6addr_loopback;
        ipv6.sin6_port = htons(port);
    }
    return storage;
}

socklen_t sizeOf(int family) {
    return family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

std::uint16_t portOf(const sockaddr_storage& address) {
    return ntohs(address.ss_family == AF_INET
                     ? reinterpret_cast<const sockaddr_in&>(address).sin_port
                     : reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
}

// A listener on the loopback of `family`; nothing when the host has no such loopback.
std::optional<UniqueFd> loopbackListener(int family) {
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const auto address = loopbackAddress(family, 0);
    if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeOf(family)) != 0 ||
        ::listen(fd.get(), 4) != 0) {
        return std::nullopt;
    }
    return fd;
}

sockaddr_storage localAddressOf(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size), 0);
    return address;
}

UniqueFd connectTo(const sockaddr_storage& address) {
    UniqueFd fd(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(
        ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeOf(address.ss_family)),
        0);
    return fd;
}

// The next connection; an empty one when none came within a few seconds.
UniqueFd acceptFrom(int listener) {
    constexpr int kWaitMs = 5000;
    pollfd waiting{listener, POLLIN, 0};
    if (::poll(&waiting, 1, kWaitMs) != 1) {
        ADD_FAILURE() << "nobody connected";
        return UniqueFd();
    }
    UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    EXPECT_TRUE(fd);
    return fd;
}

struct Addresses {
    sockaddr_storage local{};
    sockaddr_storage peer{};
};

Addresses addressesOf(int acceptedFd) {
    Addresses addresses;
    socklen_t size = sizeof addresses.peer;
    EXPECT_EQ(::getpeername(acceptedFd, reinterpret_cast<sockaddr*>(&addresses.peer), &size), 0);
    addresses.local = localAddressOf(acceptedFd);
    return addresses;
}

void expectOwnUid(int family) {
    auto listener = loopbackListener(family);
    if (!listener) {
        GTEST_SKIP() << "no loopback for address family " << family;
    }
    const UniqueFd client = connectTo(localAddressOf(listener->get()));
    const UniqueFd accepted = acceptFrom(listener->get());
    const auto [local, peer] = addressesOf(accepted.get());

    EXPECT_EQ(loopbackPeerUid(local, peer), ::getuid());
    EXPECT_EQ(loopbackPeerUid(accepted.get()), ::getuid());
    for (const auto lookup :
         {peer_uid_detail::viaSockDiag(local, peer), peer_uid_detail::viaProcNet(local, peer)}) {
        EXPECT_EQ(lookup.outcome, Outcome::Found);
        EXPECT_EQ(lookup.uid, ::getuid());
    }
}

TEST(LoopbackPeerUid, FindsTheOwnUidOfAnIpv4Peer) {
    expectOwnUid(AF_INET);
}

TEST(LoopbackPeerUid, FindsTheOwnUidOfAnIpv6Peer) {
    expectOwnUid(AF_INET6);
}

TEST(LoopbackPeerUid, AConnectionThatDoesNotExistHasNoUid) {
    auto listener = loopbackListener(AF_INET);
    ASSERT_TRUE(listener);
    const auto local = localAddressOf(listener->get());
    // A port nobody connects from: another listener's, so that it is surely not in use as a
    // client port toward ours.
    auto other = loopbackListener(AF_INET);
    ASSERT_TRUE(other);
    const auto peer = loopbackAddress(AF_INET, portOf(localAddressOf(other->get())));

    EXPECT_EQ(loopbackPeerUid(local, peer), std::nullopt);
    EXPECT_EQ(peer_uid_detail::viaSockDiag(local, peer).outcome, Outcome::NotFound);
    EXPECT_EQ(peer_uid_detail::viaProcNet(local, peer).outcome, Outcome::NotFound);
}

TEST(LoopbackPeerUid, AnAddressThatIsNotTcpIpHasNoUid) {
    sockaddr_storage unix{};
    unix.ss_family = AF_UNIX;
    EXPECT_EQ(loopbackPeerUid(unix, unix), std::nullopt);
    EXPECT_EQ(loopbackPeerUid(-1), std::nullopt);
}

// The peer's uid, not ours: a child of another user connects (only root can become one).
TEST(LoopbackPeerUid, FindsTheUidOfAnotherUsersPeer) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to connect as another user";
    }
    auto listener = loopbackListener(AF_INET);
    ASSERT_TRUE(listener);
    const auto address = localAddressOf(listener->get());
    int hold[2];
    ASSERT_EQ(::pipe2(hold, O_CLOEXEC), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // only system calls here: the parent may have had threads
        char done = 0;
        // The socket is created after setuid(): the kernel records its creator's uid.
        const bool becameNobody = ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0;
        const int fd = becameNobody ? ::socket(AF_INET, SOCK_STREAM, 0) : -1;
        const bool connected = fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&address),
                                                    sizeof(sockaddr_in)) == 0;
        ::close(hold[1]);
        (void)!::read(hold[0], &done, 1);  // stay connected until the parent has looked
        ::_exit(connected ? 0 : 1);
    }
    ::close(hold[0]);
    // Not before the child has connected as nobody: the socket it creates is nobody's.
    const UniqueFd accepted = acceptFrom(listener->get());
    EXPECT_EQ(loopbackPeerUid(accepted.get()), kNobody);
    ::close(hold[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

using WebSocketPeerUidTest = WebSocketFixture;

TEST_F(WebSocketPeerUidTest, AnotherUsersConnectionIsClosedBeforeItsHandshake) {
    auto serverOptions = options();
    serverOptions.allowedUid = ::getuid() + 1;  // as if the test were another user
    start(serverOptions);
    auto client = connect();
    EXPECT_TRUE(client.waitForEof()) << "closed without a handshake";
    EXPECT_EQ(server->connectionCount(), 0U);
    EXPECT_NE(loggedText().find("refused a connection from uid " + std::to_string(::getuid())),
              std::string::npos)
        << loggedText();
}

TEST_F(WebSocketPeerUidTest, TheOwnUsersConnectionIsUpgraded) {
    start();
    auto client = open();
    client.sendJson(request(1, "api.version"));
    EXPECT_EQ(client.readJson()["id"], 1);
    EXPECT_EQ(loggedText().find("refused a connection"), std::string::npos);
}

}  // namespace
}  // namespace taplink::api::test
