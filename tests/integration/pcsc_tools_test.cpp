// Proof that taplink-sim is a real reader: pcsc-tools, which know nothing of TapLink,
// see its readers and talk to its cards through the same pcscd.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "cards/profiles.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

// Runs a shell command (the test bed's PCSCLITE_CSOCK_NAME is in our environment and so
// in its) and returns what it printed.
std::string run(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
    if (!pipe) {
        return {};
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) {
        output += buffer.data();
    }
    return output;
}

TEST(PcscTools, PcscScanListsTheReadersAndTheCardAtr) {
    testbed::TestBed bed(testbed::oneReader({{0, "iso-t1"}}));
    const std::string readers = run("timeout 10 pcsc_scan -r");
    EXPECT_NE(readers.find("0: " + bed.readerName(0)), std::string::npos) << readers;
    EXPECT_NE(readers.find("1: " + bed.readerName(1)), std::string::npos) << readers;

    const std::string cards = run("timeout 10 pcsc_scan -c -n");
    const std::string atr = toHex(sim::makeCard("iso-t1")->atr(), true);
    EXPECT_NE(cards.find("ATR: " + atr), std::string::npos) << cards;
}

TEST(PcscTools, ScriptorExchangesApdusWithTheCard) {
    testbed::TestBed bed(testbed::oneReader({{0, "iso-t1"}}));
    const std::string script = bed.dir() + "/script.txt";
    std::ofstream(script) << "00 A4 04 00 09 F0 54 41 50 4C 49 4E 4B 01 00\n"
                          << "80 10 00 00 03 CA FE 42 00\n";
    const std::string output =
        run("timeout 10 scriptor -r '" + bed.readerName(0) + "' '" + script + "'");
    EXPECT_NE(output.find("< 6F 0B 84 09 F0 54 41 50 4C 49 4E 4B 01 90 00 : Normal processing."),
              std::string::npos)
        << output;
    EXPECT_NE(output.find("< CA FE 42 90 00 : Normal processing."), std::string::npos) << output;
}

}  // namespace
}  // namespace taplink
