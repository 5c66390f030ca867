// An `openssl s_server` of the test's own on 127.0.0.1, started and stopped by the test.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"

namespace taplink::testing {

inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `openssl s_server -accept 127.0.0.1:0 ARGS...` with its output in logPath; the port is the
// one it reports ("ACCEPT 127.0.0.1:PORT"). Stopped (SIGTERM, then SIGKILL after 5 s) when
// destroyed.
class OpensslServer {
  public:
    OpensslServer(const std::vector<std::string>& arguments, std::string logPath)
        : logPath_(std::move(logPath)) {
        std::vector<std::string> argv{"openssl", "s_server", "-accept", "127.0.0.1:0"};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        testsupport::SpawnOptions options;
        options.in = testsupport::Stream::null();
        options.out = testsupport::Stream::file(logPath_);
        options.err = testsupport::Stream::toStdout();
        options.stopGrace = std::chrono::seconds(5);
        process_ = testsupport::ChildProcess(argv, options);
        port_ = waitForPort();
    }

    std::uint16_t port() const { return port_; }
    std::string log() const { return readText(logPath_); }

  private:
    std::uint16_t waitForPort() {
        const std::string marker = "ACCEPT 127.0.0.1:";
        for (int attempt = 0; attempt < 500 && process_.running(); ++attempt) {
            const std::string text = log();
            if (const auto at = text.find(marker); at != std::string::npos) {
                return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        throw std::runtime_error("openssl s_server did not start: " + log());
    }

    std::string logPath_;
    testsupport::ChildProcess process_;
    std::uint16_t port_ = 0;
};

}  // namespace taplink::testing
