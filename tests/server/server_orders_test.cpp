// taplink-server as a process: orders through the admin API and the operator commands, the
// device API's order lookup, the signed script envelope, and how the server sets itself up
// (admin socket permissions, loopback only, clean stop).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "server_fixture.hpp"
#include "taplink/base/unix_socket.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;
using nlohmann::json;

// A command script of the city scheme with the given version and validity period.
void writeCityScript(const std::string& path, int version, const std::string& validFrom,
                     const std::string& validUntil) {
    std::ofstream(path, std::ios::binary)
        << R"({"format":"taplink-script/1","kind":"command","scheme":"city-epurse","id":"city-load",)"
        << R"("version":)" << version << R"(,"validFrom":")" << validFrom << R"(","validUntil":")"
        << validUntil << R"(","steps":[]})"
        << "\n";
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

bool isOrderId(const std::string& text) {
    static const std::regex kOrderId("ORD-[A-Z2-7]{20}");
    return std::regex_match(text, kOrderId);
}

TEST_F(ServerTest, CreatedOrdersCanBeLookedUpByTheDevice) {
    const Answer created =
        admin("POST", "/admin/orders", {{"amount", "50.00"}, {"scheme", kCityScheme}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string orderId = created.json()["orderId"];
    EXPECT_TRUE(isOrderId(orderId)) << orderId;

    const Answer looked = client->get("/v1/orders/" + orderId);
    ASSERT_EQ(looked.status, 200) << looked.body;
    EXPECT_EQ(wire::Order::fromJson(looked.json()),
              (wire::Order{orderId, 5000, "CNY", kCityScheme, wire::OrderStatus::Open}));

    const Answer listed = admin("GET", "/admin/orders");
    ASSERT_EQ(listed.status, 200);
    ASSERT_EQ(listed.json()["orders"].size(), 1U);
    EXPECT_EQ(listed.json()["orders"][0]["orderId"], orderId);
}

TEST_F(ServerTest, UnknownOrdersAndPathsAreNotFound) {
    for (const char* path : {"/v1/orders/ORD-AAAAAAAAAAAAAAAAAAAA", "/v1/orders/..%2F..",
                             "/v1/orders/"
                             "ORD-"
                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
        const Answer answer = client->get(path);
        EXPECT_EQ(answer.status, 404) << path;
        EXPECT_EQ(answer.errorCode(), "order_not_found") << path;
    }
    EXPECT_EQ(client->get("/v1/nothing").errorCode(), "not_found");
    EXPECT_EQ(client->post("/v1/orders/ORD-1", std::string("{}")).status, 405);
}

TEST_F(ServerTest, AdminRefusesBadAmountsAndSchemes) {
    for (const char* amount : {"0", "0.00", "50.001", "-5", "1000.01", "5e3", ""}) {
        const Answer answer =
            admin("POST", "/admin/orders", {{"amount", amount}, {"scheme", kCityScheme}});
        EXPECT_EQ(answer.status, 400) << amount;
        EXPECT_EQ(answer.errorCode(), "invalid_amount") << amount;
    }
    EXPECT_EQ(
        admin("POST", "/admin/orders", {{"amount", "1000.00"}, {"scheme", kCityScheme}}).status,
        201);
    EXPECT_EQ(admin("POST", "/admin/orders", {{"amount", "5.00"}, {"scheme", "bank"}}).errorCode(),
              "scheme_unknown");
    EXPECT_EQ(
        admin("POST", "/admin/orders", {{"amount", 500}, {"scheme", kCityScheme}}).errorCode(),
        "malformed_request");
    EXPECT_EQ(
        admin("POST", "/admin/orders", {{"amount", "5.00"}, {"scheme", kCityScheme}, {"extra", 1}})
            .errorCode(),
        "malformed_request");
}

TEST_F(ServerTest, OpenOrdersCanBeCancelledOnce) {
    const std::string orderId = createOrder(1000);
    const Answer cancelled = admin("POST", "/admin/orders/" + orderId + "/cancel");
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    EXPECT_EQ(cancelled.json()["status"], "cancelled");
    EXPECT_EQ(admin("POST", "/admin/orders/" + orderId + "/cancel").errorCode(), "order_not_open");
    EXPECT_EQ(client->get("/v1/orders/" + orderId).json()["status"], "cancelled");
    EXPECT_EQ(admin("POST", "/admin/orders/ORD-AAAAAAAAAAAAAAAAAAAA/cancel").status, 404);
}

TEST_F(ServerTest, OrderCreateCommandPrintsTheOrderId) {
    const testsupport::ProcessResult plain =
        testsupport::run({kServerPath, "order", "create", "--amount", "50.00", "--scheme",
                          kCityScheme, "--config", configPath()});
    ASSERT_EQ(plain.exitCode, 0) << plain.err;
    ASSERT_FALSE(plain.out.empty());
    EXPECT_EQ(plain.out.back(), '\n');
    const std::string orderId = plain.out.substr(0, plain.out.size() - 1);
    EXPECT_TRUE(isOrderId(orderId)) << plain.out;
    EXPECT_EQ(showOrder(orderId)["amount"], 5000);

    const testsupport::ProcessResult asJson =
        testsupport::run({kServerPath, "--admin-socket", adminSocket(), "order", "create",
                          "--amount", "12.5", "--json"});
    ASSERT_EQ(asJson.exitCode, 0) << asJson.err;
    EXPECT_EQ(json::parse(asJson.out)["amount"], 1250);

    const testsupport::ProcessResult refused = testsupport::run(
        {kServerPath, "order", "create", "--amount", "50.001", "--config", configPath()});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("invalid_amount"), std::string::npos) << refused.err;
    EXPECT_TRUE(refused.out.empty());

    const testsupport::ProcessResult listed =
        testsupport::run({kServerPath, "order", "list", "--config", configPath()});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    EXPECT_NE(listed.out.find(orderId), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("50.00"), std::string::npos) << listed.out;

    EXPECT_EQ(testsupport::run({kServerPath, "order", "create", "--config", configPath()}).exitCode,
              2);
    EXPECT_EQ(testsupport::run(
                  {kServerPath, "order", "list", "--admin-socket", tmp.path() + "/none.sock"})
                  .exitCode,
              3);
}

TEST_F(ServerTest, ScriptEnvelopeCarriesTheNewestFileBytesAndVerifies) {
    const Answer answer = client->get("/v1/scripts/city-epurse");
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto envelope = wire::ScriptEnvelope::fromJson(answer.json());
    EXPECT_EQ(envelope.scheme, kCityScheme);
    EXPECT_EQ(envelope.id, "city-load");
    EXPECT_EQ(envelope.version, 2U);
    const std::string file = readTextFile(scriptsDir() + "/city-load-v2.json");
    EXPECT_EQ(std::string(envelope.script.begin(), envelope.script.end()), file);

    const crypto::PkeyPtr publicKey = readPublicKey(pki.file("script-signing.pub.pem"));
    EXPECT_TRUE(verifySha256(publicKey.get(), envelope.script, envelope.signature));
    Bytes altered = envelope.script;
    altered.back() ^= 0x01;
    EXPECT_FALSE(verifySha256(publicKey.get(), altered, envelope.signature));

    // keyId: SHA-256 of the signing key's DER SubjectPublicKeyInfo, lower-case hex.
    const std::string spkiHash =
        testsupport::runChecked({"bash", "-c",
                                 "openssl pkey -pubin -in '" + pki.file("script-signing.pub.pem") +
                                     "' -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1"});
    EXPECT_EQ(envelope.keyId + "\n", spkiHash);

    const Answer unknown = client->get("/v1/scripts/bank-card");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.errorCode(), "script_not_found");
}

// taplinkd refuses a script outside its period (docs/scripts.md "Rollback and validity"), so
// the server serves the highest version whose period holds now.
TEST_F(ServerTest, ScriptsOutsideTheirValidityAreNotServed) {
    const std::string expired = scriptsDir() + "/city-load-v3-expired.json";
    const std::string future = scriptsDir() + "/city-load-v4-future.json";
    writeCityScript(expired, 3, "2020-01-01T00:00:00Z", "2020-12-31T23:59:59Z");
    writeCityScript(future, 4, "2099-01-01T00:00:00Z", "2099-12-31T23:59:59Z");
    for (int request = 0; request < 2; ++request) {
        const Answer answer = client->get("/v1/scripts/city-epurse");
        ASSERT_EQ(answer.status, 200) << answer.body;
        const auto envelope = wire::ScriptEnvelope::fromJson(answer.json());
        EXPECT_EQ(envelope.version, 2U);
        EXPECT_EQ(std::string(envelope.script.begin(), envelope.script.end()),
                  readTextFile(scriptsDir() + "/city-load-v2.json"));
    }
    // One warning per file, not one per request.
    const std::string log = server.errors();
    EXPECT_EQ(occurrences(log, expired + " is not served: expired at 2020-12-31T23:59:59Z"), 1U)
        << log;
    EXPECT_EQ(occurrences(log, future + " is not served: not valid before 2099-01-01T00:00:00Z"),
              1U)
        << log;

    // None left inside its period: as when there is none, saying why.
    std::filesystem::remove(scriptsDir() + "/city-load-v1.json");
    std::filesystem::remove(scriptsDir() + "/city-load-v2.json");
    const Answer none = client->get("/v1/scripts/city-epurse");
    EXPECT_EQ(none.status, 404);
    EXPECT_EQ(none.errorCode(), "script_not_found");
    EXPECT_NE(none.body.find("all outside their validity period"), std::string::npos) << none.body;
}

// A validity that does not parse strictly, or ends before it starts, is no script at all.
TEST_F(ServerTest, AScriptWithAMalformedValidityIsPassedOver) {
    writeCityScript(scriptsDir() + "/city-load-v5.json", 5, "2026-01-01T00:00:00+00:00",
                    "2030-12-31T23:59:59Z");
    writeCityScript(scriptsDir() + "/city-load-v6.json", 6, "2030-12-31T23:59:59Z",
                    "2026-01-01T00:00:00Z");
    const Answer answer = client->get("/v1/scripts/city-epurse");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(wire::ScriptEnvelope::fromJson(answer.json()).version, 2U);
}

TEST_F(ServerTest, AdminSocketIsOwnerOnly) {
    struct stat info {};
    ASSERT_EQ(::stat(adminSocket().c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    ASSERT_EQ(::stat((tmp.path() + "/run").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0700U);
    struct stat database {};
    ASSERT_EQ(::stat((tmp.path() + "/server.db").c_str(), &database), 0);
    EXPECT_EQ(database.st_mode & 0077U, 0U);
}

TEST_F(ServerTest, StopsCleanlyAndRemovesItsAdminSocket) {
    // Idle connections on both sockets (one mid-handshake) must not hold the stop up until
    // their read timeouts (10 s): the grace period before SIGKILL is shorter.
    const UniqueFd idleAdmin = connectUnix(adminSocket());
    const UniqueFd idleDevice(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(
        ::connect(idleDevice.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address),
        0);
    EXPECT_EQ(client->get("/v1/scripts/city-epurse").status, 200);  // both are being served
    EXPECT_EQ(server.stop(std::chrono::seconds(5)), 0) << server.errors();
    EXPECT_FALSE(std::filesystem::exists(adminSocket()));
}

class ServerSetupTest : public ServerTest {
  protected:
    void SetUp() override { device = pki.makeDevice("device"); }
};

TEST_F(ServerSetupTest, RefusesToListenBeyondLoopback) {
    setup.host = "0.0.0.0";
    std::ofstream(configPath()) << setup.configuration().dump();
    EXPECT_FALSE(server.start({kServerPath, "serve", "--config", configPath()}));
    EXPECT_EQ(server.exitCode(), 1);
    EXPECT_NE(server.errors().find("loopback"), std::string::npos) << server.errors();
}

TEST_F(ServerSetupTest, RefusesAnAdminSocketFolderOthersCanEnter) {
    std::filesystem::create_directories(tmp.path() + "/shared");
    std::filesystem::permissions(tmp.path() + "/shared", std::filesystem::perms::owner_all |
                                                             std::filesystem::perms::group_read |
                                                             std::filesystem::perms::group_exec);
    setup.adminSocket = "shared/admin.sock";
    std::ofstream(configPath()) << setup.configuration().dump();
    EXPECT_FALSE(server.start({kServerPath, "serve", "--config", configPath()}));
    EXPECT_NE(server.errors().find("chmod 700"), std::string::npos) << server.errors();
}

TEST_F(ServerSetupTest, RefusesAConfigurationWithUnknownFields) {
    json configuration = setup.configuration();
    configuration["listen"]["tls"] = true;
    std::ofstream(configPath()) << configuration.dump();
    EXPECT_FALSE(server.start({kServerPath, "serve", "--config", configPath()}));
    EXPECT_NE(server.errors().find("unknown field"), std::string::npos) << server.errors();
}

}  // namespace
}  // namespace taplink::servertest
