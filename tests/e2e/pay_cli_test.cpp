// Tap & Pay from the kiosk's command line: the real `taplink pay` on a pseudo-terminal (its
// controlling terminal, where it asks the PIN) against the whole product. Below the CVM limit
// it pays without a PIN; above it the PIN is asked on the terminal without echo; wrong PINs
// are refused and counted by the issuer until blocked, and only the operator's set-pin
// unblocks. No PAN digit and no typed PIN is left in any log, database or printed line.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "pay_support.hpp"

namespace taplink::testbed {
namespace {

using namespace std::chrono_literals;

// What the user saw of one `taplink pay`: the exit code, stdout, stderr and the terminal.
struct PayRun {
    testsupport::ProcessResult result;
    std::string terminal;

    std::vector<std::string> printed() const { return {result.out, result.err, terminal}; }
};

// `taplink pay` without a PIN asked: the terminal shows no prompt.
PayRun payWithoutPin(PurchaseSetup& setup, const std::string& order) {
    auto pay = payOnTerminal(setup.e2e, order);
    PayRun run{pay.finish(90s), {}};
    run.terminal = pay.terminal();
    return run;
}

// `taplink pay` typing `pin` at its prompt, once the terminal no longer echoes.
PayRun payWithPin(PurchaseSetup& setup, const std::string& order, const std::string& pin) {
    auto pay = payOnTerminal(setup.e2e, order);
    EXPECT_TRUE(pay.waitForTerminal("PIN: ", 60s)) << pay.terminal();
    EXPECT_TRUE(pay.waitForEchoOff(5s)) << "the PIN prompt left the echo on";
    pay.type(pin + "\n");
    PayRun run{pay.finish(90s), {}};
    run.terminal = pay.terminal();
    EXPECT_TRUE(pay.echoes()) << "the echo was not restored";
    EXPECT_EQ(run.terminal.find(pin), std::string::npos) << "the PIN was echoed: " << run.terminal;
    return run;
}

void expectReceipt(const PayRun& run, const std::string& order) {
    const std::string& out = run.result.out;
    EXPECT_NE(out.find(std::string("paid \u00A588.00 to ") + kMerchant + " with card \u20268883"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("(order " + order + ")"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex("authorization code [0-9A-Z]{6}\n"))) << out;
    EXPECT_NE(out.find("receipt"), std::string::npos) << "settled: " << out;
}

class PayCli : public ::testing::TestWithParam<const char*> {};

TEST_P(PayCli, BelowTheCvmLimitPaysWithoutAPinAndChargesTheAccountOnce) {
    PurchaseSetup setup(GetParam(), "", /*traceApdus=*/true);
    const std::string order = setup.order();

    const PayRun paid = payWithoutPin(setup, order);
    ASSERT_EQ(paid.result.exitCode, 0) << paid.result.err << paid.terminal;
    expectReceipt(paid, order);
    EXPECT_EQ(paid.terminal.find("PIN"), std::string::npos) << paid.terminal;
    EXPECT_EQ(setup.balance(), kAccountBefore - kPurchaseAmount) << "charged once";
    EXPECT_EQ(setup.e2e.orderStatus(order), "settled");
    EXPECT_EQ(setup.e2e.journalState(order), "reported")
        << readLogTail(setup.e2e.bed().daemonLog());

    const PayRun again = payWithoutPin(setup, order);
    EXPECT_EQ(setup.balance(), kAccountBefore - kPurchaseAmount) << "not charged twice";
    expectNoCardholderData(setup.e2e.bed(), paid.printed(), {kPin});
    expectNoCardholderData(setup.e2e.bed(), again.printed(), {kPin});
}

INSTANTIATE_TEST_SUITE_P(Suites, PayCli, ::testing::Values("bank-3des", "bank-sm4"),
                         [](const auto& param) {
                             std::string name = param.param;
                             name[4] = '_';  // bank_3des: a test name has no '-'
                             return name;
                         });

TEST(PayCliPin, AboveTheCvmLimitAsksThePinWithoutEchoAndPays) {
    PurchaseSetup setup("bank-3des", "50.00", /*traceApdus=*/true);
    const std::string order = setup.order();

    const PayRun paid = payWithPin(setup, order, kPin);
    ASSERT_EQ(paid.result.exitCode, 0) << paid.result.err << paid.terminal;
    EXPECT_NE(paid.terminal.find(std::string("Pay \u00A588.00 to ") + kMerchant +
                                 " with card \u20268883"),
              std::string::npos)
        << paid.terminal;
    expectReceipt(paid, order);
    EXPECT_EQ(setup.balance(), kAccountBefore - kPurchaseAmount);
    EXPECT_EQ(setup.e2e.orderStatus(order), "settled");
    EXPECT_EQ(setup.e2e.journalState(order), "reported");
    expectNoCardholderData(setup.e2e.bed(), paid.printed(), {kPin});
}

TEST(PayCliPin, ThreeWrongPinsBlockThePinUntilTheOperatorResetsIt) {
    PurchaseSetup setup("bank-3des", "50.00", /*traceApdus=*/true);
    std::vector<std::string> printed;
    const auto attempt = [&](const std::string& pin) {
        const std::string order = setup.order();
        PayRun run = payWithPin(setup, order, pin);
        EXPECT_EQ(setup.balance(), kAccountBefore) << "nothing charged";
        EXPECT_NE(setup.e2e.orderStatus(order), "settled");
        printed.insert(printed.end(), {run.result.out, run.result.err, run.terminal});
        return run;
    };

    const PayRun first = attempt(kWrongPin);
    EXPECT_EQ(first.result.exitCode, 10) << first.result.err;
    EXPECT_NE(first.result.err.find("2 tries left"), std::string::npos) << first.result.err;
    const PayRun second = attempt(kWrongPin);
    EXPECT_EQ(second.result.exitCode, 10) << second.result.err;
    EXPECT_NE(second.result.err.find("1 tr"), std::string::npos) << second.result.err;
    const PayRun third = attempt(kWrongPin);
    EXPECT_EQ(third.result.exitCode, 5) << third.result.err;
    EXPECT_NE(third.result.err.find("PIN is blocked"), std::string::npos) << third.result.err;
    const PayRun blocked = attempt(kPin);
    EXPECT_EQ(blocked.result.exitCode, 5) << "the right PIN, blocked: " << blocked.result.err;

    setup.e2e.bed().serverCommand({"account", "set-pin", setup.account, "--pin", kPin});
    const std::string order = setup.order();
    const PayRun reset = payWithPin(setup, order, kPin);
    ASSERT_EQ(reset.result.exitCode, 0) << reset.result.err;
    EXPECT_EQ(setup.balance(), kAccountBefore - kPurchaseAmount);
    printed.insert(printed.end(), {reset.result.out, reset.result.err, reset.terminal});
    expectNoCardholderData(setup.e2e.bed(), printed, {kPin, kWrongPin});
}

}  // namespace
}  // namespace taplink::testbed
