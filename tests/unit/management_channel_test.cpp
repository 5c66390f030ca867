// The secure chip's management channel in process (taplink-sim's "secure-chip", no pcscd):
// the TSM activates, locks and unlocks the load SAM by MANAGE inside SCP03, and everything
// else is refused and changes nothing: the withdrawn plain SET LIFECYCLE, MANAGE outside the
// channel, a replayed or altered MANAGE, a channel used after selecting the other applet, a
// chip made with another master key. The sequence counter moves on each INITIALIZE UPDATE
// and is in the state file before the answer leaves.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "applets/load_sam_applet.hpp"
#include "applets/payment_applet.hpp"
#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "chip_management.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/gp/gp_error.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip::mgmt {
namespace {

using testing::VirtualCardChannel;

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;

Bytes chipSerial() {
    return fromHex("544C434800000001");
}

// The load SAM's: with the allowance key when the target is operational.
ManageRequest lifecycleRequest(Lifecycle target) {
    return testing::samLifecycleRequest(target);
}

std::string uniqueStateDir() {
    std::string dir = ::testing::TempDir() + "/mgmt-" + toHex(crypto::randomBytes(4));
    std::filesystem::create_directories(dir);
    return dir;
}

nlohmann::json stateFile(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

class ManagementChannelTest : public ::testing::Test {
  protected:
    std::shared_ptr<sim::VirtualCard> chip = sim::makeCard("secure-chip");
    VirtualCardChannel channel{chip};

    // The plain reads (GET CHIP INFO / GET STATUS), after selecting the applet.
    Lifecycle samLifecycle() {
        EXPECT_TRUE(channel.transmit(selectApplet(Applet::LoadSam)).ok());
        return sam::ChipInfo::parse(channel.transmit(getStatus()).data).lifecycle;
    }
    Lifecycle paymentLifecycle() {
        EXPECT_TRUE(channel.transmit(selectApplet(Applet::Payment)).ok());
        return AppletStatus::parse(channel.transmit(getStatus()).data).lifecycle;
    }
    AppletStatus manageSam(Lifecycle target) {
        return testing::manageWithTestKey(channel, chipSerial(), Applet::LoadSam,
                                          lifecycleRequest(target));
    }
    std::uint16_t send(const apdu::CommandApdu& command) { return channel.transmit(command).sw; }
};

TEST_F(ManagementChannelTest, TheTsmActivatesLocksAndUnlocksTheLoadSam) {
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);
    const AppletStatus activated = manageSam(Lifecycle::Operational);
    EXPECT_EQ(activated.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(activated.chipSerial, chipSerial());
    EXPECT_EQ(activated.sequenceCounter, 1U);
    EXPECT_FALSE(activated.parametersVersion.has_value()) << "the SAM has no parameters";
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
    EXPECT_EQ(manageSam(Lifecycle::Locked).lifecycle, Lifecycle::Locked);
    EXPECT_EQ(samLifecycle(), Lifecycle::Locked);
    EXPECT_EQ(manageSam(Lifecycle::Operational).sequenceCounter, 3U);
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
    EXPECT_EQ(testing::manageWithTestKey(channel, chipSerial(), Applet::LoadSam, {}).lifecycle,
              Lifecycle::Operational)
        << "empty MANAGE data: a status read";
    EXPECT_EQ(paymentLifecycle(), Lifecycle::Installed) << "each applet has its own lifecycle";
}

TEST_F(ManagementChannelTest, ARefusedManageChangesNothingAndKeepsTheChannelOpen) {
    gp::HostChannel host = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    const auto answer = [&](ByteView data) {
        return host.unwrap(channel.transmit(host.wrap(manage(data))));
    };
    EXPECT_EQ(answer(fromHex("C00101")).sw, 0x6A80) << "back to installed";
    EXPECT_EQ(answer(tlv::Tlv::primitive(0xC2, Bytes(79, 0)).encode()).sw, 0x6A80)
        << "the SAM takes no keys";
    EXPECT_EQ(answer(fromHex("C00102")).sw, kConditionsNotSatisfied) << "no allowance key";
    const Bytes activate = lifecycleRequest(Lifecycle::Operational).encode();
    EXPECT_EQ(answer(activate).sw, kOk);
    const apdu::ResponseApdu again = answer(activate);
    ASSERT_EQ(again.sw, kOk) << "already operational: a no-op";
    EXPECT_EQ(AppletStatus::parse(again.data).lifecycle, Lifecycle::Operational);
    const apdu::ResponseApdu locked = answer(fromHex("C00103"));
    ASSERT_EQ(locked.sw, kOk);
    EXPECT_EQ(AppletStatus::parse(locked.data).lifecycle, Lifecycle::Locked);
    EXPECT_EQ(samLifecycle(), Lifecycle::Locked);
}

// A job whose answer was lost after the chip applied it runs again: the same target is a
// no-op answered with the authenticated status, the sequence counter still moves.
TEST_F(ManagementChannelTest, ARerunLifecycleJobSucceedsWithoutAChange) {
    manageSam(Lifecycle::Locked);
    const AppletStatus relocked = manageSam(Lifecycle::Locked);
    EXPECT_EQ(relocked.lifecycle, Lifecycle::Locked);
    EXPECT_EQ(relocked.sequenceCounter, 2U);
    manageSam(Lifecycle::Operational);
    const AppletStatus reunlocked = manageSam(Lifecycle::Operational);
    EXPECT_EQ(reunlocked.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(reunlocked.sequenceCounter, 4U);
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
}

TEST_F(ManagementChannelTest, PlainCommandsOutsideTheChannelAreRefusedAndChangeNothing) {
    for (const Applet applet : {Applet::LoadSam, Applet::Payment}) {
        ASSERT_TRUE(channel.transmit(selectApplet(applet)).ok());
        EXPECT_EQ(send(sam::setLifecycle(Lifecycle::Operational)), kSecurityNotSatisfied);
        EXPECT_EQ(send(manage(fromHex("C00102"))), kSecurityNotSatisfied) << "plain 80 E2";
        apdu::CommandApdu secured = manage(concat(fromHex("C00102"), Bytes(8, 0)));
        secured.cla = 0x84;
        EXPECT_EQ(send(secured), kConditionsNotSatisfied) << "84 E2 with no channel";
        apdu::CommandApdu externalAuthenticate{0x84, 0x82, 0x33, 0x00, Bytes(16, 0), {}};
        EXPECT_EQ(send(externalAuthenticate), kConditionsNotSatisfied) << "no INITIALIZE UPDATE";
    }
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);
    EXPECT_EQ(paymentLifecycle(), Lifecycle::Installed);
}

TEST_F(ManagementChannelTest, AReplayedManageIsRefusedAndChangesNothing) {
    gp::HostChannel first = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    const apdu::CommandApdu lock = first.wrap(manage(fromHex("C00103")));
    ASSERT_EQ(channel.transmit(lock).sw, kOk);
    EXPECT_EQ(send(lock), kSecurityNotSatisfied) << "the same bytes again, same session";

    gp::HostChannel second = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    ASSERT_EQ(second
                  .unwrap(channel.transmit(
                      second.wrap(manage(lifecycleRequest(Lifecycle::Operational).encode()))))
                  .sw,
              kOk);
    EXPECT_EQ(send(lock), kSecurityNotSatisfied) << "the old session's bytes in a new one";
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
}

TEST_F(ManagementChannelTest, AnAlteredManageIsRefusedAndClosesTheChannel) {
    gp::HostChannel host = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    apdu::CommandApdu activate = host.wrap(manage(fromHex("C00102")));
    activate.data[3] ^= 0x01U;
    EXPECT_EQ(send(activate), kSecurityNotSatisfied) << "the C-MAC does not verify";
    EXPECT_EQ(send(host.wrap(manage(fromHex("C00102")))), kConditionsNotSatisfied)
        << "the channel closed";
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);
}

TEST_F(ManagementChannelTest, AChannelOpenedForOneAppletDoesNotServeTheOther) {
    gp::HostChannel host = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    ASSERT_TRUE(channel.transmit(selectApplet(Applet::Payment)).ok());
    EXPECT_EQ(send(host.wrap(manage(fromHex("C00103")))), kConditionsNotSatisfied);
    ASSERT_TRUE(channel.transmit(selectApplet(Applet::LoadSam)).ok());
    EXPECT_EQ(send(host.wrap(manage(fromHex("C00103")))), kConditionsNotSatisfied)
        << "leaving the SAM closed its channel";
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);
    EXPECT_EQ(paymentLifecycle(), Lifecycle::Installed);
}

