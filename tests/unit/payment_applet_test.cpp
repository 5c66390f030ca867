// The secure chip's payment applet, management side, in process (taplink-sim's "secure-chip"):
// the TSM personalises it (keys, parameters, operational in one MANAGE), updates its
// parameters, and is refused a rollback or an operational applet without keys; the plain
// GET STATUS says the same as the authenticated answer; the state survives a restart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "applets/payment_applet.hpp"
#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "taplink/crypto/random.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip::mgmt {
namespace {

using testing::VirtualCardChannel;

constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kWrongData = 0x6A80;

Bytes chipSerial() {
    return fromHex("544C434800000001");
}

PaymentParameters parameters(std::uint32_t version) {
    return testing::testPaymentParameters(version);
}

PaymentKeys keys() {
    return PaymentKeys{crypto::randomBytes(kChannelKeySize), crypto::randomBytes(kPinKeySize),
                       crypto::randomBytes(kTokenSeedSize)};
}

ManageRequest personalisation() {
    ManageRequest request;
    request.keys = keys();
    request.parameters = parameters(1);
    request.lifecycle = Lifecycle::Operational;
    return request;
}

class PaymentAppletTest : public ::testing::Test {
  protected:
    std::shared_ptr<sim::VirtualCard> chip = sim::makeCard("secure-chip");
    VirtualCardChannel channel{chip};

