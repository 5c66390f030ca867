#include "server_fixture.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "taplink/protocol/tsm_keys.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::servertest {

namespace {

// A command script as the server finds it on disk; the envelope must carry these bytes.
constexpr const char* kScriptV1 =
    R"({"format":"taplink-script/1","kind":"command","scheme":"city-epurse","id":"city-load","version":1,)"
    R"("validFrom":"2026-01-01T00:00:00Z","validUntil":"2030-12-31T23:59:59Z","steps":[]})"
    "\n";
constexpr const char* kScriptV2 =
    "{\n  \"format\": \"taplink-script/1\", \"kind\": \"command\",\n"
    "  \"scheme\": \"city-epurse\", \"id\": \"city-load\", \"version\": 2,\n"
    "  \"validFrom\": \"2026-01-01T00:00:00Z\", \"validUntil\": \"2030-12-31T23:59:59Z\",\n"
    "  \"steps\": [ ]   }\n";

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary);
    file << text;
}

}  // namespace

std::optional<std::string> ServerProcess::start(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) {
    testsupport::SpawnOptions options;
    options.out = testsupport::Stream::pipe();
    options.err = testsupport::Stream::capture();  // never full, however much it logs
    options.dieWithParent = true;
    options.stopGrace = std::chrono::seconds(10);
    process_ = testsupport::ChildProcess(argv, options);
    exitCode_.reset();
    auto line = nextLine(timeout);
    if (!line) {
        stop();
    }
    return line;
}

std::optional<std::string> ServerProcess::nextLine(std::chrono::milliseconds timeout) {
    try {
        return process_.readLine(timeout);
    } catch (const std::runtime_error&) {
        return std::nullopt;  // no line in time
    }
}

int ServerProcess::stop(std::chrono::milliseconds grace) {
    if (running()) {
        exitCode_ = testsupport::exitCodeOf(process_.stop(grace).value_or(-1));
    }
    return exitCode_.value_or(-1);
}

nlohmann::json ServerSetup::configuration() const {
    nlohmann::json configuration = {{"listen", {{"host", host}, {"port", 0}}},
                                    {"tls",
                                     {{"certificateChain", "pki/server-chain.crt"},
                                      {"privateKey", "pki/server.key"},
                                      {"deviceCa", "pki/device-ca.crt"}}},
                                    {"scriptSigningKey", "pki/script-signing.key"},
                                    {"allowanceSigningKey", "pki/allowance-signing.key"},
                                    {"scriptsDir", "scripts"},
                                    {"issuers", "pki/issuers.json"},
                                    {"database", "server.db"},
                                    {"adminSocket", adminSocket},
                                    {"authorizationLifetimeSeconds", 300},
                                    {"maxOrderAmount", maxOrderAmount},
                                    {"maxCardBalance", maxCardBalance}};
    if (merchant.is_object()) {
        configuration["merchant"] = merchant;
    }
    if (tsm.is_object()) {
        configuration["tsm"] = tsm;
    }
    return configuration;
}

ServerTest::ServerTest() : pki(tmp.path() + "/pki") {}

void ServerTest::SetUp() {
    std::filesystem::create_directories(scriptsDir());
    writeFile(scriptsDir() + "/city-load-v1.json", kScriptV1);
    writeFile(scriptsDir() + "/city-load-v2.json", kScriptV2);
    writeFile(scriptsDir() + "/notes.txt", "not a script");
    device = pki.makeDevice("device");
    ASSERT_TRUE(startServer());
    client = std::make_unique<DeviceClient>(clientFor(device));
}

void ServerTest::TearDown() {
    if (server.running()) {
        EXPECT_EQ(server.stop(), 0) << "taplink-server did not stop cleanly:\n" << server.errors();
    }
}

bool ServerTest::startServer() {
    writeFile(configPath(), setup.configuration().dump(2));
    const auto line = server.start({kServerPath, "serve", "--config", configPath()});
    const std::string prefix = "listening on https://" + setup.host + ":";
    if (!line || line->rfind(prefix, 0) != 0) {
        ADD_FAILURE() << "taplink-server did not start: " << line.value_or("(nothing)") << "\n"
                      << server.errors();
        return false;
    }
    port = static_cast<std::uint16_t>(std::stoi(line->substr(prefix.size())));
    if (setup.merchant.is_object()) {
        const auto merchantLine = server.nextLine();
        const std::string merchantPrefix = "merchant on https://localhost:";
        if (!merchantLine || merchantLine->rfind(merchantPrefix, 0) != 0) {
            ADD_FAILURE() << "no merchant listener: " << merchantLine.value_or("(nothing)");
            return false;
        }
        merchantPort =
            static_cast<std::uint16_t>(std::stoi(merchantLine->substr(merchantPrefix.size())));
    }
    return true;
}

DeviceClient ServerTest::clientFor(const Device& who, bool tls12Only) const {
    return DeviceClient(
        "https://127.0.0.1:" + std::to_string(port),
        TlsClientOptions{pki.file("root-ca.crt"), who.certificate, who.key, tls12Only});
}

std::string ServerTest::createOrder(std::uint32_t fen) {
    std::ostringstream yuan;
    yuan << fen / 100 << '.' << std::setw(2) << std::setfill('0') << fen % 100;
    const Answer answer =
        admin("POST", "/admin/orders", {{"amount", yuan.str()}, {"scheme", kCityScheme}});
    EXPECT_EQ(answer.status, 201) << answer.body;
    return answer.json().value("orderId", "");
}

void ServerTest::useTestTsmKeys() {
    const protocol::TsmMasterKey key = protocol::testTsmMasterKey();
    writeFile(tmp.path() + "/tsm-keys.json",
              nlohmann::json{{"format", "taplink-tsm-keys/1"},
                             {"keyVersion", toHex(Bytes{key.keyVersion})},
                             {"master", toHex(key.master)}}
                  .dump());
    setup.tsm = {{"keysFile", "tsm-keys.json"}};
}

void ServerTest::changeDatabase(const std::string& sql) const {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() + "/server.db").c_str(), &raw), SQLITE_OK);
    const journal::DatabasePtr database(raw);
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(raw);
}

nlohmann::json ServerTest::showOrder(const std::string& orderId) {
    const Answer answer = admin("GET", "/admin/orders/" + orderId);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json();
}

}  // namespace taplink::servertest
