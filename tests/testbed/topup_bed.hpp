// The whole product on the test bed: pcscd + vpcd + taplink-sim (a city card in slot 0, the
// secure chip in slot 1, personalised with this run's issuer keys), a PKI made by
// certs/make-pki.sh, the chip enrolled through certs/enroll-device.sh, taplink-server and
// taplinkd, each a real process with its own log in the bed folder. Used by the end-to-end
// tests, the benchmark and the README's demo.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "test_bed.hpp"

namespace taplink::testbed {

inline constexpr int kCardSlot = 0;
inline constexpr int kChipSlot = 1;
inline constexpr const char* kChipPin = "123456";
// The holder of the account that pays the merchant page's EC loads (圈存) and the PAN of the
// demo's bank card: the test bank's prefix 6288880 (certs/make-pki.sh), Luhn check digit 3.
inline constexpr const char* kDemoAccountHolder = "Demo Cardholder";
inline constexpr const char* kDemoBankPan = "6288880000008883";
// The demo account's purchase PIN (Tap & Pay above the CVM limit): a published test value.
inline constexpr const char* kDemoBankPin = "147258";

struct TopupBedOptions {
    std::string cardProfile = "city-3des";  // empty: no card at start
    std::string pkiDir;  // empty: one made for this process in /tmp, removed at its end
    bool startDaemon = true;
    bool enrollChip = true;
    bool traceApdus = false;
    // taplinkd's server client: attempts and the first backoff (short, for tests).
    int serverAttempts = 2;
    int initialBackoffMs = 50;
    int requestTimeoutMs = 5000;
    int cardWaitSeconds = 10;
    int reportRetrySeconds = 1;
    // Server and daemon settings a test may replace (empty: this run's PKI).
    int authorizationLifetimeSeconds = 300;
    std::string serverDeviceCa;
    std::string serverScriptSigningKey;
    std::string serverScriptsDir;  // empty: the source tree's scripts/recharge
    std::string daemonPinSha256;
    // The allowance key taplinkd pins (PEM public key); empty: the server's own.
    std::string daemonAllowanceKey;
    std::string daemonCaFile;
    std::string daemonProxy;  // "environment" (default: "direct"), or a proxy URL
    // Web callers (docs/api.md "Callers"): taplinkd's loopback WebSocket on a free port, the
    // origins allowed without asking, "ask" or "auto" confirmation, and what card.info tells
    // a page ("ask", "allow" or "deny").
    bool websocket = false;
    std::vector<std::string> webAllowedOrigins;
    std::string webConfirmation = "ask";
    std::string webCardInfo = "ask";
    // taplink-server's merchant listener on a free port, serving server/checkout and
    // native-messaging/sdk of the source tree (docs/server.md).
    bool merchant = false;
};

class TopupBed {
  public:
    explicit TopupBed(TopupBedOptions options = {});
    ~TopupBed();
    TopupBed(const TopupBed&) = delete;
    TopupBed& operator=(const TopupBed&) = delete;

    TestBed& bed() { return *bed_; }
    // The options; changes take effect at the next startServer() or startDaemon() (e.g.
    // webAllowedOrigins = {merchantUrl()} once the merchant port is known).
    TopupBedOptions& options() { return options_; }
    const std::string& pkiDir() const { return pkiDir_; }
    std::string dir() const { return bed_->dir(); }

    // taplink-server.
    void startServer();
    void stopServer();
    // SIGSTOP and SIGCONT: a server that accepts connections (the kernel does) but answers
    // nothing, so that a test can hold taplinkd inside a server call.
    void pauseServer();
    void resumeServer();
    const std::string& serverUrl() const { return serverUrl_; }
    // "https://localhost:PORT" of the merchant listener (options.merchant); empty without.
    std::string merchantUrl() const;
    std::uint16_t merchantPort() const { return merchantPort_; }
    std::string serverConfig() const { return dir() + "/server.json"; }
    // Runs `taplink-server ARGS --config ... --json` and parses its output.
    nlohmann::json serverCommand(const std::vector<std::string>& args) const;
    // A new order for amount yuan ("50.00"); returns its id.
    std::string createOrder(const std::string& amount) const;
    // A request to the server's admin socket (curl --unix-socket); the parsed answer.
    nlohmann::json serverAdmin(const std::string& method, const std::string& path,
                               const nlohmann::json& body = nullptr) const;
    // What the server's ledger says this card was loaded with, in fen.
    std::uint64_t settledTotal(const std::string& cardSerialHex) const;

    // taplinkd.
    void startDaemon();
    // SIGTERM (or SIGKILL: a crash) and wait.
    void stopDaemon(bool kill = false);
    bool daemonRunning();
    std::string socketPath() const { return dir() + "/run/taplinkd.sock"; }
    std::string daemonConfig() const { return dir() + "/taplinkd.json"; }
    std::string journalPath() const { return dir() + "/state/journal.sqlite"; }
    std::string daemonLog() const { return dir() + "/taplinkd.log"; }
    // taplinkd's WebSocket port on 127.0.0.1 and ::1 (options.websocket; 0 without). Picked
    // free when the bed is made, kept across daemon restarts.
    std::uint16_t websocketPort() const { return websocketPort_; }

    // The path of a built program (taplink, taplinkd, taplink-server, taplink-enroll).
    static std::string program(const std::string& name);

  private:
    void makePki();
    void enrollChip();
    void writeServerConfig() const;
    void writeDaemonConfig() const;
    nlohmann::json serverConfigJson() const;
    nlohmann::json webConfigJson() const;
    // Reads the port of the log line `prefix` + PORT written after the first `from` bytes.
    int portFromLog(const std::string& log, const std::string& prefix, std::size_t from) const;

    TopupBedOptions options_;
    std::string pkiDir_;
    std::unique_ptr<TestBed> bed_;
    testsupport::ChildProcess server_;
    int serverPort_ = 0;  // 0 until the first start picks one; a restart keeps it
    std::string serverUrl_;
    std::uint16_t merchantPort_ = 0;  // 0 until the first start picks one; a restart keeps it
    std::uint16_t websocketPort_ = 0;
    testsupport::ChildProcess daemon_;
};

// A TCP port on 127.0.0.1 that nothing listens on now (bound to port 0, read, closed): for a
// program that must be told its port. Also checks that ::1 has it free when IPv6 is there.
std::uint16_t freeLoopbackPort();

// Waits until the file contains text after its first `from` bytes; false on timeout or when
// the process ends first.
bool waitForLogLine(const std::string& path, const std::string& text,
                    std::chrono::milliseconds timeout, testsupport::ChildProcess* process = nullptr,
                    std::size_t from = 0);

}  // namespace taplink::testbed
