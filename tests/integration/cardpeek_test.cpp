// Proof that the simulated bank card answers like a real one: Debian's cardpeek, which knows
// nothing of TapLink, reads it through the real pcscd with its own EMV script (emv.lua). It
// selects the PPSE, lists the applications, runs GET PROCESSING OPTIONS and reads the records
// and the transaction log; we read the card tree it saves.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cards/bank_card.hpp"
#include "child_process.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using testsupport::runShell;
using testsupport::shellQuoted;

// cardpeek's console asks on stdin (installing its files on the first run, and before each
// GET PROCESSING OPTIONS) and prompts for ever at end of input: the answers are given in a
// file, the output is bounded, and the command ends with os.exit.
class CardpeekTest : public ::testing::Test {
  protected:
    std::string cardpeek(const std::string& home, const std::string& args,
                         const std::string& answers) {
        const std::string answerFile = home + "/answers";
        std::ofstream(answerFile) << answers;
        return runShell("HOME=" + shellQuoted(home) + " timeout 30 cardpeek --console " + args +
                        " < " + shellQuoted(answerFile) + " 2>&1 | head -c 1000000")
            .output;
    }

    // Installs cardpeek's scripts into HOME/.cardpeek, as its first run offers to.
    void install(const std::string& home) {
        cardpeek(home, "--exec " + shellQuoted("os.exit(0)"), "1\n");
        ASSERT_TRUE(std::ifstream(home + "/.cardpeek/scripts/emv.lua").good());
    }

    // Runs emv.lua against the reader and returns the card tree cardpeek saved (XML).
    std::string readCard(const std::string& home, const std::string& reader, int applications) {
        const std::string tree = home + "/card.xml";
        const std::string lua = "dofile('" + home + "/.cardpeek/scripts/emv.lua'); ui.save_view('" +
                                tree + "'); os.exit(0)";
        log_ = cardpeek(
            home, "--reader " + shellQuoted("pcsc://" + reader) + " --exec " + shellQuoted(lua),
            repeat("1\n", applications));
        std::stringstream text;
        text << std::ifstream(tree).rdbuf();
        return text.str();
    }

    static std::string repeat(const std::string& piece, int times) {
        std::string out;
        for (int i = 0; i < times; ++i) {
            out += piece;
        }
        return out;
    }

    static bool has(const std::string& text, const std::string& piece) {
        return text.find(piece) != std::string::npos;
    }

    std::string log_;
};

TEST_F(CardpeekTest, ReadsBothApplicationsOfTheBankCardAndTheirRecords) {
    testbed::TestBed bed(testbed::oneReader({{0, "bank-dual"}}));
    const std::string home = bed.dir() + "/cardpeek-home";
    ASSERT_EQ(runShell("mkdir -p " + shellQuoted(home)).status, 0);
    install(home);

    const std::string tree = readCard(home, bed.readerName(0), 2);
    ASSERT_FALSE(tree.empty()) << log_.substr(0, 4000);
    // The PPSE's directory, then each application selected by its AID.
    EXPECT_TRUE(has(log_, "PPSE contains application #A000000333010101")) << log_.substr(0, 4000);
    EXPECT_TRUE(has(log_, "PPSE contains application #A000000333010102"));
    EXPECT_TRUE(has(tree, "<attr name=\"id\">#A000000333010101</attr>"));
    EXPECT_TRUE(has(tree, "<attr name=\"id\">#A000000333010102</attr>"));
    EXPECT_TRUE(has(tree, "<attr name=\"alt\">PBOC DEBIT</attr>"));
    // GPO answered in format 2 for both (the credit application with 83 00).
    EXPECT_TRUE(has(tree, "<attr name=\"label\">processing_options</attr>"));
    EXPECT_TRUE(has(log_, "Recv: 9000 770A8202"));
    // The records: the PAN as the card's issuer gave it, F-padded (EMV Book 3 Annex A).
    const std::string pan = sim::defaultBankPan("bank-dual", *sim::defaultBankIssuer());
    const std::string padded = pan.size() % 2 == 0 ? pan : pan + "F";
    EXPECT_TRUE(has(tree, "<attr name=\"val\" encoding=\"bytes\">8:" + padded + "</attr>")) << pan;
    // The transaction log named by 9F4D and laid out by 9F4F.
    EXPECT_TRUE(has(log_, "Found EMV transaction log indicator"));
    EXPECT_TRUE(has(log_, "Reading LOG SFI 11"));
}

}  // namespace
}  // namespace taplink
