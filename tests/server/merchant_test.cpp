// taplink-server's merchant listener (docs/server.md, "Merchant listener and demo checkout"):
// a real server process over real TLS, reached as a browser would (no client certificate).
// The page, its assets and the SDK are served with the security headers; nothing outside the
// two folders can be reached; the page's orders are the operator's orders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "browser_client.hpp"
#include "server_config.hpp"
#include "server_fixture.hpp"

namespace taplink::servertest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPolicy =
    "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
// The start of a PNG file: bytes that are not text (a NUL among them).
std::string pngBytes() {
    return {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16};
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary);
    file << text;
}

void expectSecurityHeaders(const PageAnswer& answer, const std::string& what) {
    EXPECT_EQ(answer.header("content-security-policy"), kPolicy) << what;
    EXPECT_EQ(answer.header("x-content-type-options"), "nosniff") << what;
    EXPECT_EQ(answer.header("referrer-policy"), "no-referrer") << what;
    EXPECT_EQ(answer.header("cache-control"), "no-store") << what;
}

// A server with the merchant listener on a checkout folder and an SDK folder of known files,
// given relative to the configuration file.
class MerchantTest : public ServerTest {
  protected:
    void SetUp() override {
        fs::create_directories(checkoutDir() + "/sub");
        fs::create_directories(sdkDir());
        writeFile(checkoutDir() + "/index.html", "<!doctype html><title>Top up</title>\n");
        writeFile(checkoutDir() + "/checkout.js", "import {connect} from '/sdk/taplink.js';\n");
        writeFile(checkoutDir() + "/checkout.css", "body { margin: 0 }\n");
        writeFile(checkoutDir() + "/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        writeFile(checkoutDir() + "/icon.png", pngBytes());
        writeFile(checkoutDir() + "/.hidden.js", "secret");
        writeFile(checkoutDir() + "/notes.txt", "secret");
        writeFile(checkoutDir() + "/sub/inner.js", "secret");
        fs::create_symlink("../server.json", checkoutDir() + "/link.js");
        writeFile(sdkDir() + "/taplink.js", "export function connect() {}\n");
        writeFile(sdkDir() + "/taplink.d.ts", "export declare function connect(): void;\n");
        setup.merchant = {{"host", "127.0.0.1"},
                          {"port", 0},
                          {"checkoutDir", "checkout"},
                          {"sdkDir", "sdk"},
                          {"demoAccountHolder", "Demo Cardholder"}};
        ServerTest::SetUp();
    }

    std::string checkoutDir() const { return tmp.path() + "/checkout"; }
    std::string sdkDir() const { return tmp.path() + "/sdk"; }
    std::string merchantBase() const { return "https://localhost:" + std::to_string(merchantPort); }
    BrowserClient browser(bool tls12Only = false) const {
        return BrowserClient(merchantBase(), pki.file("root-ca.crt"), tls12Only);
    }
    PageAnswer postOrder(const std::string& body) const {
        return browser().postJson("/merchant/orders", body);
    }
};

TEST_F(MerchantTest, ThePageIsServedWithTheSecurityHeaders) {
    const PageAnswer page = browser().get("/");
    ASSERT_EQ(page.code, CURLE_OK) << curl_easy_strerror(page.code);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.body, "<!doctype html><title>Top up</title>\n");
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    expectSecurityHeaders(page, "/");
    EXPECT_EQ(browser().get("/?transport=websocket&ws=ws://127.0.0.1:1/").status, 200)
        << "the query is the page's business";
}

TEST_F(MerchantTest, AssetsAndTheSdkAreServedWithFixedMediaTypes) {
    const std::vector<std::tuple<std::string, std::string, std::string>> files{
        {"/assets/checkout.js", "text/javascript; charset=utf-8", "checkout/checkout.js"},
        {"/assets/checkout.css", "text/css; charset=utf-8", "checkout/checkout.css"},
        {"/assets/index.html", "text/html; charset=utf-8", "checkout/index.html"},
        {"/assets/logo.svg", "image/svg+xml", "checkout/logo.svg"},
        {"/assets/icon.png", "image/png", "checkout/icon.png"},
        {"/sdk/taplink.js", "text/javascript; charset=utf-8", "sdk/taplink.js"},
        {"/sdk/taplink.d.ts", "text/plain; charset=utf-8", "sdk/taplink.d.ts"},
    };
    for (const auto& [path, mediaType, file] : files) {
        const PageAnswer answer = browser().get(path);
        EXPECT_EQ(answer.status, 200) << path;
        EXPECT_EQ(answer.header("content-type"), mediaType) << path;
        EXPECT_EQ(answer.body, readTextFile(tmp.path() + "/" + file)) << path;
        expectSecurityHeaders(answer, path);
    }
}

