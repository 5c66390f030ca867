// taplinkd's configuration: the XDG search, strict keys, paths relative to the file, and the
// owner-only rule for a file that holds the chip PIN.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/daemon_config.hpp"
#include "net/retry_policy.hpp"
#include "temp_dir.hpp"

namespace taplink::app {
namespace {

namespace fs = std::filesystem;

class DaemonConfigTest : public ::testing::Test {
  protected:
    testsupport::TempDir temp{"taplink-daemon-config"};
    std::string dir = temp.path();

    void SetUp() override {
        fs::create_directories(dir + "/home/.config/taplink");
        fs::create_directories(dir + "/etc/taplink");
    }
    void TearDown() override {
        ::unsetenv("XDG_CONFIG_HOME");
        ::unsetenv("XDG_CONFIG_DIRS");
    }

    static std::string write(const std::string& path, const std::string& text,
                             fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
        std::ofstream(path, std::ios::trunc) << text;
        fs::permissions(path, perms);
        return path;
    }

    static std::string config(const std::string& extra = {}) {
        return R"({"server": {"url": "https://localhost:8443/", "caFile": "root-ca.crt",
                              "pinSha256": "x0tVnhHFRaN1i8HCYb39um8+jq8/yYkBlrcmfDBI9GI=",
                              "allowanceKeys": ["keys/allowance.pub.pem"],
                              "proxy": "direct", "maxAttempts": 3},
                   "scripts": {"trustedKeys": ["keys/script.pub.pem"]},
                   "chip": {"pin": "123456"},
                   "cards": {"waitSeconds": 20}, "journal": "state/journal.sqlite")" +
               extra + "}";
    }
};

TEST_F(DaemonConfigTest, ReadsEveryKeyAndResolvesPathsFromTheFilesFolder) {
    const auto loaded = loadConfig(write(dir + "/taplinkd.json", config()));
    EXPECT_EQ(loaded.server.baseUrl, "https://localhost:8443");
    EXPECT_EQ(loaded.server.caFile, dir + "/root-ca.crt");
    EXPECT_EQ(loaded.server.proxy.mode, net::ProxySettings::Mode::Direct);
    EXPECT_EQ(loaded.server.retry.maxAttempts, 3);
    EXPECT_EQ(loaded.scriptSigningKeys, std::vector<std::string>{dir + "/keys/script.pub.pem"});
    EXPECT_EQ(loaded.allowanceKeys, std::vector<std::string>{dir + "/keys/allowance.pub.pem"});
    EXPECT_EQ(loaded.chipPin, "123456");
    EXPECT_EQ(loaded.cardWait, std::chrono::seconds(20));
    EXPECT_EQ(loaded.journalPath, dir + "/state/journal.sqlite");
}

TEST_F(DaemonConfigTest, RefusesWhatItDoesNotKnowOrCannotTrust) {
    EXPECT_THROW(loadConfig(write(dir + "/a.json", config(R"(, "jornal": "x")"))), ConfigError);
    EXPECT_THROW(loadConfig(write(dir + "/b.json", "{not json")), ConfigError);
    std::string plainHttp = config();
    plainHttp.replace(plainHttp.find("https://"), 8, "http://");
    EXPECT_THROW(loadConfig(write(dir + "/c.json", plainHttp)), ConfigError);
    EXPECT_THROW(
        loadConfig(write(dir + "/d.json", config(),
                         fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read)),
        ConfigError)
        << "a PIN others can read";
    EXPECT_THROW(loadConfig(dir + "/missing.json"), ConfigError);
}

// web.cardInfo: "ask" unless the file says "allow" or "deny"; any other word stops taplinkd.
TEST_F(DaemonConfigTest, ReadsWhatAWebPagesCardInfoMayRead) {
    EXPECT_EQ(loadConfig(write(dir + "/a.json", config())).web.cardInfo, CardInfoAccess::Ask);
    const auto allow = config(R"(, "web": {"cardInfo": "allow"})");
    EXPECT_EQ(loadConfig(write(dir + "/b.json", allow)).web.cardInfo, CardInfoAccess::Allow);
    const auto deny = config(R"(, "web": {"cardInfo": "deny"})");
    EXPECT_EQ(loadConfig(write(dir + "/c.json", deny)).web.cardInfo, CardInfoAccess::Deny);
    EXPECT_THROW(loadConfig(write(dir + "/d.json", config(R"(, "web": {"cardInfo": "once"})"))),
                 ConfigError);
}

// The server's allowances and receipts are believed only under a pinned key: a file without
// one, with an empty list or with something else than file names does not start taplinkd.
TEST_F(DaemonConfigTest, RefusesAServerWithoutAPinnedAllowanceKey) {
    for (const std::string& keys :
         {std::string(R"("allowanceKeys": [], )"), std::string(R"("allowanceKeys": [7], )"),
          std::string(R"("allowanceKeys": "a.pem", )"), std::string()}) {
        std::string text = config();
        const std::string pinned = R"("allowanceKeys": ["keys/allowance.pub.pem"],)";
        text.replace(text.find(pinned), pinned.size(), keys);
        try {
            loadConfig(write(dir + "/keys.json", text));
            ADD_FAILURE() << "taplinkd started with " << keys;
        } catch (const ConfigError& error) {
            EXPECT_NE(std::string(error.what()).find("server.allowanceKeys"), std::string::npos)
                << error.what();
        }
    }
}

TEST_F(DaemonConfigTest, IsFoundInXdgConfigHomeFirstThenXdgConfigDirs) {
    ::setenv("XDG_CONFIG_HOME", (dir + "/home/.config").c_str(), 1);
    ::setenv("XDG_CONFIG_DIRS", (dir + "/nowhere:" + dir + "/etc").c_str(), 1);
    EXPECT_FALSE(findConfigFile().has_value());
    write(dir + "/etc/taplink/taplinkd.json", config());
    EXPECT_EQ(findConfigFile(), dir + "/etc/taplink/taplinkd.json");
    write(dir + "/home/.config/taplink/taplinkd.json", config());
    EXPECT_EQ(findConfigFile(), dir + "/home/.config/taplink/taplinkd.json");
}

TEST(RetryPolicy, BacksOffExponentiallyWithBoundedJitter) {
    net::RetryPolicy policy;
    policy.initialBackoff = std::chrono::milliseconds(200);
    policy.maxBackoff = std::chrono::milliseconds(1000);
    EXPECT_EQ(policy.backoffBefore(1), std::chrono::milliseconds(0));
    for (int round = 0; round < 50; ++round) {
        const auto second = policy.backoffBefore(2);
        EXPECT_GE(second, std::chrono::milliseconds(150));
        EXPECT_LE(second, std::chrono::milliseconds(200));
        const auto third = policy.backoffBefore(3);
        EXPECT_GE(third, std::chrono::milliseconds(300));
        EXPECT_LE(third, std::chrono::milliseconds(400));
        const auto late = policy.backoffBefore(10);
        EXPECT_GE(late, std::chrono::milliseconds(750));
        EXPECT_LE(late, std::chrono::milliseconds(1000));
    }
}

}  // namespace
}  // namespace taplink::app
