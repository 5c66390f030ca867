// A city order's binding (docs/server.md, "Binding") against a real taplink-server with two
// enrolled devices: the first authorization holds the order for its device while it lives, a
// lapsed one lets the same card move to another device, and another card only once the
// binding is released, so that a second device can no longer make someone's order unloadable
// for good.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "load_device.hpp"
#include "server_config.hpp"
#include "server_fixture.hpp"
#include "store/load_binding.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;
namespace ep = cards::epurse;
using nlohmann::json;

constexpr std::uint32_t kBalance = 1000;
constexpr std::uint32_t kAmount = 5000;
constexpr std::int64_t kReleaseSeconds = 86400;  // the server's default bindingReleaseSeconds

class OrderBindingTest : public ServerTest {
  protected:
    void SetUp() override {
        ServerTest::SetUp();
        orderId = createOrder(kAmount);
        card =
            std::make_unique<LoadDevice>(device, pki.file("issuers.json"), "city-3des", kBalance);
        other = pki.makeDevice("other", DeviceOptions::forChip("544C434800000002"));
        otherClient = std::make_unique<DeviceClient>(clientFor(other));
    }

    Answer authorize(const DeviceClient& who, const wire::AuthorizeRequest& request) const {
        return who.postJson("/v1/orders/" + orderId + "/authorize", wire::toJson(request));
    }
    // The request as the other device sends it for the same card, initialized there.
    wire::AuthorizeRequest fromOther(const ep::LoadInitialization& atOther) const {
        wire::AuthorizeRequest request = card->authorizeRequest(atOther);
        request.terminalId = other.terminalId();
        return request;
    }
    // A real card of the same issuer at the other device.
    LoadDevice cardAtOther(const char* serial) const {
        return LoadDevice(other, pki.file("issuers.json"), "city-3des", kBalance, fromHex(serial));
    }
    // The card loads another order, so that its online ATC moves on.
    void moveTheCardOn() {
        const std::string another = createOrder(kAmount);
        const ep::LoadInitialization init = card->initialize(kAmount);
        const Answer answer = client->postJson("/v1/orders/" + another + "/authorize",
                                               wire::toJson(card->authorizeRequest(init)));
        ASSERT_EQ(answer.status, 200) << answer.body;
        card->credit(another, init, kAmount, wire::AuthorizeResponse::fromJson(answer.json()));
    }
    // The order's authorizations expired `secondsAgo` seconds ago (a change behind the
    // server's back, as time passing would make it).
    void expireAuthorizations(std::int64_t secondsAgo) const {
        changeDatabase(
            "UPDATE authorizations SET expires_at = " + std::to_string(unixNow() - secondsAgo) +
            " WHERE order_id = '" + orderId + "'");
    }
    long bindingEvents() {
        const json events = admin("GET", "/admin/events").json()["events"];
        return std::count_if(events.begin(), events.end(),
                             [](const json& event) { return event["kind"] == "binding_released"; });
    }

    std::string orderId;
    std::unique_ptr<LoadDevice> card;
    Device other;
    std::unique_ptr<DeviceClient> otherClient;
};

// The poisoning: another enrolled device authorizes someone's order first, for a card of its
// own (a made-up one no longer passes: MAC1). While that lives, the rightful device is told the
// order is bound (not declined); once it has expired and the release time has passed, the rightful
// card loads and settles once.
TEST_F(OrderBindingTest, AnOrderPoisonedFromASecondDeviceIsReleasedAfterItsAuthorizationExpires) {
    LoadDevice poisonCard = cardAtOther("00000000000000000099");
    const wire::AuthorizeRequest poison =
        poisonCard.authorizeRequest(poisonCard.initialize(kAmount));
    const ep::LoadInitialization init = card->initialize(kAmount);
    const Answer poisoned = authorize(*otherClient, poison);
    ASSERT_EQ(poisoned.status, 200) << poisoned.body;
    const std::int64_t poisonExpiry = poisoned.json()["expiresAt"].get<std::int64_t>();

    const Answer bound = authorize(*client, card->authorizeRequest(init));
    EXPECT_EQ(bound.status, 409);
    EXPECT_EQ(bound.errorCode(), "order_bound") << bound.body;
    EXPECT_EQ(bound.json()["retryAt"], poisonExpiry);

    // Expired, but a device may still have loaded a card with it: another card waits for
    // the release.
    expireAuthorizations(10);
    const Answer waiting = authorize(*client, card->authorizeRequest(init));
    EXPECT_EQ(waiting.errorCode(), "authorization_outstanding") << waiting.body;
    const std::int64_t releaseAt = waiting.json()["retryAt"].get<std::int64_t>();
    EXPECT_LE(releaseAt, unixNow() - 10 + kReleaseSeconds);
    EXPECT_GE(releaseAt, unixNow() - 15 + kReleaseSeconds);
    EXPECT_EQ(bindingEvents(), 0);

    expireAuthorizations(kReleaseSeconds + 10);
    const Answer released = authorize(*client, card->authorizeRequest(init));
    ASSERT_EQ(released.status, 200) << released.body;
    EXPECT_EQ(bindingEvents(), 1);
    const wire::TopupResult result =
        card->credit(orderId, init, kAmount, wire::AuthorizeResponse::fromJson(released.json()));
    const Answer settled =
        client->postJson("/v1/orders/" + orderId + "/result", card->report(result));
    ASSERT_EQ(settled.status, 200) << settled.body;
    EXPECT_EQ(card->balance(), kBalance + kAmount);

    const json shown = showOrder(orderId);
    ASSERT_EQ(shown["authorizations"].size(), 2U);
    EXPECT_TRUE(shown["authorizations"][0]["releasedAt"].is_number());
    EXPECT_TRUE(shown["authorizations"][1]["releasedAt"].is_null());
    EXPECT_EQ(authorize(*otherClient, poison).errorCode(), "order_settled");
}

