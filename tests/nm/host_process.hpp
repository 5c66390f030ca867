// The built taplink-nm run the way a browser runs it: a child process (testsupport's
// ChildProcess) with its stdin and stdout on pipes, the extension id on its command line. The
// test speaks native-messaging frames to it; every wait is bounded, so a host that hangs fails
// the test instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"

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

// Destroyed, it SIGKILLs the host if that still runs.
class HostProcess {
  public:
    explicit HostProcess(const HostCommand& command);
    // The built taplink-nm. `arguments` follow the program path (default: the Chrome form);
    // `socketPath` becomes TAPLINK_SOCKET.
    HostProcess(const std::string& socketPath,
                std::vector<std::string> arguments = {std::string(kChromeOrigin)});

    // Writes all the bytes; false when the host no longer reads (it exited).
    bool write(std::string_view bytes) { return process_.write(bytes, kHostGuard); }
    bool writeFrame(const nlohmann::json& message) { return write(frameOf(message)); }
    void closeStdin() { process_.closeStdin(); }
    void closeStdout() { process_.closeStdout(); }

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
    std::string errors() const { return process_.errors(); }
    // The exited host's peak resident set, in KiB (after waitExit()).
    long maxResidentKib() const { return process_.maxResidentKib(); }

  private:
    testsupport::ChildProcess process_;
};

}  // namespace taplink::nm::test
