// A UnixServer on a socket in a temp folder, with test methods registered:
//   test.echo      -> its params
//   test.progress  -> notifies test.progress {"step":i} for i < params.count, then {"done":true}
//   test.block     -> waits on the gate: "released", or ApiError cancelled
//   test.fail      -> throws ApiError(params.code, params.message, params.details)
//   test.crash     -> throws std::runtime_error (an internal error)
//   test.size      -> {"bytes": size of params.pad}
//   test.order     -> reads params.orderId with the params helpers
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/unix_server.hpp"
#include "support.hpp"
#include "temp_dir.hpp"

namespace taplink::api::test {

class ServerFixture : public ::testing::Test {
  protected:
    testsupport::TempDir temp{"taplink-api", testsupport::kOthersMayPass};
    std::string socketPath = temp.path() + "/run/taplinkd.sock";
    Gate gate;
    std::mutex logMutex;
    std::vector<std::string> logLines;
    Dispatcher dispatcher{[this](log::Level /*level*/, std::string_view line) { log(line); }};
    std::unique_ptr<UnixServer> server;

    ServerFixture() { registerTestMethods(); }
    ~ServerFixture() override { server.reset(); }

    UnixServerOptions options() {
        UnixServerOptions options;
        options.socketPath = socketPath;
        options.log = [this](log::Level /*level*/, std::string_view line) { log(line); };
        return options;
    }
    void start() { start(options()); }
    void start(UnixServerOptions serverOptions) {
        server = std::make_unique<UnixServer>(dispatcher, std::move(serverOptions));
    }
    RawConnection connect() const { return RawConnection(socketPath); }

    void log(std::string_view line) {
        const std::lock_guard lock(logMutex);
        logLines.emplace_back(line);
    }
    std::string loggedText() {
        const std::lock_guard lock(logMutex);
        std::string text;
        for (const auto& line : logLines) {
            text += line + "\n";
        }
        return text;
    }

  private:
    void registerTestMethods();
};

}  // namespace taplink::api::test