// A live binding holds the order for its device even for the same card and ATC; once it has
// expired, the same card at the same ATC may go on at another device at once (the card still
// at that ATC shows no load used it), and at another ATC never by waiting.
TEST_F(OrderBindingTest, TheSameCardMovesToAnotherDeviceOnceTheAuthorizationExpired) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    ASSERT_EQ(authorize(*client, card->authorizeRequest(init)).status, 200);
    const ep::LoadInitialization atOther = card->initializeAt(kAmount, other.terminalId());
    EXPECT_EQ(atOther.onlineAtc, init.onlineAtc);
    EXPECT_EQ(authorize(*otherClient, fromOther(atOther)).errorCode(), "order_bound");

    expireAuthorizations(1);
    const Answer moved = authorize(*otherClient, fromOther(atOther));
    EXPECT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(bindingEvents(), 0);
    // Now the other device's live authorization holds it.
    EXPECT_EQ(authorize(*client, card->authorizeRequest(init)).errorCode(), "order_bound");

    expireAuthorizations(kReleaseSeconds + 10);
    moveTheCardOn();
    const Answer owed = authorize(*client, card->authorizeRequest(card->initialize(kAmount)));
    EXPECT_EQ(owed.errorCode(), "authorization_outstanding") << owed.body;
    EXPECT_FALSE(owed.json().contains("retryAt"));
}

// The device that loaded a card reports late, after the binding was released to another
// card: its result still settles the order, once, and the other card gets nothing.
TEST_F(OrderBindingTest, ALateResultOfAReleasedAuthorizationStillSettlesTheOrderOnce) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    const Answer first = authorize(*client, card->authorizeRequest(init));
    ASSERT_EQ(first.status, 200) << first.body;
    const wire::TopupResult loaded =
        card->credit(orderId, init, kAmount, wire::AuthorizeResponse::fromJson(first.json()));

    expireAuthorizations(kReleaseSeconds + 10);
    LoadDevice anotherCard = cardAtOther("00000000000000000077");
    const wire::AuthorizeRequest another =
        anotherCard.authorizeRequest(anotherCard.initialize(kAmount));
    ASSERT_EQ(authorize(*otherClient, another).status, 200);

    const Answer late = client->postJson("/v1/orders/" + orderId + "/result", card->report(loaded));
    EXPECT_EQ(late.status, 200) << late.body;
    EXPECT_EQ(authorize(*otherClient, another).errorCode(), "order_settled");
}

TEST(BindingConfig, ReleaseSecondsDefaultToADayAndStayWithinThirtyDays) {
    json config = ServerSetup().configuration();
    EXPECT_EQ(server::parseServerConfig(config.dump(), "/srv").bindingReleaseSeconds, 86400);
    config["bindingReleaseSeconds"] = 0;
    EXPECT_EQ(server::parseServerConfig(config.dump(), "/srv").bindingReleaseSeconds, 0);
    for (const json& bad : {json(-1), json(30 * 86400 + 1), json("600")}) {
        config["bindingReleaseSeconds"] = bad;
        EXPECT_THROW(server::parseServerConfig(config.dump(), "/srv"), server::ConfigError) << bad;
    }
}

// The rule itself, at the edges of its times.
TEST(DecideBinding, AtTheEdgesOfExpiryAndRelease) {
    using server::BindingVerdict;
    server::AuthorizationRecord bound;
    bound.chipSerial = "544C434800000001";
    bound.cardSerial = fromHex("00000000000000000042");
    bound.onlineAtc = 7;
    bound.expiresAt = 1000;
    const std::vector binding{bound};
    const auto verdict = [&](const std::string& chip, const char* card, std::uint16_t atc,
                             std::int64_t at) {
        server::AuthorizationRecord next = bound;
        next.chipSerial = chip;
        next.cardSerial = fromHex(card);
        next.onlineAtc = atc;
        return server::decideBinding(binding, next, at, 60);
    };
    const std::string self = bound.chipSerial;
    const std::string other = "544C434800000002";
    const char* sameCard = "00000000000000000042";
    const char* otherCard = "00000000000000000043";
    EXPECT_EQ(server::decideBinding({}, bound, 0, 60).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(self, sameCard, 7, 999).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(self, sameCard, 8, 999).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(other, sameCard, 7, 999).verdict, BindingVerdict::BoundToAnotherDevice);
    EXPECT_EQ(verdict(other, sameCard, 7, 999).until, 1000);
    EXPECT_EQ(verdict(other, sameCard, 7, 1000).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(other, sameCard, 8, 5000).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(other, sameCard, 8, 5000).until, 0);
    EXPECT_EQ(verdict(other, otherCard, 7, 1059).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(other, otherCard, 7, 1059).until, 1060);
    EXPECT_EQ(verdict(other, otherCard, 7, 1060).verdict, BindingVerdict::Releases);
    EXPECT_EQ(verdict(self, otherCard, 7, 1060).verdict, BindingVerdict::Releases);
}

}  // namespace
}  // namespace taplink::servertest
