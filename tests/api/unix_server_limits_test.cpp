// The Unix-socket server when accept() runs out of descriptors (issue 15): it backs off
// instead of polling its still-readable listener in a loop, logs the failure once, and
// serves again once descriptors are free.
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "server_fixture.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api::test {
namespace {

using namespace std::chrono_literals;

class UnixServerLimitsTest : public ServerFixture {};

std::chrono::microseconds cpuTimeOfProcess() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto toMicros = [](const timeval& time) {
        return std::chrono::seconds(time.tv_sec) + std::chrono::microseconds(time.tv_usec);
    };
    return toMicros(usage.ru_utime) + toMicros(usage.ru_stime);
}

std::size_t openDescriptors() {
    std::size_t count = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (::readdir(dir) != nullptr) {
            ++count;
        }
        ::closedir(dir);
    }
    return count;
}

// A connection attempt; an empty fd once this process has no descriptor left.
UniqueFd connectTo(const std::string& path) {
    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket) {
        return socket;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    // A refused connect still holds the descriptor, which is what the test needs.
    [[maybe_unused]] const int connected =
        ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    return socket;
}

// This process's soft limit lowered to a few descriptors over what is open; put back after.
class TightFileLimit {
  public:
    explicit TightFileLimit(std::size_t spare) {
        ::getrlimit(RLIMIT_NOFILE, &saved_);
        rlimit tight = saved_;
        tight.rlim_cur = openDescriptors() + spare;
        ::setrlimit(RLIMIT_NOFILE, &tight);
    }
    TightFileLimit(const TightFileLimit&) = delete;
    TightFileLimit& operator=(const TightFileLimit&) = delete;
    ~TightFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

  private:
    rlimit saved_{};
};

TEST_F(UnixServerLimitsTest, OutOfDescriptorsTheServerBacksOffInsteadOfSpinning) {
    auto serverOptions = options();
    serverOptions.maxConnections = 1000;  // every accepted connection keeps its descriptor
    start(serverOptions);
    std::vector<UniqueFd> clients;
    {
        const TightFileLimit limit(40);
        for (UniqueFd client = connectTo(socketPath); client; client = connectTo(socketPath)) {
            clients.push_back(std::move(client));
        }
        // Connected clients the server could not accept keep its listener readable. A spin
        // takes a whole core (about 500 ms of the second here); backing off about 1 ms.
        std::this_thread::sleep_for(200ms);
        const auto cpuBefore = cpuTimeOfProcess();
        std::this_thread::sleep_for(1s);
        const auto cpuUsed = cpuTimeOfProcess() - cpuBefore;
        EXPECT_LT(cpuUsed, 100ms) << "the I/O thread spins on accept()";
    }
    const std::string text = loggedText();
    EXPECT_NE(text.find("accept: "), std::string::npos) << text;
    EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 5) << text;

    clients.clear();
    auto owner = connect();
    owner.sendJson(request(1, method::kApiVersion));
    EXPECT_TRUE(owner.readJson().contains("result"));
}

}  // namespace
}  // namespace taplink::api::test
