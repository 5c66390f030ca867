// taplinkd's real API layer in the test process (api::Dispatcher + api::UnixServer on a
// socket in a temp folder), with a caller gate that lets only kAllowedOrigin in, and the
// methods the protocol tests call through taplink-nm:
//   test.peer      (web)   -> who the daemon thinks calls: transport, caller, origin, extensionId
//   test.progress  (web)   -> topup.progress {"step":i} for i < params.count, then {"steps":count}
//   test.size      (web)   -> {"bytes": size of params.pad}
//   test.big       (web)   -> {"pad": params.bytes times "x"}
//   test.wait      (web)   -> {"waited": params.ms} after that many ms, or sooner when the
//                             connection closes (a call whose answer takes a while)
//   test.owner     (owner) -> {} (a web caller must never learn it exists)
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.hpp"
#include "api/unix_server.hpp"
#include "host_process.hpp"
#include "support.hpp"
#include "temp_dir.hpp"

namespace taplink::nm::test {

inline constexpr std::string_view kAllowedOrigin = "https://shop.test";

class NmFixture : public ::testing::Test {
  protected:
    testsupport::TempDir temp{"taplink-nm", testsupport::kOthersMayPass};
    std::string socketPath = temp.path() + "/run/taplinkd.sock";
    api::Dispatcher dispatcher{[](log::Level, std::string_view) {}};
    std::unique_ptr<api::UnixServer> server;

    NmFixture();
    ~NmFixture() override { server.reset(); }

    // True once the server has no connection left (false after the guard time).
    bool waitUntilNoConnections() const {
        return api::test::waitUntil([this] { return server->connectionCount() == 0; });
    }

    // taplink-nm started against this server, with the hello from kAllowedOrigin answered.
    std::unique_ptr<HostProcess> startGreetedHost(std::vector<std::string> arguments = {
                                                      std::string(kChromeOrigin)});
};

}  // namespace taplink::nm::test