TEST_F(MerchantTest, NothingOutsideTheTwoFoldersCanBeReached) {
    const std::string secret = readTextFile(configPath());
    const std::vector<std::string> refused{
        "/assets/../server.json",
        "/assets/..%2fserver.json",
        "/assets/..%2Fserver.json",
        "/assets/%2e%2e%2fserver.json",
        "/assets/%2E%2E/server.json",
        "/assets/%2e%2e%5cserver.json",
        "/assets/..\\server.json",
        "/assets/....//server.json",
        "/assets/%252e%252e%252fserver.json",
        "/assets//etc/passwd",
        "/assets/%2fetc%2fpasswd",
        "/sdk/../server.json",
        "/sdk/..%2f..%2fserver.json",
        "/../server.json",
        "/server.json",
        "/assets/",
        "/assets/.hidden.js",
        "/assets/notes.txt",
        "/assets/sub/inner.js",
        "/assets/sub%2finner.js",
        "/assets/link.js",
        "/assets/missing.js",
        "/assets/checkout.js%00.png",
        "/index.html",
        "/sdk/",
    };
    for (const std::string& path : refused) {
        const PageAnswer answer = browser().get(path);
        EXPECT_EQ(answer.status, 404) << path << ": " << answer.body;
        EXPECT_EQ(answer.body.find("secret"), std::string::npos) << path;
        EXPECT_EQ(answer.body.find("adminSocket"), std::string::npos) << path;
        expectSecurityHeaders(answer, path);
    }
    EXPECT_NE(secret.find("adminSocket"), std::string::npos) << "the secret file is there";
}

TEST_F(MerchantTest, APostedOrderIsTheOperatorsOrder) {
    const PageAnswer created = postOrder(R"({"amount":5000})");
    ASSERT_EQ(created.status, 201) << created.body;
    expectSecurityHeaders(created, "POST /merchant/orders");
    const json order = created.json();
    ASSERT_TRUE(order.is_object()) << created.body;
    EXPECT_EQ(order.size(), 4U) << created.body;
    EXPECT_EQ(order["scheme"], kCityScheme);
    EXPECT_EQ(order["amount"], 5000);
    EXPECT_EQ(order["currency"], "CNY");
    const std::string orderId = order.value("orderId", "");
    EXPECT_TRUE(std::regex_match(orderId, std::regex("ORD-[A-Z2-7]{20}"))) << orderId;

    const testsupport::ProcessResult shown = testsupport::run(
        {kServerPath, "order", "show", orderId, "--config", configPath(), "--json"});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    const json operatorView = json::parse(shown.out);
    EXPECT_EQ(operatorView["amount"], 5000);
    EXPECT_EQ(operatorView["scheme"], kCityScheme);
    EXPECT_EQ(operatorView["status"], "open");

    const PageAnswer followed = browser().get("/merchant/orders/" + orderId);
    ASSERT_EQ(followed.status, 200) << followed.body;
    EXPECT_EQ(followed.json(), (json{{"orderId", orderId},
                                     {"amount", 5000},
                                     {"currency", "CNY"},
                                     {"scheme", kCityScheme},
                                     {"status", "open"}}));
    EXPECT_EQ(admin("POST", "/admin/orders/" + orderId + "/cancel").status, 200);
    EXPECT_EQ(browser().get("/merchant/orders/" + orderId).json()["status"], "cancelled");
}

TEST_F(MerchantTest, TheLargestAndSmallestAmountsAreTaken) {
    EXPECT_EQ(postOrder(R"({"amount":1})").status, 201);
    EXPECT_EQ(postOrder(R"({"amount":100000})").status, 201);
    EXPECT_EQ(admin("GET", "/admin/orders").json()["orders"].size(), 2U);
}

