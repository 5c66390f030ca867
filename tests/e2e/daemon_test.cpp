// taplinkd's non-money API end to end: readers and card events, missing parts reported
// clearly, and the CLI's exit codes for them.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "e2e_support.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

// Runs the CLI and returns its exit status.
int cliExit(const std::vector<std::string>& args) {
    std::vector<std::string> argv{TopupBed::program("taplink")};
    argv.insert(argv.end(), args.begin(), args.end());
    testsupport::SpawnOptions options;
    options.out = testsupport::Stream::null();
    options.err = testsupport::Stream::null();
    return testsupport::run(argv, options).exitCode;
}

TEST(Daemon, CardEventsReachSubscribers) {
    E2e e2e;
    auto client = api::Client::connect(e2e.bed().socketPath());
    const std::string reader = e2e.bed().bed().readerName(kCardSlot);
    std::vector<std::string> seen;
    std::thread pull([&e2e] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        e2e.bed().bed().sim().remove(kCardSlot);
        e2e.bed().bed().sim().reinsert(kCardSlot);
    });
    client.subscribe({"card.inserted", "card.removed"}, [&](const api::Notification& event) {
        const std::string line = event.method + " " + event.params.at("reader").get<std::string>();
        // The daemon's start-up reports the cards already there; what matters is what follows
        // the removal.
        if (!seen.empty() || line == "card.removed " + reader) {
            seen.push_back(line);
        }
        return seen.size() < 2;
    });
    pull.join();
    EXPECT_EQ(seen,
              (std::vector<std::string>{"card.removed " + reader, "card.inserted " + reader}));
}

TEST(Daemon, AMissingCardOrPcscdIsSaidPlainly) {
    E2e e2e;
    const std::string socket = e2e.bed().socketPath();
    e2e.bed().bed().sim().remove(kCardSlot);
    ASSERT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, false));
    EXPECT_EQ(e2e.call("card.info").code, "no_card");
    EXPECT_EQ(cliExit({"balance", "--socket", socket}), 5);

    e2e.bed().bed().stopPcscd();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(e2e.call("readers.list").code, "pcsc_unavailable");
    EXPECT_EQ(cliExit({"readers", "--socket", socket}), 4);
    e2e.bed().bed().startPcscd();
}

TEST(Daemon, AMissingServerOrDaemonIsSaidPlainly) {
    E2e e2e;
    const std::string socket = e2e.bed().socketPath();
    const std::string order = e2e.bed().createOrder("1.00");
    e2e.bed().stopServer();
    EXPECT_EQ(cliExit({"topup", "--order", order, "--socket", socket}), 6);
    e2e.bed().stopDaemon();
    EXPECT_EQ(cliExit({"balance", "--socket", socket}), 3);
}

}  // namespace
}  // namespace taplink::testbed

namespace taplink::testbed {
namespace {

// A port nobody listens on right now (the kernel's pick for a bind to port 0).
int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool found = fd >= 0 &&
                       ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!found) {
        throw std::runtime_error("no free loopback port");
    }
    return ntohs(address.sin_port);
}

// A real HTTP CONNECT proxy (tinyproxy) on loopback; the daemon's traffic must go through it.
class Proxy {
  public:
    explicit Proxy(const std::string& dir) : log_(dir + "/proxy.log") {
        port_ = freeLoopbackPort();
        const std::string conf = dir + "/tinyproxy.conf";
        std::ofstream(conf) << "Port " << port_ << "\nListen 127.0.0.1\nAllow 127.0.0.1\n"
                            << "LogFile \"" << log_ << "\"\nLogLevel Connect\nMaxClients 10\n";
        process_ = spawnLogged({"/usr/bin/tinyproxy", "-d", "-c", conf}, dir + "/proxy.out");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string log() const {
        std::ifstream in(log_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

  private:
    std::string log_;
    int port_ = 0;
    testsupport::ChildProcess process_;
};

TEST(Daemon, AConfiguredProxyCarriesTheServerTraffic) {
    const std::string dir = "/tmp/taplink-proxy-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    Proxy proxy(dir);
    TopupBedOptions options;
    options.daemonProxy = proxy.url();
    {
        E2e e2e(options);
        const std::string order = e2e.bed().createOrder("5.00");
        const Outcome topup = e2e.topup(order);
        ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
        EXPECT_NE(proxy.log().find("CONNECT"), std::string::npos) << proxy.log();
    }
    std::filesystem::remove_all(dir);
}

TEST(Daemon, ADeadProxyIsReportedAsAnUnreachableServer) {
    TopupBedOptions options;
    options.daemonProxy = "http://127.0.0.1:9";  // discard port: nobody listens
    E2e e2e(options);
    const Outcome topup = e2e.topup(e2e.bed().createOrder("5.00"));
    EXPECT_EQ(topup.code, "server_unreachable") << topup.message;
}

}  // namespace
}  // namespace taplink::testbed
