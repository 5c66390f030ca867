#include "topup_bed.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace taplink::testbed {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr int kPortAttempts = 20;
constexpr const char* kServerListening = "listening on https://";
constexpr const char* kMerchantListening = "merchant on https://localhost:";

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void writePrivateFile(const std::string& path, const std::string& text) {
    {
        std::ofstream out(path, std::ios::trunc);
        out << text;
    }
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

void makePrivateDir(const std::string& path) {
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all);
}

// The PKI is made once per test process (a second or so of key generation) and removed
// when the process ends.
std::string processPkiDir() {
    static const std::string dir = [] {
        std::string path = "/tmp/taplink-pki-" + std::to_string(::getpid());
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all("/tmp/taplink-pki-" + std::to_string(::getpid()), ignored);
        });
        return path;
    }();
    return dir;
}

// A socket bound to the loopback address of family at port (0: any), or an invalid one.
UniqueFd bindLoopback(int family, std::uint16_t port) {
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return fd;
    }
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        in6->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
        in4->sin_family = AF_INET;
        in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        in4->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    }
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        return UniqueFd();
    }
    return fd;
}

std::uint16_t boundPort(int fd) {
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    return ntohs(bound.sin_port);
}

bool hasIpv6Loopback() {
    return static_cast<bool>(bindLoopback(AF_INET6, 0));
}

}  // namespace

std::uint16_t freeLoopbackPort() {
    const bool ipv6 = hasIpv6Loopback();
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        const UniqueFd v4 = bindLoopback(AF_INET, 0);
        if (!v4) {
            break;
        }
        const std::uint16_t port = boundPort(v4.get());
        if (!ipv6 || bindLoopback(AF_INET6, port)) {
            return port;
        }
    }
    throw std::runtime_error("topup bed: no free loopback port");
}

std::string TopupBed::program(const std::string& name) {
    if (name == "taplinkd") {
        return TAPLINKD_PATH;
    }
    if (name == "taplink") {
        return TAPLINK_CLI_PATH;
    }
    if (name == "taplink-server") {
        return TAPLINK_SERVER_PATH;
    }
    if (name == "taplink-enroll") {
        return TAPLINK_ENROLL_PATH;
    }
    throw std::invalid_argument("no program named " + name);
}

