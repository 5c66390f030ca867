// Issue 15, item 5: peers that connect to the WebSocket and never finish the handshake must
// not take the descriptors the rest of taplinkd needs. A real taplinkd runs with a small
// file limit (soft 200, hard 320) and no pcscd; the test floods its WebSocket port with
// more bare TCP connections than that limit, then calls it as the owner.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "support.hpp"
#include "taplink/base/unique_fd.hpp"
#include "taplink/protocol/api_names.hpp"
#include "temp_dir.hpp"

namespace taplink::api::test {
namespace {

using namespace std::chrono_literals;
using testsupport::ChildProcess;
using testsupport::TempDir;

constexpr rlim_t kDaemonSoftLimit = 200;
constexpr rlim_t kDaemonHardLimit = 320;
constexpr int kFloodConnections = 400;  // more than the daemon's whole limit
// A public key (no private half kept): taplinkd wants one trusted script key to start.
constexpr const char* kScriptKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8JfZLcTmwh8hRV4HjSPUZkYRqyqm\n"
    "7P+lt8d1bhU9FzCih7lQeTtm+seqI1u9n9/NuQUxPNJMj2eYoiP99es0pA==\n"
    "-----END PUBLIC KEY-----\n";

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::uint16_t freeLoopbackPort() {
    const UniqueFd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0 ||
        ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        throw std::system_error(errno, std::generic_category(), "no free loopback port");
    }
    return ntohs(address.sin_port);
}

// A connection that sends nothing, not even the start of a handshake.
UniqueFd bareConnection(std::uint16_t port) {
    UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    // EINPROGRESS or connected: either way it waits on taplinkd.
    [[maybe_unused]] const int started =
        ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    return socket;
}

// True when taplinkd closed it (EOF or reset).
bool closedByPeer(const UniqueFd& socket) {
    char byte = 0;
    const ssize_t n = ::recv(socket.get(), &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINPROGRESS &&
                      errno != ENOTCONN);
}

std::size_t countLinesWith(const std::string& text, std::string_view needle) {
    std::istringstream lines(text);
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(needle) != std::string::npos) {
            ++count;
        }
    }
    return count;
}

// The test's own soft limit raised for the flood's sockets; put back afterwards.
class OwnFileLimit {
  public:
    OwnFileLimit() {
        ::getrlimit(RLIMIT_NOFILE, &saved_);
        rlimit raised = saved_;
        raised.rlim_cur = raised.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &raised);
    }
    OwnFileLimit(const OwnFileLimit&) = delete;
    OwnFileLimit& operator=(const OwnFileLimit&) = delete;
    ~OwnFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

  private:
    rlimit saved_{};
};

class FdExhaustionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        port_ = freeLoopbackPort();
        writeFile(dir_.file("script.pub.pem"), kScriptKey);
        writeFile(dir_.file("ca.crt"), "");
        const nlohmann::json config{{"server",
                                     {{"url", "https://127.0.0.1:1"},
                                      {"caFile", dir_.file("ca.crt")},
                                      {"pinSha256", "00"},
                                      {"allowanceKeys", {dir_.file("script.pub.pem")}},
                                      {"proxy", "direct"}}},
                                    {"scripts", {{"trustedKeys", {dir_.file("script.pub.pem")}}}},
                                    {"chip", {{"reader", "none"}, {"pin", "1234"}}},
                                    {"cards", {{"reader", "none"}}},
                                    {"journal", dir_.file("journal.db")},
                                    {"socket", socketPath()},
                                    {"web", {{"websocket", {{"enabled", true}, {"port", port_}}}}}};
        writeFile(dir_.file("taplinkd.json"), config.dump());
        ::chmod(dir_.file("taplinkd.json").c_str(), 0600);
    }

    void startDaemon() {
        testsupport::SpawnOptions options;
        options.err = testsupport::Stream::capture();
        options.out = testsupport::Stream::capture();
        options.stopGrace = 5s;
        options.beforeExec = [] {
            const rlimit small{kDaemonSoftLimit, kDaemonHardLimit};
            return ::setrlimit(RLIMIT_NOFILE, &small) == 0 ? 0 : 126;
        };
        daemon_ = ChildProcess({TAPLINKD_PATH, "--config", dir_.file("taplinkd.json")}, options);
        ASSERT_TRUE(waitUntil([&] { return log().find("WebSocket on") != std::string::npos; }))
            << log();
    }

    std::string log() const { return daemon_.errors(); }
    std::string socketPath() const { return dir_.path() + "/run/taplinkd.sock"; }

    TempDir dir_{"taplink-fd"};
    std::uint16_t port_ = 0;
    ChildProcess daemon_;
};

TEST_F(FdExhaustionTest, TheOwnerIsServedWhileTheWebSocketIsFloodedWithBareConnections) {
    startDaemon();
    const OwnFileLimit ownLimit;
    std::vector<UniqueFd> flood;
    flood.reserve(kFloodConnections);
    for (int i = 0; i < kFloodConnections; ++i) {
        flood.push_back(bareConnection(port_));
    }
    std::this_thread::sleep_for(1s);  // lws takes what it will; before the fix, all it can

    RawConnection owner(socketPath());
    owner.sendJson(request(1, method::kApiVersion));
    const auto reply = owner.readJson();  // within kGuard (10 s), else it throws
    EXPECT_TRUE(reply.contains("result")) << reply.dump();

    // The ones taplinkd took are dropped once the 5 s for a handshake are over.
    EXPECT_TRUE(
        waitUntil([&] { return std::count_if(flood.begin(), flood.end(), closedByPeer) >= 1; }));
    const std::string text = log();
    EXPECT_NE(text.find("file descriptor limit: 320"), std::string::npos) << text;
    EXPECT_NE(text.find("WebSocket: at most"), std::string::npos) << text;
    EXPECT_LT(countLinesWith(text, "accept"), 20U) << text.substr(0, 4000);
    EXPECT_TRUE(daemon_.running()) << text.substr(0, 4000);
}

}  // namespace
}  // namespace taplink::api::test
