// A real taplink-server process per test: a temporary PKI, configuration, scripts folder and
// database, a device certificate for the default chip, and clients for both APIs.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_clients.hpp"
#include "test_pki.hpp"

namespace taplink::servertest {

inline constexpr const char* kServerPath = TAPLINK_SERVER_PATH;
inline constexpr const char* kCityScheme = "city-epurse";

// The wall clock in Unix seconds, as the server stamps its records.
inline std::int64_t unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A long-running taplink-server whose first stdout line says it is ready; its stderr is
// captured. Gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).
class ServerProcess {
  public:
    // Starts argv; returns its first stdout line, or nullopt when it exited (or said nothing)
    // within the timeout; then exitCode() and errors() tell why.
    std::optional<std::string> start(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The next line it writes on stdout after the first, or nullopt when none comes within
    // the timeout (the process keeps running).
    std::optional<std::string> nextLine(
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM, then waits (SIGKILL after the grace period). The exit code; 128 + signal after
    // one.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
    // Started and not stopped (it may have ended on its own: stop() tells how).
    bool running() const { return process_.pid() > 0 && !exitCode_; }
    std::string errors() const { return process_.errors(); }
    std::optional<int> exitCode() const { return exitCode_; }

  private:
    testsupport::ChildProcess process_;
    std::optional<int> exitCode_;
};

// The configuration of a test server in dir; each field can be changed before starting.
struct ServerSetup {
    std::string host = "127.0.0.1";
    std::string adminSocket = "run/admin.sock";
    std::int64_t maxOrderAmount = 100000;
    std::int64_t maxCardBalance = 100000;
    // The "merchant" object (the merchant listener) when it is one; none without.
    nlohmann::json merchant = nullptr;
    // The "tsm" object (the TSM role) when it is one; none without.
    nlohmann::json tsm = nullptr;

    nlohmann::json configuration() const;
};

class ServerTest : public ::testing::Test {
  protected:
    ServerTest();

    void SetUp() override;
    void TearDown() override;

    // Writes the configuration and starts the server; false (with the reason in the test
    // log) when it does not come up.
    bool startServer();

    // Gives the server the TSM role with the test master key (protocol::testTsmMasterKey);
    // call before ServerTest::SetUp starts the server.
    void useTestTsmKeys();

    std::string configPath() const { return tmp.path() + "/server.json"; }
    std::string adminSocket() const { return tmp.path() + "/" + setup.adminSocket; }
    std::string scriptsDir() const { return tmp.path() + "/scripts"; }
    DeviceClient clientFor(const Device& who, bool tls12Only = false) const;

    // Admin calls; each expects the status given.
    std::string createOrder(std::uint32_t fen);
    nlohmann::json showOrder(const std::string& orderId);
    // A change behind the server's back, on its database file (WAL: seen at its next read).
    void changeDatabase(const std::string& sql) const;
    Answer admin(const std::string& method, const std::string& path,
                 const nlohmann::json& body = nullptr) const {
        return adminRequest(adminSocket(), method, path, body);
    }

    TempDir tmp;
    TestPki pki;
    ServerSetup setup;
    ServerProcess server;
    std::uint16_t port = 0;
    std::uint16_t merchantPort = 0;  // when setup.merchant configured the merchant listener
    Device device;                   // chip 544C434800000001, signed by the device CA
    std::unique_ptr<DeviceClient> client;
};

}  // namespace taplink::servertest
