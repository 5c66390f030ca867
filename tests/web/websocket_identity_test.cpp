// Who a WebSocket caller of a real taplinkd can be (issue 15): the Origin header is only what
// the client wrote, so a process of another user that claims an allowed shop's origin must
// be turned away before its handshake completes, while the user's own process is upgraded;
// and the trusted UI is told whether an origin was vouched for by the browser (native
// messaging) or only claimed (the WebSocket).
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include "e2e_support.hpp"
#include "taplink/base/unique_fd.hpp"
#include "web_client.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

constexpr const char* kShop = "https://shop.test";
constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;
// What the child reports when it could not even try.
constexpr std::string_view kNoConnect = "(connect failed)";
constexpr std::string_view kNoSetuid = "(setuid failed)";

TopupBedOptions shopBed() {
    TopupBedOptions options;
    options.websocket = true;
    options.webAllowedOrigins = {kShop};
    return options;
}

// A browser's opening handshake (RFC 6455 section 4.1; the key is section 1.3's example).
std::string handshakeRequest(const std::string& host) {
    return "GET / HTTP/1.1\r\nHost: " + host +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Origin: " +
           std::string(kShop) + "\r\n\r\n";
}

struct Target {
    sockaddr_storage address{};
    socklen_t size = 0;
    std::string request;
};

Target loopbackTarget(int family, std::uint16_t port) {
    Target target;
    if (family == AF_INET) {
        auto& ipv4 = reinterpret_cast<sockaddr_in&>(target.address);
        ipv4.sin_family = AF_INET;
        ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ipv4.sin_port = htons(port);
        target.size = sizeof ipv4;
        target.request = handshakeRequest("127.0.0.1:" + std::to_string(port));
    } else {
        auto& ipv6 = reinterpret_cast<sockaddr_in6&>(target.address);
        ipv6.sin6_family = AF_INET6;
        ipv6.sin6_addr = in6addr_loopback;
        ipv6.sin6_port = htons(port);
        target.size = sizeof ipv6;
        target.request = handshakeRequest("[::1]:" + std::to_string(port));
    }
    return target;
}

[[noreturn]] void reportAndExit(int out, std::string_view bytes) {
    (void)!::write(out, bytes.data(), bytes.size());
    ::_exit(0);
}

// The forked child: becomes `uid` (when given), sends the handshake and writes to `out`
// what the server answered before it closed or the head ended. System calls only: the
// parent has threads, and another thread may have held the allocator's lock at fork().
[[noreturn]] void tryHandshake(const Target& target, std::optional<uid_t> uid, int out) {
    if (uid && (::setgroups(0, nullptr) != 0 || ::setgid(kNogroup) != 0 || ::setuid(*uid) != 0)) {
        reportAndExit(out, kNoSetuid);
    }
    const int fd = ::socket(target.address.ss_family, SOCK_STREAM, 0);
    if (fd < 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&target.address), target.size) != 0) {
        reportAndExit(out, kNoConnect);
    }
    const timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    (void)!::send(fd, target.request.data(), target.request.size(), MSG_NOSIGNAL);
    static char answer[4096];
    std::size_t size = 0;
    while (size < sizeof answer && ::memmem(answer, size, "\r\n\r\n", 4) == nullptr) {
        const ssize_t got = ::read(fd, answer + size, sizeof answer - size);
        if (got <= 0) {
            break;  // closed, reset or silent: what came so far is the answer
        }
        size += static_cast<std::size_t>(got);
    }
    reportAndExit(out, std::string_view(answer, size));
}

// What the server answered a handshake made by a child running as `uid` (or as the test's
// own user): the response head, "" when the connection was closed without one.
std::string handshakeAs(const Target& target, std::optional<uid_t> uid) {
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    const UniqueFd readEnd(pipeFds[0]);
    UniqueFd writeEnd(pipeFds[1]);
    const pid_t child = ::fork();
    if (child == 0) {
        tryHandshake(target, uid, writeEnd.get());
    }
    writeEnd.reset();
    std::string answer;
    char chunk[512];
    ssize_t got = 0;
    while ((got = ::read(readEnd.get(), chunk, sizeof chunk)) > 0) {
        answer.append(chunk, static_cast<std::size_t>(got));
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return answer;
}

bool upgraded(const std::string& answer) {
    return answer.rfind("HTTP/1.1 101", 0) == 0;
}

std::string fileText(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

class WebSocketIdentity : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root to connect as another user";
        }
    }

    // The handshake from `family`'s loopback, first as the test's own user (upgraded), then
    // as nobody (turned away before any upgrade).
    void expectOnlyTheOwnUserUpgraded(int family) {
        const Target target = loopbackTarget(family, e2e_.bed().websocketPort());
        const std::string own = handshakeAs(target, std::nullopt);
        if (family == AF_INET6 && own == kNoConnect) {
            GTEST_SKIP() << "taplinkd does not listen on ::1 here";
        }
        EXPECT_TRUE(upgraded(own)) << "the user's own process: " << own;
        const std::string foreign = handshakeAs(target, kNobody);
        ASSERT_NE(foreign, kNoSetuid);
        ASSERT_NE(foreign, kNoConnect) << "the refusal must be taplinkd's, not the network's";
        EXPECT_FALSE(upgraded(foreign)) << "uid 65534 claiming " << kShop << " got: " << foreign;
        EXPECT_TRUE(foreign.empty() || foreign.rfind("HTTP/1.1 403", 0) == 0) << foreign;
        EXPECT_TRUE(api::test::waitUntil([this] {
            return fileText(e2e_.bed().daemonLog()).find("refused a connection from uid 65534") !=
                   std::string::npos;
        })) << "the refusal is logged with the uid";
    }

    E2e e2e_{shopBed()};
};

TEST_F(WebSocketIdentity, AnotherUserClaimingAnAllowedOriginIsRefusedOnIpv4) {
    expectOnlyTheOwnUserUpgraded(AF_INET);
}

TEST_F(WebSocketIdentity, AnotherUserClaimingAnAllowedOriginIsRefusedOnIpv6) {
    expectOnlyTheOwnUserUpgraded(AF_INET6);
}

// The origin question a page's first call raises (allowed for its connection only: a
// refusal would keep the origin's domain from being asked about again for a while).
template <class Page>
json originQuestionOf(Page& page, web::TrustedUiClient& ui) {
    auto call = std::async(std::launch::async, [&page] { return page.call("readers.list"); });
    json question = ui.nextRequest();
    EXPECT_TRUE(ui.respond(question.at("id"), "allow").ok());
    EXPECT_TRUE(call.get().ok());
    return question;
}

TEST(TrustedUiOriginVouched, TrueForNativeMessagingFalseForTheWebSocket) {
    TopupBedOptions options;
    options.websocket = true;  // and no origin allowed: each page's origin is asked about
    E2e e2e(options);
    web::TrustedUiClient ui(e2e.bed().socketPath());

    web::WebSocketPage claimed(e2e.bed().websocketPort(), kShop);
    const json fromWebSocket = originQuestionOf(claimed, ui);
    EXPECT_EQ(fromWebSocket.at("transport"), "websocket");
    EXPECT_EQ(fromWebSocket.at("originVouched"), false);

    web::WebPage vouched(e2e.bed().socketPath(), kShop);
    const json fromExtension = originQuestionOf(vouched, ui);
    EXPECT_EQ(fromExtension.at("transport"), "native-messaging");
    EXPECT_EQ(fromExtension.at("originVouched"), true);
}

}  // namespace
}  // namespace taplink::testbed
