// Proof that taplink-sim is a real reader: pcsc-tools, which know nothing of TapLink,
// see its readers and talk to its cards through the same pcscd.
#include <gtest/gtest.h>

#include <fstream>

#include "cards/profiles.hpp"
#include "child_process.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

// The commands get the test bed's PCSCLITE_CSOCK_NAME from our environment.
using testsupport::runShell;

TEST(PcscTools, PcscScanListsTheReadersAndTheCardAtr) {
    testbed::TestBed bed(testbed::oneReader({{0, "iso-t1"}}));
    const std::string readers = runShell("timeout 10 pcsc_scan -r").output;
    EXPECT_NE(readers.find("0: " + bed.readerName(0)), std::string::npos) << readers;
    EXPECT_NE(readers.find("1: " + bed.readerName(1)), std::string::npos) << readers;

    const std::string cards = runShell("timeout 10 pcsc_scan -c -n").output;
    const std::string atr = toHex(sim::makeCard("iso-t1")->atr(), true);
    EXPECT_NE(cards.find("ATR: " + atr), std::string::npos) << cards;
}

TEST(PcscTools, ScriptorExchangesApdusWithTheCard) {
    testbed::TestBed bed(testbed::oneReader({{0, "iso-t1"}}));
    const std::string script = bed.dir() + "/script.txt";
    std::ofstream(script) << "00 A4 04 00 09 F0 54 41 50 4C 49 4E 4B 01 00\n"
                          << "80 10 00 00 03 CA FE 42 00\n";
    const std::string output =
        runShell("timeout 10 scriptor -r '" + bed.readerName(0) + "' '" + script + "'").output;
    EXPECT_NE(output.find("< 6F 0B 84 09 F0 54 41 50 4C 49 4E 4B 01 90 00 : Normal processing."),
              std::string::npos)
        << output;
    EXPECT_NE(output.find("< CA FE 42 90 00 : Normal processing."), std::string::npos) << output;
}

}  // namespace
}  // namespace taplink