TEST_F(ManagementChannelTest, AReselectOrResetClosesTheChannel) {
    gp::HostChannel host = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    ASSERT_TRUE(channel.transmit(selectApplet(Applet::LoadSam)).ok());
    EXPECT_EQ(send(host.wrap(manage({}))), kConditionsNotSatisfied);
    gp::HostChannel again = testing::openManagementChannel(channel, chipSerial(), Applet::LoadSam);
    chip->reset();
    ASSERT_TRUE(channel.transmit(selectApplet(Applet::LoadSam)).ok());
    EXPECT_EQ(send(again.wrap(manage({}))), kConditionsNotSatisfied);
}

// A relay (taplinkd, or anything between the TSM and the chip) that rewrites the sequence
// counter of the INITIALIZE UPDATE answer (Amendment D 7.1.3: its last 3 bytes, which the card
// cryptogram does not cover).
class CounterRewritingChannel : public apdu::ApduChannel {
  public:
    explicit CounterRewritingChannel(apdu::ApduChannel& inner) : inner_(inner) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        apdu::ResponseApdu answer = inner_.transmit(command);
        if (command.ins == gp::kInsInitializeUpdate && answer.ok() && answer.data.size() >= 3) {
            std::fill(answer.data.end() - 3, answer.data.end(), 0xFF);
            answer.data.back() = 0xFE;
        }
        return answer;
    }

  private:
    apdu::ApduChannel& inner_;
};