TEST_F(MerchantTest, AmountsOffTheRulesAreRefused) {
    for (const std::string body :
         {R"({"amount":0})", R"({"amount":100001})", R"({"amount":-1})", R"({"amount":50.5})",
          R"({"amount":"5000"})", R"({"amount":null})", R"({"amount":4294967296})"}) {
        const PageAnswer answer = postOrder(body);
        EXPECT_EQ(answer.status, 400) << body;
        EXPECT_EQ(answer.errorCode(), "invalid_amount") << body << ": " << answer.body;
        expectSecurityHeaders(answer, body);
    }
    for (const std::string body : {R"({"amount":5000,"account":"ACC-X"})", R"({})", R"([5000])",
                                   "amount=5000", R"({"amount":5000)"}) {
        const PageAnswer answer = postOrder(body);
        EXPECT_EQ(answer.status, 400) << body;
        EXPECT_EQ(answer.errorCode(), "malformed_request") << body << ": " << answer.body;
    }
    EXPECT_TRUE(admin("GET", "/admin/orders").json()["orders"].empty());
}

// 圈存 from the page: the configured demo holder's account pays; the page cannot name another.
TEST_F(MerchantTest, ABankEcOrderIsPaidByTheDemoAccount) {
    const auto account = [this](const std::string& holder, const std::string& pan) {
        const Answer answer = admin("POST", "/admin/accounts",
                                    {{"holder", holder}, {"pan", pan}, {"balance", "100.00"}});
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("accountId", "");
    };
    const PageAnswer early = postOrder(R"({"amount":5000,"scheme":"bank-ec"})");
    EXPECT_EQ(early.status, 404) << early.body;
    EXPECT_EQ(early.errorCode(), "account_not_found");
    account("Someone Else", "6228480000000000016");
    const std::string demo = account("Demo Cardholder", "6228480000000000024");

    const PageAnswer created = postOrder(R"({"amount":5000,"scheme":"bank-ec"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const json order = created.json();
    EXPECT_EQ(order["scheme"], "bank-ec");
    EXPECT_EQ(order["amount"], 5000);
    const testsupport::ProcessResult shown =
        testsupport::run({kServerPath, "order", "show", order.value("orderId", ""), "--config",
                          configPath(), "--json"});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    EXPECT_EQ(json::parse(shown.out)["scheme"], "bank-ec") << shown.out;
    EXPECT_EQ(json::parse(shown.out)["account"], demo) << shown.out;
    EXPECT_EQ(postOrder(R"({"amount":5000,"scheme":"bank-ec","account":"ACC-X"})").errorCode(),
              "malformed_request");
    EXPECT_EQ(postOrder(R"({"amount":5000,"scheme":"nope"})").errorCode(), "scheme_unknown");
}

// Tap & Pay from the page: the shop's own name on the order, which the page cannot choose.
TEST_F(MerchantTest, ABankPurchaseOrderNamesThisShop) {
    const PageAnswer created = postOrder(R"({"amount":5000,"scheme":"bank-purchase"})");
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json()["merchant"], "TapLink 演示商店 Demo Shop");
    const PageAnswer followed =
        browser().get("/merchant/orders/" + created.json().value("orderId", ""));
    EXPECT_EQ(followed.json()["merchant"], "TapLink 演示商店 Demo Shop");
    EXPECT_EQ(followed.json()["scheme"], "bank-purchase");
    EXPECT_EQ(
        postOrder(R"({"amount":5000,"scheme":"bank-purchase","merchant":"Evil"})").errorCode(),
        "malformed_request");
    // A city order names no merchant.
    EXPECT_FALSE(postOrder(R"({"amount":5000})").json().contains("merchant"));
}

TEST(MerchantConfig, TheShopsNameIsPrintableUtf8) {
    json config = ServerSetup().configuration();
    config["merchant"] = {{"host", "127.0.0.1"},
                          {"port", 0},
                          {"checkoutDir", "c"},
                          {"sdkDir", "s"},
                          {"merchantName", "小店"}};
    EXPECT_EQ(server::parseServerConfig(config.dump(), "/srv").merchant->merchantName, "小店");
    config["merchant"]["merchantName"] = "a\tb";
    EXPECT_THROW(server::parseServerConfig(config.dump(), "/srv"), server::ConfigError);
}

