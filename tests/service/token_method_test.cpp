// token.generate through the API's dispatcher over the purchase bed (purchase_bed.hpp: the
// simulated chip's payment applet personalised with a known token seed): the code is the
// OCRA code of that seed (crypto::ocra, checked against RFC 6287's vectors in the unit
// tests), the counter moves on with each call, a locked applet is chip_locked, and a web
// caller does not even see the method.
#include <gtest/gtest.h>

#include "app/failure_translation.hpp"
#include "app/method_families.hpp"
#include "cards/secure_chip.hpp"
#include "chip_management.hpp"
#include "purchase_bed.hpp"
#include "taplink/crypto/ocra.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::app {
namespace {

using nlohmann::json;
using service::testing::PurchaseBed;
namespace mgmt = chip::mgmt;

constexpr const char* kChallenge = "12345678";

class Caller final : public api::Session {
  public:
    explicit Caller(api::Peer peer) : Session(std::move(peer)) {}
    void send(const json& /*message*/) override {}
};

api::Peer webPeer() {
    api::Peer peer{std::string(api::kWebSocketTransport)};
    peer.caller = api::Caller::Web;
    peer.origin = "https://shop.example";
    return peer;
}

struct TokenApi {
    TokenApi() {
        dispatcher.setErrorTranslator(translateFailure);
        registerChipMethods(dispatcher, {management, bed.chip});
    }
    json call(const json& params, const api::Peer& peer = api::Peer{"unix"}) {
        const auto caller = std::make_shared<Caller>(peer);
        api::CallContext context(caller);
        return *dispatcher.call(api::Request{json(1), "token.generate", params}, context);
    }
    std::string expectedCode(std::uint64_t counter, const std::string& challenge = kChallenge) {
        return crypto::ocra(crypto::parseOcraSuite(crypto::kPaymentTokenSuite), bed.tokenSeed,
                            {counter, {challenge}, {}});
    }
    void lockPaymentApplet() {
        mgmt::ManageRequest lock;
        lock.lifecycle = mgmt::Lifecycle::Locked;
        ::taplink::testing::VirtualCardChannel channel(bed.chipCard.card);
        ::taplink::testing::manageWithTestKey(channel, sim::defaultChipSerial(),
                                              mgmt::Applet::Payment, lock);
    }

    PurchaseBed bed;
    service::ChipManagement management{bed.chip, [] { return nullptr; }, {}, bed.journal};
    api::Dispatcher dispatcher;
};

std::string errorCodeOf(const json& reply) {
    return reply.contains("error") ? reply["error"]["data"].value("code", "") : "";
}

TEST(TokenMethod, AnswersTheSeedsOcraCodeAndMovesTheCounterOn) {
    TokenApi api;
    const json first = api.call({{"challenge", kChallenge}});
    ASSERT_TRUE(first.contains("result")) << first.dump();
    EXPECT_EQ(first["result"], (json{{"code", api.expectedCode(0)}, {"counter", 0}}));
    const json second = api.call({{"challenge", "00000000"}});
    ASSERT_TRUE(second.contains("result")) << second.dump();
    EXPECT_EQ(second["result"], (json{{"code", api.expectedCode(1, "00000000")}, {"counter", 1}}));
}

TEST(TokenMethod, RefusesAChallengeThatIsNotEightDigits) {
    TokenApi api;
    for (const json& challenge : {json("1234567"), json("123456789"), json("1234567a"), json(8)}) {
        const json reply = api.call({{"challenge", challenge}});
        EXPECT_EQ(errorCodeOf(reply), "invalid_params") << reply.dump();
    }
    EXPECT_EQ(errorCodeOf(api.call(json::object())), "invalid_params");
    EXPECT_EQ(errorCodeOf(api.call({{"challenge", kChallenge}, {"counter", 3}})), "invalid_params");
    // None of them spent a counter.
    EXPECT_EQ(api.call({{"challenge", kChallenge}})["result"]["counter"], 0);
}

TEST(TokenMethod, ALockedPaymentAppletIsChipLocked) {
    TokenApi api;
    api.lockPaymentApplet();
    const json reply = api.call({{"challenge", kChallenge}});
    EXPECT_EQ(errorCodeOf(reply), "chip_locked") << reply.dump();
}

TEST(TokenMethod, WebCallersCannotCallIt) {
    TokenApi api;
    const json reply = api.call({{"challenge", kChallenge}}, webPeer());
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_EQ(reply["error"]["code"], -32601);
    // The owner's next code is still the first: the web call reached no chip.
    EXPECT_EQ(api.call({{"challenge", kChallenge}})["result"]["counter"], 0);
}

}  // namespace
}  // namespace taplink::app
