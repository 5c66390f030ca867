// The real `taplink ecload` and `taplink balance` against the whole product, with a bank card
// of each suite (bank-3des, bank-sm4): the CLI prints the load with the EC balances and the
// masked PAN, the card holds the amount and the account paid it once.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ecload_support.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

testsupport::ProcessResult taplink(E2e& e2e, std::vector<std::string> args) {
    return taplinkCli(e2e.bed(), std::move(args));
}

class EcLoadCli : public ::testing::TestWithParam<const char*> {};

TEST_P(EcLoadCli, LoadsTheCardAndShowsTheEcBalances) {
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    const std::string account = bankCardAndAccount(e2e, GetParam());
    const std::string order = bankOrder(e2e, account);

    const auto before = taplink(e2e, {"balance"});
    ASSERT_EQ(before.exitCode, 0) << before.err;
    EXPECT_NE(before.out.find("bank-ec \u20268883"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("EC balance \u00A510.00"), std::string::npos) << before.out;

    const auto load = taplink(e2e, {"ecload", "--order", order});
    ASSERT_EQ(load.exitCode, 0) << load.err;
    EXPECT_NE(load.out.find("EC load (\u5708\u5B58) of \u00A550.00 onto card \u20268883"),
              std::string::npos)
        << load.out;
    EXPECT_NE(load.out.find("(order " + order + ")"), std::string::npos) << load.out;
    EXPECT_NE(load.out.find("EC balance \u00A510.00 \u2192 \u00A560.00"), std::string::npos)
        << load.out;
    EXPECT_NE(load.out.find("receipt"), std::string::npos) << "settled: " << load.out;
    EXPECT_NE(load.err.find("asking the bank to authorize the load"), std::string::npos)
        << load.err;

    const json after = json::parse(taplink(e2e, {"balance", "--json"}).out);
    EXPECT_EQ(after.at("ecBalance"), kEcBefore + kEcAmount);
    EXPECT_EQ(accountBalance(e2e, account), kAccountBefore - kEcAmount) << "debited once";
    EXPECT_EQ(e2e.orderStatus(order), "settled");
    for (const std::string& printed : {before.out, load.out, load.err}) {
        EXPECT_EQ(printed.find(kDemoBankPan), std::string::npos) << "the plain PAN printed";
    }
}

INSTANTIATE_TEST_SUITE_P(Suites, EcLoadCli, ::testing::Values("bank-3des", "bank-sm4"),
                         [](const auto& param) {
                             std::string name = param.param;
                             name[4] = '_';  // bank_3des: a test name has no '-'
                             return name;
                         });

}  // namespace
}  // namespace taplink::testbed