TEST_F(ManagementChannelTest, TheTsmRefusesARewrittenSequenceCounter) {
    CounterRewritingChannel relay(channel);
    try {
        testing::manageWithTestKey(relay, chipSerial(), Applet::LoadSam,
                                   lifecycleRequest(Lifecycle::Operational));
        FAIL() << "a counter the chip did not send was accepted";
    } catch (const gp::GpError& error) {
        EXPECT_EQ(error.code(), gp::GpErrorCode::BadCryptogram);
    }
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);
    EXPECT_EQ(manageSam(Lifecycle::Operational).sequenceCounter, 2U) << "the chip's own counter";
}

TEST_F(ManagementChannelTest, AnotherMasterKeyOpensNoChannel) {
    const Bytes otherMaster = crypto::randomBytes(32);
    EXPECT_THROW(manageDirect(channel, {otherMaster, kKeyVersion, chipSerial()}, Applet::LoadSam,
                              lifecycleRequest(Lifecycle::Operational)),
                 gp::GpError);
    EXPECT_THROW(manageDirect(channel,
                              {protocol::testTsmMasterKey().master, kKeyVersion,
                               fromHex("544C434800000002")},
                              Applet::LoadSam, lifecycleRequest(Lifecycle::Operational)),
                 gp::GpError)
        << "another chip's keys";
    EXPECT_EQ(samLifecycle(), Lifecycle::Installed);

    sim::CardOptions options;
    options.tsmKeys = std::make_shared<const protocol::TsmMasterKey>(
        protocol::TsmMasterKey{kKeyVersion, otherMaster});
    VirtualCardChannel otherChip(sim::makeCard("secure-chip", options));
    EXPECT_EQ(manageDirect(otherChip, {otherMaster, kKeyVersion, chipSerial()}, Applet::LoadSam,
                           lifecycleRequest(Lifecycle::Operational))
                  .lifecycle,
              Lifecycle::Operational);
}