    AppletStatus manage(const ManageRequest& request) {
        return testing::manageWithTestKey(channel, chipSerial(), Applet::Payment, request);
    }
    std::uint16_t refusal(const ManageRequest& request) {
        try {
            manage(request);
        } catch (const ManagementRefused& error) {
            return error.statusWord();
        }
        return 0x9000;
    }
    AppletStatus plainStatus() {
        EXPECT_TRUE(channel.transmit(selectApplet(Applet::Payment)).ok());
        const apdu::ResponseApdu answer = channel.transmit(getStatus());
        EXPECT_TRUE(answer.ok());
        return AppletStatus::parse(answer.data);
    }
};

TEST_F(PaymentAppletTest, ANewAppletIsInstalledWithNothingSet) {
    const AppletStatus status = plainStatus();
    EXPECT_EQ(status.lifecycle, Lifecycle::Installed);
    EXPECT_EQ(status.chipSerial, chipSerial());
    EXPECT_EQ(status.parametersVersion, 0U);
    EXPECT_EQ(status.keysPresent, false);
    EXPECT_FALSE(status.sequenceCounter.has_value()) << "the plain read has no counter";
    EXPECT_EQ(toHex(channel.transmit(getStatus()).data),
              "8001018108544C434800000001840400000000850100");
}

TEST_F(PaymentAppletTest, ThePersonalisationSetsKeysParametersAndOperationalAtOnce) {
    const AppletStatus answer = manage(personalisation());
    EXPECT_EQ(answer.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(answer.parametersVersion, 1U);
    EXPECT_EQ(answer.keysPresent, true);
    EXPECT_EQ(answer.sequenceCounter, 1U);
    const AppletStatus plain = plainStatus();
    EXPECT_EQ(plain.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(plain.parametersVersion, 1U);
    EXPECT_EQ(plain.keysPresent, true);
}

TEST_F(PaymentAppletTest, ParametersOnlyGoForward) {
    manage(personalisation());
    ManageRequest update;
    update.parameters = parameters(3);
    EXPECT_EQ(manage(update).parametersVersion, 3U);
    for (const std::uint32_t version : {2U, 0U}) {
        update.parameters = parameters(version);
        EXPECT_EQ(refusal(update), kWrongData) << "version " << version;
    }
    update.parameters = parameters(3);
    update.parameters->perTransactionLimit = 1;
    EXPECT_EQ(refusal(update), kWrongData) << "version 3 with other content";
    EXPECT_EQ(plainStatus().parametersVersion, 3U);
}

// A personalisation whose answer was lost runs again: the same keys, the same parameters
// under the same version and the same state are a no-op answered 9000. Other content under
// the current version stays a conflict, refused with nothing changed.
TEST_F(PaymentAppletTest, ARerunPersonalisationIsANoOp) {
    const ManageRequest personalise = personalisation();
    manage(personalise);
    const AppletStatus again = manage(personalise);
    EXPECT_EQ(again.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(again.parametersVersion, 1U);
    EXPECT_EQ(again.keysPresent, true);
    EXPECT_EQ(again.sequenceCounter, 2U);
    ManageRequest conflicting;
    conflicting.parameters = parameters(1);
    conflicting.parameters->dailyLimit += 1;
    EXPECT_EQ(refusal(conflicting), kWrongData) << "version 1 with other content";
    conflicting.parameters->dailyLimit -= 1;
    conflicting.lifecycle = Lifecycle::Locked;
    EXPECT_EQ(manage(conflicting).lifecycle, Lifecycle::Locked) << "the same parameters pass";
    EXPECT_EQ(manage(conflicting).lifecycle, Lifecycle::Locked) << "locked again: a no-op";
    EXPECT_EQ(plainStatus().parametersVersion, 1U);
}

TEST_F(PaymentAppletTest, OperationalNeedsKeysAndParametersAndARefusalChangesNothing) {
    ManageRequest request;
    request.lifecycle = Lifecycle::Operational;
    EXPECT_EQ(refusal(request), kConditionsNotSatisfied) << "nothing set";
    request.keys = keys();
    EXPECT_EQ(refusal(request), kConditionsNotSatisfied) << "no parameters";
    request.keys.reset();
    request.parameters = parameters(1);
    EXPECT_EQ(refusal(request), kConditionsNotSatisfied) << "no keys";
    const AppletStatus status = plainStatus();
    EXPECT_EQ(status.lifecycle, Lifecycle::Installed);
    EXPECT_EQ(status.parametersVersion, 0U) << "all or nothing: the parameters did not stay";
    EXPECT_EQ(status.keysPresent, false);
}

TEST_F(PaymentAppletTest, KeysComeAllThreeAndLockingNeedsNoKeys) {
    ManageRequest request;
    request.keys = keys();
    EXPECT_EQ(manage(request).keysPresent, true);
    EXPECT_EQ(manage({}).lifecycle, Lifecycle::Installed);
    ManageRequest lock;
    lock.lifecycle = Lifecycle::Locked;
    EXPECT_EQ(manage(lock).lifecycle, Lifecycle::Locked);
    ManageRequest unlock;
    unlock.lifecycle = Lifecycle::Operational;
    EXPECT_EQ(refusal(unlock), kConditionsNotSatisfied) << "still no parameters";
    unlock.parameters = parameters(1);
    EXPECT_EQ(manage(unlock).lifecycle, Lifecycle::Operational);
}

TEST_F(PaymentAppletTest, TheLoadSamsAllowanceKeyIsRefused) {
    ManageRequest request = personalisation();
    request.allowanceKey = concat(fromHex("04"), Bytes(64, 0x0A));
    EXPECT_EQ(refusal(request), kWrongData);
    EXPECT_EQ(plainStatus().lifecycle, Lifecycle::Installed) << "a refusal changes nothing";
}

TEST_F(PaymentAppletTest, OnlyGetStatusAndTheChannelAreKnown) {
    ASSERT_TRUE(channel.transmit(selectApplet(Applet::Payment)).ok());
    EXPECT_EQ(channel.transmit(apdu::CommandApdu{0x80, 0x34, 0x00, 0x00, Bytes(4, 0), {}}).sw,
              0x6D00);
    EXPECT_EQ(channel.transmit(apdu::CommandApdu{0x80, 0x30, 0x01, 0x00, {}, 256}).sw, 0x6A86);
}

TEST(PaymentAppletState, SurvivesARestartInItsOwnFile) {
    const std::string dir = ::testing::TempDir() + "/payment-" + toHex(crypto::randomBytes(4));
    sim::CardOptions options;
    options.stateDir = dir;
    {
        VirtualCardChannel channel(sim::makeCard("secure-chip", options));
        testing::manageWithTestKey(channel, chipSerial(), Applet::Payment, personalisation());
    }
    const std::string file = sim::paymentStateFile(chipSerial(), dir);
    EXPECT_EQ(file, dir + "/chip-544C434800000001/payment.json");
    std::ifstream in(file);
    EXPECT_EQ(nlohmann::json::parse(in).at("lifecycle"), "operational");

    VirtualCardChannel channel(sim::makeCard("secure-chip", options));
    ManageRequest rollback;
    rollback.parameters = parameters(1);
    rollback.parameters->cvmLimit = 0;  // other content under the saved version
    EXPECT_THROW(testing::manageWithTestKey(channel, chipSerial(), Applet::Payment, rollback),
                 ManagementRefused);
    const AppletStatus status =
        testing::manageWithTestKey(channel, chipSerial(), Applet::Payment, {});
    EXPECT_EQ(status.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(status.parametersVersion, 1U);
    EXPECT_EQ(status.keysPresent, true);
    EXPECT_EQ(status.sequenceCounter, 3U);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace taplink::chip::mgmt
