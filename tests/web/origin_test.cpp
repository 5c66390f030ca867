// Origins in the one form taplinkd compares, and the "web" section of its configuration.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/config_file.hpp"
#include "app/daemon_config.hpp"
#include "app/web_settings.hpp"
#include "temp_dir.hpp"

namespace taplink::app {
namespace {

TEST(CanonicalOrigin, KeepsHttpsOriginsInOneForm) {
    EXPECT_EQ(canonicalOrigin("https://shop.example"), "https://shop.example");
    EXPECT_EQ(canonicalOrigin("HTTPS://Shop.Example"), "https://shop.example");
    EXPECT_EQ(canonicalOrigin("https://shop.example:443"), "https://shop.example");
    EXPECT_EQ(canonicalOrigin("https://shop.example:8443"), "https://shop.example:8443");
    EXPECT_EQ(canonicalOrigin("https://shop.example:08443"), "https://shop.example:8443");
    EXPECT_EQ(canonicalOrigin("https://[::1]:9000"), "https://[::1]:9000");
    EXPECT_EQ(canonicalOrigin("https://127.0.0.1"), "https://127.0.0.1");
}

TEST(CanonicalOrigin, AllowsPlainHttpOnLoopbackOnly) {
    EXPECT_EQ(canonicalOrigin("http://localhost:3000"), "http://localhost:3000");
    EXPECT_EQ(canonicalOrigin("http://127.0.0.1:80"), "http://127.0.0.1");
    EXPECT_EQ(canonicalOrigin("http://[::1]"), "http://[::1]");
    EXPECT_EQ(canonicalOrigin("http://shop.example"), std::nullopt);
    EXPECT_EQ(canonicalOrigin("http://localhost.evil.example"), std::nullopt);
}

TEST(CanonicalOrigin, RefusesWhatIsNoWebOrigin) {
    for (const char* text : {"",
                             "null",
                             "file://",
                             "chrome-extension://abcdef",
                             "moz-extension://x",
                             "ws://localhost",
                             "https://",
                             "https://shop.example/",
                             "https://shop.example/pay",
                             "https://user@shop",
                             "https://shop.example:",
                             "https://shop.example:0",
                             "https://shop.example:65536",
                             "https://shop example",
                             "https://.example",
                             "https://shop.example?x",
                             "https://[::1",
                             "https://shop.example#x",
                             " https://shop.example",
                             "https://shop.example.",
                             "https://shop..example",
                             "https://-shop.example",
                             "https://shop-.example"}) {
        EXPECT_EQ(canonicalOrigin(text), std::nullopt) << text;
    }
}

class WebConfig : public ::testing::Test {
  protected:
    std::string write(const nlohmann::json& web) {
        nlohmann::json config{{"server",
                               {{"url", "https://localhost:8443"},
                                {"caFile", "ca.pem"},
                                {"pinSha256", std::string(43, 'a') + "="},
                                {"allowanceKeys", {"allowance.pem"}}}},
                              {"scripts", {{"trustedKeys", {"script.pem"}}}},
                              {"chip", {{"pin", "123456"}}}};
        if (!web.is_null()) {
            config["web"] = web;
        }
        std::string path = dir_.file("taplinkd.json");
        std::ofstream(path) << config.dump(2);
        ::chmod(path.c_str(), 0600);
        return path;
    }

    testsupport::TempDir dir_{"taplink-web-config"};
};

TEST_F(WebConfig, DefaultsAskAndServeTheWebSocketOnItsPort) {
    const auto config = loadConfig(write(nullptr));
    EXPECT_TRUE(config.web.allowedOrigins.empty());
    EXPECT_EQ(config.web.confirmation, Confirmation::Ask);
    EXPECT_TRUE(config.web.websocket.enabled);
    EXPECT_EQ(config.web.websocket.port, 47631);
}

TEST_F(WebConfig, ReadsOriginsPolicyAndWebSocketLimits) {
    const auto config =
        loadConfig(write({{"allowedOrigins", {"https://Shop.Example:443", "http://localhost:8080"}},
                          {"confirmation", "auto"},
                          {"websocket", {{"enabled", false}, {"port", 40000}, {"burst", 5}}}}));
    EXPECT_EQ(config.web.allowedOrigins,
              (std::vector<std::string>{"https://shop.example", "http://localhost:8080"}));
    EXPECT_EQ(config.web.confirmation, Confirmation::Auto);
    EXPECT_FALSE(config.web.websocket.enabled);
    EXPECT_EQ(config.web.websocket.port, 40000);
    EXPECT_EQ(config.web.websocket.burst, 5U);
}

TEST_F(WebConfig, RefusesWhatItCannotUse) {
    for (const auto& web :
         {nlohmann::json{{"allowedOrigins", {"http://shop.example"}}},
          nlohmann::json{{"allowedOrigins", "https://shop.example"}},
          nlohmann::json{{"confirmation", "sometimes"}},
          nlohmann::json{{"websocket", {{"port", 0}}}},
          nlohmann::json{{"websocket", {{"enabled", "yes"}}}},
          nlohmann::json{{"websocket", {{"pingSeconds", 60}, {"idleSeconds", 60}}}},
          nlohmann::json{{"origins", nlohmann::json::array()}}}) {
        EXPECT_THROW(loadConfig(write(web)), ConfigError) << web.dump();
    }
}

TEST_F(WebConfig, APatchKeepsEveryOtherKeyAndRefusesWhatWouldNotLoad) {
    const std::string path = write({{"websocket", {{"port", 40001}}}});
    const auto patched =
        patchConfigFile(path, {{"web", {{"allowedOrigins", {"https://shop.example"}}}}});
    EXPECT_EQ(patched.web.allowedOrigins, std::vector<std::string>{"https://shop.example"});
    EXPECT_EQ(patched.web.websocket.port, 40001);
    EXPECT_EQ(loadConfig(path).chipPin, "123456");
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);

    EXPECT_THROW(patchConfigFile(path, {{"web", {{"confirmation", "never"}}}}), ConfigError);
    EXPECT_EQ(loadConfig(path).web.confirmation, Confirmation::Ask) << "the file is unchanged";
    EXPECT_FALSE(std::filesystem::exists(path + ".new"));
}

}  // namespace
}  // namespace taplink::app