TEST(ManagementChannelKeys, ChipsMadeAfterANewDefaultMasterKeyUseIt) {
    // What taplink-sim --tsm-keys FILE does at start.
    const Bytes master = crypto::randomBytes(32);
    sim::setDefaultTsmKeys(std::make_shared<const protocol::TsmMasterKey>(
        protocol::TsmMasterKey{kKeyVersion, master}));
    VirtualCardChannel channel(sim::makeCard("secure-chip"));
    sim::setDefaultTsmKeys(
        std::make_shared<const protocol::TsmMasterKey>(protocol::testTsmMasterKey()));
    EXPECT_EQ(
        manageDirect(channel, {master, kKeyVersion, chipSerial()}, Applet::Payment, {}).lifecycle,
        Lifecycle::Installed);
    EXPECT_THROW(testing::manageWithTestKey(channel, chipSerial(), Applet::LoadSam, {}),
                 gp::GpError);
}

TEST_F(ManagementChannelTest, EfDirListsThePaymentApplet) {
    channel.transmit(apdu::CommandApdu{0x00, 0xA4, 0x00, 0x00, fromHex("3F00"), std::nullopt});
    // READ RECORD 3 of SFI 1E (ISO/IEC 7816-4 clause 11.3.3: P2 = SFI << 3 | 4).
    const apdu::ResponseApdu record =
        channel.transmit(apdu::CommandApdu{0x00, 0xB2, 0x03, 0xF4, {}, apdu::kMaxShortLe});
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(toHex(record.data),
              "611E4F0BF05441504C494E4B504159500F5441504C494E4B205041594D454E54");
}

TEST(ManagementChannelState, TheSequenceCounterIsSavedBeforeTheAnswerAndSurvivesARestart) {
    const std::string dir = uniqueStateDir();
    sim::CardOptions options;
    options.stateDir = dir;
    const std::string samFile = sim::loadSamStateFile(chipSerial(), dir);
    const std::string paymentFile = sim::paymentStateFile(chipSerial(), dir);
    {
        VirtualCardChannel channel(sim::makeCard("secure-chip", options));
        EXPECT_EQ(testing::manageWithTestKey(channel, chipSerial(), Applet::LoadSam,
                                             lifecycleRequest(Lifecycle::Operational))
                      .sequenceCounter,
                  1U);
        ASSERT_TRUE(channel.transmit(selectApplet(Applet::LoadSam)).ok());
        gp::HostChannel host(deriveManagementKeys(protocol::testTsmMasterKey().master,
                                                  appletAid(Applet::LoadSam), chipSerial()),
                             crypto::randomBytes(8));
        const apdu::ResponseApdu answer = channel.transmit(host.initializeUpdate(kKeyVersion));
        ASSERT_TRUE(answer.ok());
        EXPECT_EQ(stateFile(samFile).at("scp_sequence_counter"), 2)
            << "in the file when the INITIALIZE UPDATE answer is out";
        EXPECT_EQ(toHex(ByteView(answer.data).last(3)), "000002");
    }
    VirtualCardChannel restarted(sim::makeCard("secure-chip", options));
    const AppletStatus status =
        testing::manageWithTestKey(restarted, chipSerial(), Applet::LoadSam, {});
    EXPECT_EQ(status.sequenceCounter, 3U) << "never a counter used before the restart";
    EXPECT_EQ(status.lifecycle, Lifecycle::Operational);
    EXPECT_EQ(
        testing::manageWithTestKey(restarted, chipSerial(), Applet::Payment, {}).sequenceCounter,
        1U)
        << "each applet counts its own sessions";
    EXPECT_EQ(stateFile(paymentFile).at("scp_sequence_counter"), 1);
    for (const std::string& file : {samFile, paymentFile}) {
        EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
                  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace taplink::chip::mgmt
