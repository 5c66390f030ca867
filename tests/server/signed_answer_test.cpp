// The allowance key's signature on the money answers (docs/server.md, "Signed answers"),
// checked here as the device and an auditor check it: over the statement of the request as
// sent, the answer as received and the chip serial of the certificate that asked, with the
// public key make-pki.sh wrote beside the private one.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "api/script_catalogue.hpp"
#include "load_device.hpp"
#include "server_fixture.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/protocol/signed_answer.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;

constexpr std::uint32_t kAmount = 5000;

crypto::PkeyPtr readPublicKey(const std::string& path) {
    const crypto::BioPtr file(BIO_new_file(path.c_str(), "r"));
    crypto::PkeyPtr key(file ? PEM_read_bio_PUBKEY(file.get(), nullptr, nullptr, nullptr)
                             : nullptr);
    if (!key) {
        throw std::runtime_error("no public key in " + path);
    }
    return key;
}

class SignedAnswerTest : public ServerTest {
  protected:
    void SetUp() override {
        ServerTest::SetUp();
        allowanceKey = readPublicKey(pki.file("allowance-signing.pub.pem"));
        orderId = createOrder(kAmount);
        card = std::make_unique<LoadDevice>(device, pki.file("issuers.json"), "city-3des", 1000);
    }

    std::string path(const std::string& call) const { return "/v1/orders/" + orderId + call; }

    // Whether the answer's signature verifies for this request body, path and chip serial.
    bool verifies(const Answer& answer, const std::string& requestPath,
                  const std::string& requestBody, const Bytes& chipSerial) const {
        const auto signature = answer.header("taplink-signature");
        if (!signature ||
            answer.header("taplink-signature-key") != server::keyIdOf(allowanceKey.get())) {
            return false;
        }
        const Bytes statement =
            wire::encodeAnswerStatement({static_cast<int>(answer.status), "POST", requestPath,
                                         chipSerial, wire::bodyDigest(requestBody), answer.body});
        return crypto::verifySha256Signature(allowanceKey.get(), statement,
                                             base64Decode(*signature).value_or(Bytes{}));
    }

    void arm(const std::string& endpoint, const std::string& mode) const {
        ASSERT_EQ(admin("POST", "/admin/faults", {{"endpoint", endpoint}, {"mode", mode}}).status,
                  201);
    }

    crypto::PkeyPtr allowanceKey;
    std::string orderId;
    std::unique_ptr<LoadDevice> card;
};

TEST_F(SignedAnswerTest, TheAuthorizationAndTheReceiptAreSignedForThisRequestAndDevice) {
    const auto init = card->initialize(kAmount);
    const std::string request = wire::toJson(card->authorizeRequest(init)).dump();
    const Answer authorized = client->post(path("/authorize"), request);
    ASSERT_EQ(authorized.status, 200) << authorized.body;
    EXPECT_TRUE(verifies(authorized, path("/authorize"), request, device.chipSerial));
    // Bound to the request, the path and the device: none of them can be swapped.
    EXPECT_FALSE(verifies(authorized, path("/authorize"), request + " ", device.chipSerial));
    EXPECT_FALSE(verifies(authorized, path("/result"), request, device.chipSerial));
    EXPECT_FALSE(verifies(authorized, path("/authorize"), request, fromHex("544C434800000002")));

    const auto answer = wire::AuthorizeResponse::fromJson(authorized.json());
    // The chip's part: the same key over this device's chip serial and the envelope.
    EXPECT_TRUE(crypto::verifySha256Signature(
        allowanceKey.get(),
        chip::sam::encodeAllowanceStatement(device.chipSerial, answer.loadAuthorization),
        answer.allowanceSignature));
    EXPECT_FALSE(crypto::verifySha256Signature(
        allowanceKey.get(),
        chip::sam::encodeAllowanceStatement(fromHex("544C434800000002"), answer.loadAuthorization),
        answer.allowanceSignature));
    const std::string report = card->report(card->credit(orderId, init, kAmount, answer)).dump();
    const Answer settled = client->post(path("/result"), report);
    ASSERT_EQ(settled.status, 200) << settled.body;
    EXPECT_TRUE(verifies(settled, path("/result"), report, device.chipSerial));
    const Answer again = client->post(path("/result"), report);  // the receipt of a replay too
    EXPECT_EQ(again.errorCode(), wire::refusal::kAlreadySettled);
    EXPECT_TRUE(verifies(again, path("/result"), report, device.chipSerial));
}

TEST_F(SignedAnswerTest, RefusalsAreSignedAndReadsAreNot) {
    const std::string request = wire::toJson(card->authorizeRequest(card->initialize(1))).dump();
    const Answer refused = client->post("/v1/orders/ORD-none/authorize", request);
    EXPECT_EQ(refused.status, 404);
    EXPECT_TRUE(verifies(refused, "/v1/orders/ORD-none/authorize", request, device.chipSerial));
    const Answer order = client->get(path(""));
    EXPECT_EQ(order.status, 200);
    EXPECT_FALSE(order.header("taplink-signature").has_value());
}

TEST_F(SignedAnswerTest, TheUnsignedAndForgedFaultsPlayAServerThatCannotBeBelieved) {
    const std::string request =
        wire::toJson(card->authorizeRequest(card->initialize(kAmount))).dump();
    arm("authorize", "unsigned");
    const Answer bare = client->post(path("/authorize"), request);
    EXPECT_EQ(bare.status, 200);
    EXPECT_FALSE(bare.header("taplink-signature").has_value());
    arm("authorize", "forged");
    const Answer forged = client->post(path("/authorize"), request);
    EXPECT_EQ(forged.status, 200);
    EXPECT_TRUE(forged.header("taplink-signature").has_value());
    EXPECT_FALSE(verifies(forged, path("/authorize"), request, device.chipSerial));
    const Answer honest = client->post(path("/authorize"), request);  // both used up
    EXPECT_TRUE(verifies(honest, path("/authorize"), request, device.chipSerial));
    EXPECT_EQ(
        admin("POST", "/admin/faults", {{"endpoint", "order"}, {"mode", "forged"}}).errorCode(),
        "malformed_request");
}

}  // namespace
}  // namespace taplink::servertest