bool waitForLogLine(const std::string& path, const std::string& text,
                    std::chrono::milliseconds timeout, testsupport::ChildProcess* process,
                    std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (readFile(path).find(text, from) != std::string::npos) {
            return true;
        }
        if (process != nullptr && !process->running()) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

TopupBed::TopupBed(TopupBedOptions options)
    : options_(std::move(options)),
      pkiDir_(options_.pkiDir.empty() ? processPkiDir() : options_.pkiDir) {
    makePki();
    Options bedOptions;
    bedOptions.traceApdus = options_.traceApdus;
    bedOptions.cards.emplace_back(kChipSlot, "secure-chip");
    if (!options_.cardProfile.empty()) {
        bedOptions.cards.emplace_back(kCardSlot, options_.cardProfile);
    }
    // The chip is made with the PKI's TSM master key, which taplink-server's TSM role holds.
    bedOptions.simArguments = {"--issuer-keys", pkiDir_ + "/issuers.json", "--tsm-keys",
                               pkiDir_ + "/tsm-keys.json"};
    bed_ = std::make_unique<TestBed>(bedOptions);
    if (!bed_->waitForCard(kChipSlot, true)) {
        throw std::runtime_error("topup bed: the secure chip did not come up");
    }
    if (options_.enrollChip) {
        enrollChip();
    }
    makePrivateDir(dir() + "/run");
    makePrivateDir(dir() + "/state");
    if (options_.websocket) {
        websocketPort_ = freeLoopbackPort();
    }
    startServer();
    if (options_.startDaemon) {
        startDaemon();
    }
}

namespace {
// A crash, a leak or another sanitizer report in taplinkd or the server at a clean stop is a
// defect: fail loudly, as the test bed does for the simulator.
void requireCleanExit(const std::optional<int>& status, const char* name, const std::string& log) {
    if (status && !(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)) {
        std::cerr << "topup bed: " << name << " ended with wait status " << *status
                  << "; its log:\n"
                  << readLogTail(log) << std::endl;
        std::abort();
    }
}
}  // namespace

TopupBed::~TopupBed() {
    requireCleanExit(daemon_.stop(), "taplinkd", daemonLog());
    requireCleanExit(server_.stop(), "taplink-server", dir() + "/server.log");
}

void TopupBed::makePki() {
    testsupport::runChecked(
        {"/bin/bash", std::string(TAPLINK_SOURCE_DIR) + "/certs/make-pki.sh", pkiDir_});
}

void TopupBed::enrollChip() {
    testsupport::runChecked({"/bin/bash",
                             std::string(TAPLINK_SOURCE_DIR) + "/certs/enroll-device.sh", pkiDir_,
                             "--reader", bed_->readerName(kChipSlot), "--pin", kChipPin, "--enroll",
                             program("taplink-enroll")});
}

json TopupBed::serverConfigJson() const {
    json config{{"listen", {{"host", "127.0.0.1"}, {"port", serverPort_}}},
                {"tls",
                 {{"certificateChain", pkiDir_ + "/server-chain.crt"},
                  {"privateKey", pkiDir_ + "/server.key"},
                  {"deviceCa", options_.serverDeviceCa.empty() ? pkiDir_ + "/device-ca.crt"
                                                               : options_.serverDeviceCa}}},
                {"scriptSigningKey", options_.serverScriptSigningKey.empty()
                                         ? pkiDir_ + "/script-signing.key"
                                         : options_.serverScriptSigningKey},
                {"allowanceSigningKey", pkiDir_ + "/allowance-signing.key"},
                {"authorizationLifetimeSeconds", options_.authorizationLifetimeSeconds},
                {"scriptsDir", options_.serverScriptsDir.empty()
                                   ? std::string(TAPLINK_SOURCE_DIR) + "/scripts/recharge"
                                   : options_.serverScriptsDir},
                {"issuers", pkiDir_ + "/issuers.json"},
                {"tsm", {{"keysFile", pkiDir_ + "/tsm-keys.json"}}},
                {"database", dir() + "/state/server.db"},
                {"adminSocket", dir() + "/run/server-admin.sock"}};
    if (options_.merchant) {
        config["merchant"] = {{"host", "127.0.0.1"},
                              {"port", merchantPort_},
                              {"checkoutDir", std::string(TAPLINK_SOURCE_DIR) + "/server/checkout"},
                              {"sdkDir", std::string(TAPLINK_SOURCE_DIR) + "/native-messaging/sdk"},
                              {"demoAccountHolder", kDemoAccountHolder}};
    }
    return config;
}

void TopupBed::writeServerConfig() const {
    writePrivateFile(serverConfig(), serverConfigJson().dump(2));
}

int TopupBed::portFromLog(const std::string& log, const std::string& prefix,
                          std::size_t from) const {
    const std::string text = readFile(log);
    const auto at = text.find(prefix, from);
    const auto end = text.find('\n', at);
    const std::string address = text.substr(at, end - at);  // ...HOST:PORT[/]
    return std::stoi(address.substr(address.rfind(':') + 1));
}

void TopupBed::startServer() {
    writeServerConfig();
    const std::string log = dir() + "/server.log";
    const std::size_t logged = readFile(log).size();
    server_ = spawnLogged({program("taplink-server"), "serve", "--config", serverConfig()}, log);
    // The merchant line comes right after the device one, once every socket is bound.
    const std::string ready = options_.merchant ? kMerchantListening : kServerListening;
    if (!waitForLogLine(log, ready, kStartTimeout, &server_, logged)) {
        throw std::runtime_error("topup bed: taplink-server did not start:\n" + readLogTail(log));
    }
    serverPort_ = portFromLog(log, kServerListening, logged);
    serverUrl_ = "https://localhost:" + std::to_string(serverPort_);
    if (options_.merchant) {
        merchantPort_ = static_cast<std::uint16_t>(portFromLog(log, kMerchantListening, logged));
    }
}

std::string TopupBed::merchantUrl() const {
    return merchantPort_ == 0 ? std::string()
                              : "https://localhost:" + std::to_string(merchantPort_);
}

void TopupBed::stopServer() {
    requireCleanExit(server_.stop(), "taplink-server", dir() + "/server.log");
}

void TopupBed::pauseServer() {
    server_.signal(SIGSTOP);
}

void TopupBed::resumeServer() {
    server_.signal(SIGCONT);
}

json TopupBed::serverCommand(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{program("taplink-server")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", serverConfig(), "--json"});
    return json::parse(testsupport::runChecked(argv));
}

std::string TopupBed::createOrder(const std::string& amount) const {
    const json order = serverCommand({"order", "create", "--amount", amount});
    return order.at("orderId").get<std::string>();
}

json TopupBed::serverAdmin(const std::string& method, const std::string& path,
                           const json& body) const {
    std::vector<std::string> argv{"/usr/bin/curl",
                                  "--silent",
                                  "--show-error",
                                  "--unix-socket",
                                  dir() + "/run/server-admin.sock",
                                  "-X",
                                  method};
    if (!body.is_null()) {
        argv.insert(argv.end(),
                    {"-H", "Content-Type: application/json", "--data-binary", body.dump()});
    }
    argv.push_back("http://localhost" + path);
    const std::string output = testsupport::runChecked(argv);
    return output.empty() ? json(nullptr) : json::parse(output);
}

std::uint64_t TopupBed::settledTotal(const std::string& cardSerialHex) const {
    const json ledger = serverCommand({"ledger"});
    for (const auto& card : ledger.at("cards")) {
        if (card.at("cardSerial") == cardSerialHex) {
            return card.at("total").get<std::uint64_t>();
        }
    }
    return 0;
}

void TopupBed::writeDaemonConfig() const {
    json config{
        {"server",
         {{"url", serverUrl_},
          {"caFile",
           options_.daemonCaFile.empty() ? pkiDir_ + "/root-ca.crt" : options_.daemonCaFile},
          {"pinSha256", options_.daemonPinSha256.empty() ? readFile(pkiDir_ + "/server-spki.sha256")
                                                         : options_.daemonPinSha256},
          {"allowanceKeys",
           {options_.daemonAllowanceKey.empty() ? pkiDir_ + "/allowance-signing.pub.pem"
                                                : options_.daemonAllowanceKey}},
          {"proxy", options_.daemonProxy.empty() ? std::string("direct") : options_.daemonProxy},
          {"connectTimeoutMs", 2000},
          {"requestTimeoutMs", options_.requestTimeoutMs},
          {"maxAttempts", options_.serverAttempts},
          {"initialBackoffMs", options_.initialBackoffMs}}},
        {"scripts", {{"trustedKeys", {pkiDir_ + "/script-signing.pub.pem"}}}},
        {"chip", {{"reader", bed_->readerName(kChipSlot)}, {"pin", kChipPin}}},
        {"cards",
         {{"reader", bed_->readerName(kCardSlot)}, {"waitSeconds", options_.cardWaitSeconds}}},
        {"journal", journalPath()},
        {"socket", socketPath()},
        {"reportRetrySeconds", options_.reportRetrySeconds},
        {"web", webConfigJson()}};
    writePrivateFile(daemonConfig(), config.dump(2));
}

// The "web" section (docs/api.md, "Settings"). The WebSocket is off unless the test asks
// for it: taplinkd's default port is the production one, not for tests running side by side.
json TopupBed::webConfigJson() const {
    json websocket{{"enabled", options_.websocket}};
    if (options_.websocket) {
        websocket["port"] = websocketPort_;
    }
    return {{"allowedOrigins", options_.webAllowedOrigins},
            {"confirmation", options_.webConfirmation},
            {"cardInfo", options_.webCardInfo},
            {"websocket", websocket}};
}

void TopupBed::startDaemon() {
    writeDaemonConfig();
    const std::size_t logged = readFile(daemonLog()).size();
    daemon_ = spawnLogged({program("taplinkd"), "--config", daemonConfig()}, daemonLog());
    if (!waitForLogLine(daemonLog(), "listening on", kStartTimeout, &daemon_, logged)) {
        throw std::runtime_error("topup bed: taplinkd did not start:\n" + readLogTail(daemonLog()));
    }
    // taplinkd syncs its chip with the TSM on a thread at start, fetching the management
    // script when jobs are queued: a test that arms a server fault before that sync ended
    // would see the sync, not its own call, take the fault.
    if (!waitForLogLine(daemonLog(), "chip sync at start", kStartTimeout, &daemon_, logged)) {
        throw std::runtime_error("topup bed: taplinkd's start-up chip sync did not end:\n" +
                                 readLogTail(daemonLog()));
    }
    // taplinkd runs on without its WebSocket when it cannot have it (the port taken): a bed
    // that was asked for one must not.
    const std::string websocketLine =
        "WebSocket on ws://127.0.0.1:" + std::to_string(websocketPort_) + "/";
    if (options_.websocket &&
        !waitForLogLine(daemonLog(), websocketLine, kStartTimeout, &daemon_, logged)) {
        throw std::runtime_error("topup bed: taplinkd's WebSocket did not come up:\n" +
                                 readLogTail(daemonLog()));
    }
}

void TopupBed::stopDaemon(bool kill) {
    if (kill) {
        daemon_.kill();
    } else {
        requireCleanExit(daemon_.stop(), "taplinkd", daemonLog());
    }
}

bool TopupBed::daemonRunning() {
    return daemon_.running();
}

}  // namespace taplink::testbed