TEST_F(MerchantTest, OnlyJsonFromThisSiteMakesAnOrder) {
    // What a cross-site HTML form or a "simple" cross-site fetch can send without a preflight.
    for (const std::string type :
         {"Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
          "Content-Type: multipart/form-data; boundary=x"}) {
        const PageAnswer answer =
            browser().send(PageRequest{"POST", "/merchant/orders", R"({"amount":5000})", {type}});
        EXPECT_EQ(answer.status, 415) << type;
        EXPECT_EQ(answer.errorCode(), "unsupported_media_type") << type;
        expectSecurityHeaders(answer, type);
    }
    const PageAnswer empty =
        browser().send(PageRequest{"POST", "/merchant/orders", std::string(), {}});
    EXPECT_EQ(empty.status, 415) << empty.body;
    const PageAnswer foreign = browser().send(
        PageRequest{"POST",
                    "/merchant/orders",
                    R"({"amount":5000})",
                    {"Content-Type: application/json", "Origin: https://evil.example"}});
    EXPECT_EQ(foreign.status, 403) << foreign.body;
    EXPECT_EQ(foreign.errorCode(), "origin_mismatch");
    EXPECT_TRUE(admin("GET", "/admin/orders").json()["orders"].empty());

    const PageAnswer own = browser().send(PageRequest{
        "POST",
        "/merchant/orders",
        R"({"amount":5000})",
        {"Content-Type: application/json; charset=UTF-8", "Origin: " + merchantBase()}});
    EXPECT_EQ(own.status, 201) << own.body;
}

TEST_F(MerchantTest, OtherMethodsAndPathsAreRefused) {
    const std::vector<std::tuple<std::string, std::string, long>> cases{
        {"POST", "/", 405},
        {"DELETE", "/", 405},
        {"PUT", "/assets/checkout.js", 405},
        {"OPTIONS", "/merchant/orders", 405},
        {"GET", "/merchant/orders", 405},
        {"DELETE", "/merchant/orders/ORD-AAAAAAAAAAAAAAAAAAAA", 405},
        {"GET", "/merchant/orders/ORD-AAAAAAAAAAAAAAAAAAAA", 404},
        {"GET", "/merchant/orders/not-an-order", 404},
        {"GET", "/admin/orders", 404},
        {"GET", "/v1/scripts/city-epurse", 404},
        {"GET", "/nowhere", 404},
    };
    for (const auto& [method, path, status] : cases) {
        const PageAnswer answer = browser().send(PageRequest{method, path, std::nullopt, {}});
        EXPECT_EQ(answer.status, status) << method << ' ' << path << ": " << answer.body;
        expectSecurityHeaders(answer, path);
        EXPECT_EQ(answer.header("access-control-allow-origin"), "") << "no CORS, ever";
    }
}

TEST_F(MerchantTest, BrowsersNeedNoCertificateButDevicesStillDo) {
    const PageAnswer tls13 = browser().get("/");
    EXPECT_EQ(tls13.status, 200);
    EXPECT_EQ(tls13.tlsName, "TLSv1.3");
    const PageAnswer tls12 = browser(true).get("/");
    EXPECT_EQ(tls12.status, 200) << curl_easy_strerror(tls12.code);
    EXPECT_EQ(tls12.tlsName, "TLSv1.2");

    DeviceClient anonymous("https://127.0.0.1:" + std::to_string(port),
                           TlsClientOptions{pki.file("root-ca.crt"), "", "", false});
    const Answer refused = anonymous.get("/v1/scripts/city-epurse");
    EXPECT_NE(refused.code, CURLE_OK);
    EXPECT_EQ(refused.status, 0);
    EXPECT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
    EXPECT_EQ(DeviceClient("https://127.0.0.1:" + std::to_string(port),
                           TlsClientOptions{pki.file("root-ca.crt"), "", "", true})
                  .get("/v1/scripts/city-epurse")
                  .status,
              0)
        << "TLS 1.2 stays refused on the device port";
}

