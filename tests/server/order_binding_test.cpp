// A city order's binding (docs/server.md, "Binding") against a real taplink-server with two
// enrolled devices: a made-up card binds nothing (MAC1); the first authorization holds the
// order for its device while it lives; once it has expired the same card may go on at another
// device, and another card never by waiting, since the earlier load may have happened.
#include <gtest/gtest.h>

#include "load_device.hpp"
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
    std::string orderId;
    std::unique_ptr<LoadDevice> card;
    Device other;
    std::unique_ptr<DeviceClient> otherClient;
};

// The poisoning as it was: another enrolled device authorizes someone's order first, for a
// card it made up. Its MAC1 does not verify, nothing is bound, and the rightful card loads.
TEST_F(OrderBindingTest, AMadeUpCardFromASecondDeviceBindsNothing) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    wire::AuthorizeRequest madeUp = fromOther(card->initializeAt(kAmount, other.terminalId()));
    madeUp.cardSerial = fromHex("00000000000000000099");
    const Answer refused = authorize(*otherClient, madeUp);
    EXPECT_EQ(refused.status, 422);
    EXPECT_EQ(refused.errorCode(), "mac1_invalid") << refused.body;
    EXPECT_TRUE(showOrder(orderId)["authorizations"].empty());

    const ep::LoadInitialization fresh = card->initialize(kAmount);
    EXPECT_EQ(fresh.onlineAtc, init.onlineAtc);
    const Answer authorized = authorize(*client, card->authorizeRequest(fresh));
    ASSERT_EQ(authorized.status, 200) << authorized.body;
    const wire::TopupResult result =
        card->credit(orderId, fresh, kAmount, wire::AuthorizeResponse::fromJson(authorized.json()));
    const Answer settled =
        client->postJson("/v1/orders/" + orderId + "/result", card->report(result));
    EXPECT_EQ(settled.status, 200) << settled.body;
    EXPECT_EQ(card->balance(), kBalance + kAmount);
}

// A second device with a real card of its own: while its authorization lives the rightful
// device is told the order is bound (not declined) and when; afterwards the order stays that
// card's, as the money rule says, until its result is known.
TEST_F(OrderBindingTest, ARealCardFromASecondDeviceHoldsTheOrderForItsLoadOnly) {
    LoadDevice theirs = cardAtOther("00000000000000000099");
    const Answer first =
        authorize(*otherClient, theirs.authorizeRequest(theirs.initialize(kAmount)));
    ASSERT_EQ(first.status, 200) << first.body;
    const std::int64_t expiry = first.json()["expiresAt"].get<std::int64_t>();

    const ep::LoadInitialization init = card->initialize(kAmount);
    const Answer bound = authorize(*client, card->authorizeRequest(init));
    EXPECT_EQ(bound.status, 409);
    EXPECT_EQ(bound.errorCode(), "order_bound") << bound.body;
    EXPECT_EQ(bound.json()["retryAt"], expiry);

    expireAuthorizations(3600);
    const Answer owed = authorize(*client, card->authorizeRequest(init));
    EXPECT_EQ(owed.errorCode(), "authorization_outstanding") << owed.body;
    EXPECT_EQ(showOrder(orderId)["authorizations"].size(), 1U);
}

// A live binding holds the order for its device even for the same card and ATC; once it has
// expired, the same card at the same ATC may go on at another device at once (the customer
// moved to another kiosk), and at a moved-on ATC it stays owed.
TEST_F(OrderBindingTest, TheSameCardMovesToAnotherDeviceOnceTheAuthorizationExpired) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    ASSERT_EQ(authorize(*client, card->authorizeRequest(init)).status, 200);
    const ep::LoadInitialization atOther = card->initializeAt(kAmount, other.terminalId());
    EXPECT_EQ(atOther.onlineAtc, init.onlineAtc);
    EXPECT_EQ(authorize(*otherClient, fromOther(atOther)).errorCode(), "order_bound");

    expireAuthorizations(1);
    const Answer moved = authorize(*otherClient, fromOther(atOther));
    EXPECT_EQ(moved.status, 200) << moved.body;
    // Now the other device's live authorization holds it.
    EXPECT_EQ(authorize(*client, card->authorizeRequest(init)).errorCode(), "order_bound");

    expireAuthorizations(3600);
    moveTheCardOn();
    const Answer owed = authorize(*client, card->authorizeRequest(card->initialize(kAmount)));
    EXPECT_EQ(owed.errorCode(), "authorization_outstanding") << owed.body;
    EXPECT_FALSE(owed.json().contains("retryAt"));
}

// The rule itself, at the edges of its times.
TEST(DecideBinding, AtTheEdgesOfExpiry) {
    using server::BindingVerdict;
    server::AuthorizationRecord bound;
    bound.chipSerial = "544C434800000001";
    bound.issuerId = fromHex("5441504C494E4B31");
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
        return server::decideBinding(binding, next, at);
    };
    const std::string self = bound.chipSerial;
    const std::string other = "544C434800000002";
    const char* sameCard = "00000000000000000042";
    const char* otherCard = "00000000000000000043";
    EXPECT_EQ(server::decideBinding({}, bound, 0).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(self, sameCard, 7, 999).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(self, sameCard, 8, 999).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(self, otherCard, 7, 999).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(other, sameCard, 7, 999).verdict, BindingVerdict::BoundToAnotherDevice);
    EXPECT_EQ(verdict(other, sameCard, 7, 999).until, 1000);
    EXPECT_EQ(verdict(other, sameCard, 7, 1000).verdict, BindingVerdict::Joins);
    EXPECT_EQ(verdict(other, sameCard, 8, 1000).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(other, otherCard, 7, 1'000'000).verdict, BindingVerdict::Outstanding);
    EXPECT_EQ(verdict(self, otherCard, 7, 1'000'000).verdict, BindingVerdict::Outstanding);
    server::AuthorizationRecord otherIssuer = bound;
    otherIssuer.issuerId = fromHex("5441504C494E4B32");
    EXPECT_EQ(server::decideBinding(binding, otherIssuer, 999).verdict,
              BindingVerdict::Outstanding);
}

}  // namespace
}  // namespace taplink::servertest
