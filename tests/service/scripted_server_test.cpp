// ScriptedTopupServer answers like taplink-server where the service's tests rely on it: the
// signed real script, orders, refusals with the server's codes, faults that pass, results
// only from the device.
#include <gtest/gtest.h>

#include "net/net_error.hpp"
#include "service_bed.hpp"

namespace taplink::service::testing {
namespace {

class ScriptedServerTest : public ::testing::Test {
  protected:
    ScriptedServerTest() { bed.addOrder("ORD-1"); }

    // The code the server refuses `fn` with; empty when it does not refuse.
    template <class Fn>
    static std::string refusalOf(Fn fn) {
        try {
            fn();
        } catch (const net::ServerRefusal& refusal) {
            return refusal.code();
        }
        return {};
    }

    ServiceBed bed;
};

TEST_F(ScriptedServerTest, ServesTheRealScriptSignedWithTheTestKey) {
    const script::Script script = script::verifySignedScript(bed.server->fetchScript("city-epurse"),
                                                             {trustedKeyOf(bed.signingKey.get())});
    EXPECT_EQ(script.id, "city-epurse-load");
    EXPECT_EQ(refusalOf([&] { bed.server->fetchScript("metro-x"); }), "script_not_found");
}

TEST_F(ScriptedServerTest, AnswersOrdersAndRefusesUnknownOnes) {
    EXPECT_EQ(bed.server->fetchOrder("ORD-1").amount, ServiceBed::kAmount);
    EXPECT_EQ(refusalOf([&] { bed.server->fetchOrder("ORD-2"); }), "order_not_found");
}

TEST_F(ScriptedServerTest, AFaultForSomeCallsPassesAfterThem) {
    bed.server->failUnreachable(ServerCall::FetchOrder, 1);
    EXPECT_THROW(bed.server->fetchOrder("ORD-1"), net::NetError);
    EXPECT_NO_THROW(bed.server->fetchOrder("ORD-1"));
    bed.server->refuse(ServerCall::FetchOrder, "device_revoked");
    EXPECT_EQ(refusalOf([&] { bed.server->fetchOrder("ORD-1"); }), "device_revoked");
    EXPECT_EQ(refusalOf([&] { bed.server->fetchOrder("ORD-1"); }), "device_revoked");
    EXPECT_EQ(bed.server->calls(ServerCall::FetchOrder), 4U);
}

TEST_F(ScriptedServerTest, RefusesAResultNotSignedByTheDevice) {
    const Bytes result(70, 0x00);
    EXPECT_EQ(refusalOf([&] { bed.server->reportResult("ORD-1", result, Bytes(70, 0x30)); }),
              "bad_signature");
}

TEST_F(ScriptedServerTest, RefusesAnAuthorizeRequestOffTheContract) {
    EXPECT_EQ(refusalOf([&] {
                  bed.server->exchange("ORD-1", "authorize", {{"balance", 1}});
              }),
              "malformed_request");
    EXPECT_EQ(refusalOf([&] { bed.server->exchange("ORD-1", "refund", {}); }), "not_found");
}

}  // namespace
}  // namespace taplink::service::testing
