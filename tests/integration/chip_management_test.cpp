// The chip's management channel on the real stack (pcscd + vpcd + taplink-sim): a plain PC/SC
// client (scriptor, which knows nothing of TapLink) cannot lock the load SAM with the old
// SET LIFECYCLE; the TSM's session (chip::mgmt::manageDirect) over a PC/SC connection locks
// and unlocks it.
#include <gtest/gtest.h>

#include <fstream>

#include "cards/secure_chip.hpp"
#include "child_process.hpp"
#include "chip_management.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using chip::sam::Lifecycle;

constexpr int kChipSlot = 1;

class ChipManagementOnTheTestBed : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader({{kChipSlot, "secure-chip"}})};
    pcsc::Context context = pcsc::Context::establish();

    Lifecycle lifecycle() {
        pcsc::CardConnection connection =
            pcsc::CardConnection::connect(context, bed.readerName(kChipSlot));
        chip::LoadSam sam(connection);
        EXPECT_TRUE(sam.select());
        return sam.info().lifecycle;
    }

    Lifecycle manage(Lifecycle target) {
        pcsc::CardConnection connection =
            pcsc::CardConnection::connect(context, bed.readerName(kChipSlot));
        return testing::manageWithTestKey(connection, sim::defaultChipSerial(),
                                          chip::mgmt::Applet::LoadSam,
                                          testing::samLifecycleRequest(target))
            .lifecycle;
    }
};

TEST_F(ChipManagementOnTheTestBed, APlainClientCannotLockTheLoadSam) {
    const std::string script = bed.dir() + "/lock.txt";
    std::ofstream(script) << "00 A4 04 00 0B F0 54 41 50 4C 49 4E 4B 53 41 4D 00\n"
                          << "80 32 03 00\n";
    const std::string output =
        testsupport::runShell("timeout 10 scriptor -r '" + bed.readerName(kChipSlot) + "' '" +
                              script + "'")
            .output;
    EXPECT_NE(output.find("> 80 32 03 00\n< 69 82"), std::string::npos) << output;
    EXPECT_EQ(lifecycle(), Lifecycle::Installed);
}

TEST_F(ChipManagementOnTheTestBed, TheTsmLocksAndUnlocksTheLoadSamOverPcsc) {
    EXPECT_EQ(manage(Lifecycle::Locked), Lifecycle::Locked);
    EXPECT_EQ(lifecycle(), Lifecycle::Locked);
    EXPECT_EQ(manage(Lifecycle::Operational), Lifecycle::Operational);
    EXPECT_EQ(lifecycle(), Lifecycle::Operational);
}

}  // namespace
}  // namespace taplink
