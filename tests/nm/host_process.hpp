// The built taplink-nm run the way a browser runs it: a child process with its stdin and
// stdout on pipes, the extension id on its command line. The test speaks native-messaging
// frames to it; every wait is bounded, so a host that hangs fails the test instead.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/unique_fd.hpp"

namespace taplink::nm::test {

inline constexpr std::chrono::seconds kHostGuard{15};
inline constexpr std::string_view kChromeOrigin =
    "chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjf/";

// A frame as the browser writes it: the length as a native-order uint32, then the bytes.
// Written out here rather than taken from the host's codec, so a codec bug cannot hide.
std::string frameOf(std::string_view message);
std::string frameOf(const nlohmann::json& message);
// Just a header announcing `length` bytes.
std::string headerOf(std::uint32_t length);

// A native-messaging host to start: ours or another (the benchmark's keepassxc-proxy).
struct HostCommand {
    std::string program;
    std::vector<std::string> arguments;
    // Added to our environment, from which TAPLINK_SOCKET and XDG_RUNTIME_DIR are dropped.
    std::map<std::string, std::string> environment;
};

class HostProcess {
  public:
    explicit HostProcess(const HostCommand& command);
    // The built taplink-nm. `arguments` follow the program path (default: the Chrome form);
    // `socketPath` becomes TAPLINK_SOCKET.
    HostProcess(const std::string& socketPath,
                std::vector<std::string> arguments = {std::string(kChromeOrigin)});
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;
    ~HostProcess();  // SIGKILLs the host if it still runs

    // Writes all the bytes; false when the host no longer reads (it exited).
    bool write(std::string_view bytes);
    bool writeFrame(const nlohmann::json& message) { return write(frameOf(message)); }
    void closeStdin() { in_.reset(); }
    void closeStdout() { out_.reset(); }

    // The next frame's text; nothing at EOF. Throws after kHostGuard.
    std::optional<std::string> readFrame();
    // The next frame as JSON; throws at EOF or when it is not JSON.
    nlohmann::json readJson();
    // Sends the hello with this origin and returns taplink-nm's answer.
    nlohmann::json hello(std::string_view origin);
    // A request (id, method, params) and the reply with that id; notifications before it go
    // to `notifications`.
    nlohmann::json call(int id, std::string_view method,
                        const nlohmann::json& params = nlohmann::json::object(),
                        std::vector<nlohmann::json>* notifications = nullptr);

    // True when stdout reaches EOF with no further frame (throws after kHostGuard).
    bool readsEof();
    // Waits for the exit: its status, 128 + signal when killed by one. Throws after kHostGuard.
    int waitExit();
    const std::string& errors() const { return err_; }
    // The exited host's peak resident set, in KiB (after waitExit()).
    long maxResidentKib() const { return maxResidentKib_; }

  private:
    // Reads stdout into outBuffer_ (and stderr aside) until it holds `bytes` or EOF.
    bool fill(std::size_t bytes);
    // Reads what stdout and stderr have, waiting until the deadline for something.
    void pump(std::chrono::steady_clock::time_point deadline);

    pid_t pid_ = -1;
    UniqueFd in_;
    UniqueFd out_;
    UniqueFd errPipe_;
    std::string outBuffer_;
    bool outEof_ = false;
    std::string err_;
    std::optional<int> status_;
    long maxResidentKib_ = 0;
};

}  // namespace taplink::nm::test