TEST_F(MerchantTest, TheForeignNameOfTheSameListenerWorksToo) {
    // The browser tests use https://127.0.0.1:P/ as an origin that taplinkd does not allow.
    const PageAnswer page =
        BrowserClient("https://127.0.0.1:" + std::to_string(merchantPort), pki.file("root-ca.crt"))
            .get("/");
    EXPECT_EQ(page.status, 200) << curl_easy_strerror(page.code);
}

// --- The real checkout page of the source tree.

class CheckoutPageTest : public ServerTest {
  protected:
    void SetUp() override {
        fs::create_directories(tmp.path() + "/sdk");
        writeFile(tmp.path() + "/sdk/taplink.js", "export function connect() {}\n");
        setup.merchant = {{"host", "localhost"},
                          {"port", 0},
                          {"checkoutDir", std::string(TAPLINK_SOURCE_DIR) + "/server/checkout"},
                          {"sdkDir", "sdk"}};
        ServerTest::SetUp();
    }
};

TEST_F(CheckoutPageTest, EveryAssetThePageNamesIsServed) {
    const BrowserClient browser("https://localhost:" + std::to_string(merchantPort),
                                pki.file("root-ca.crt"));
    const PageAnswer page = browser.get("/");
    ASSERT_EQ(page.status, 200) << page.body;
    for (const char* testId :
         {"amount-1000", "amount-2000", "amount-5000", "amount-10000", "pay", "status", "transport",
          "receipt", "receipt-balance-after", "receipt-order-id", "error", "retry"}) {
        EXPECT_NE(page.body.find("data-testid=\"" + std::string(testId) + "\""), std::string::npos)
            << testId;
    }
    const std::regex reference(R"re((?:src|href)="(/[^"]*)")re");
    std::set<std::string> paths;
    for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), reference);
         it != std::sregex_iterator(); ++it) {
        paths.insert((*it)[1].str());
    }
    EXPECT_GE(paths.size(), 2U) << "the script and the style sheet";
    for (const std::string& path : paths) {
        EXPECT_EQ(browser.get(path).status, 200) << path;
    }
    const PageAnswer script = browser.get("/assets/checkout.js");
    EXPECT_NE(script.body.find("/sdk/taplink.js"), std::string::npos);
}

// --- The configuration.

TEST(MerchantConfig, IsOptionalAndResolvedAgainstTheConfigurationFolder) {
    json config = ServerSetup().configuration();
    EXPECT_FALSE(server::parseServerConfig(config.dump(), "/srv/taplink").merchant);
    config["merchant"] = {
        {"host", "::1"}, {"port", 8444}, {"checkoutDir", "../checkout"}, {"sdkDir", "/opt/sdk"}};
    const auto parsed = server::parseServerConfig(config.dump(), "/srv/taplink").merchant;
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->host, "::1");
    EXPECT_EQ(parsed->port, 8444);
    EXPECT_EQ(parsed->checkoutDir, "/srv/checkout");
    EXPECT_EQ(parsed->sdkDir, "/opt/sdk");
}

TEST(MerchantConfig, RefusesANonLoopbackHostAndUnknownFields) {
    json config = ServerSetup().configuration();
    const json merchant = {
        {"host", "127.0.0.1"}, {"port", 0}, {"checkoutDir", "c"}, {"sdkDir", "s"}};
    for (const auto& [key, value] :
         std::vector<std::pair<std::string, json>>{{"host", "0.0.0.0"},
                                                   {"host", "192.0.2.1"},
                                                   {"host", "example.com"},
                                                   {"port", 70000},
                                                   {"port", "8444"},
                                                   {"checkoutDir", ""},
                                                   {"sdkDir", 1},
                                                   {"extra", true}}) {
        config["merchant"] = merchant;
        config["merchant"][key] = value;
        EXPECT_THROW(server::parseServerConfig(config.dump(), "/srv"), server::ConfigError)
            << key << "=" << value;
    }
    config["merchant"] = merchant;
    config["merchant"].erase("sdkDir");
    EXPECT_THROW(server::parseServerConfig(config.dump(), "/srv"), server::ConfigError);
}

}  // namespace
}  // namespace taplink::servertest
