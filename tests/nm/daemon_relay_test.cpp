// taplink-nm in front of the real taplinkd on the test bed (pcscd + vpcd + taplink-sim, the
// daemon's own caller gate and web.allowedOrigins): what a page reaches through the extension.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "host_process.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/client.hpp"
#include "topup_bed.hpp"

namespace taplink::nm::test {
namespace {

using nlohmann::json;

constexpr std::string_view kShopOrigin = "https://shop.test";

class NmDaemonRelay : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        bed_ = std::make_unique<testbed::TopupBed>();
        // The owner (as the GUI's settings page would) allows the shop's origin.
        auto owner = api::Client::connect(bed_->socketPath());
        owner.call("settings.set", {{"web", {{"allowedOrigins", {kShopOrigin}}}}});
    }
    static void TearDownTestSuite() { bed_.reset(); }

    static std::unique_ptr<testbed::TopupBed> bed_;
};

std::unique_ptr<testbed::TopupBed> NmDaemonRelay::bed_;

TEST_F(NmDaemonRelay, ReadersListFromAnAllowedOrigin) {
    HostProcess host(bed_->socketPath());
    EXPECT_EQ(host.hello(kShopOrigin), json({{"type", "hello"},
                                             {"ok", true},
                                             {"version", std::string(taplink::api::kApiVersion)}}));
    const json reply = host.call(1, "readers.list");
    ASSERT_TRUE(reply.contains("result")) << reply;
    const json& readers = reply["result"]["readers"];
    const std::string cardReader = bed_->bed().readerName(testbed::kCardSlot);
    const auto found = std::find_if(readers.begin(), readers.end(), [&](const json& reader) {
        return reader["name"] == cardReader;
    });
    ASSERT_NE(found, readers.end()) << readers;
    EXPECT_EQ((*found)["state"], "present");
    host.closeStdin();
    EXPECT_EQ(host.waitExit(), 0);
}

TEST_F(NmDaemonRelay, OriginNotAllowedIsDenied) {
    HostProcess host(bed_->socketPath());
    EXPECT_EQ(host.hello("https://elsewhere.test")["ok"], true);
    const json reply = host.call(1, "readers.list");
    EXPECT_EQ(reply["error"]["data"]["code"], "origin_denied") << reply;
}

TEST_F(NmDaemonRelay, OwnerOnlyMethodsAreUnknownToTheExtension) {
    HostProcess host(bed_->socketPath());
    EXPECT_EQ(host.hello(kShopOrigin)["ok"], true);
    for (const std::string_view method :
         {"device.info", "diagnostics", "settings.set", "ui.attach"}) {
        EXPECT_EQ(host.call(2, method)["error"]["code"], -32601) << method;
    }
}

}  // namespace
}  // namespace taplink::nm::test
