// taplink-demo: the README's main job. Brings the whole product up on the test bed (PKI,
// pcscd + vpcd, taplink-sim with a city card and the secure chip, chip enrollment,
// taplink-server, taplinkd), then does what an operator and a kiosk would: create an order
// on the server, top up the card with the taplink CLI, and show balances and the settled
// order; then the same for a bank card's e-cash (圈存): an account, a bank-ec order paid
// from it, `taplink ecload`, the EC balance and the account before and after; then Tap &
// Pay: the TSM personalises the chip's payment applet, and the bank card pays the demo shop
// from the same account with `taplink pay`, showing the approved receipt.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "payment_applet.hpp"
#include "topup_bed.hpp"

namespace {

using taplink::testbed::TestBed;
using taplink::testbed::TopupBed;

constexpr const char* kHolder = taplink::testbed::kDemoAccountHolder;
constexpr const char* kMerchant = "TapLink 演示商店 Demo Shop";

// Runs a program with its output on ours, after printing the command line.
int show(const std::vector<std::string>& argv, const std::string& display) {
    std::cout << "\n$ " << display << std::endl;
    taplink::testsupport::ChildProcess program(argv);
    const auto status = program.wait(taplink::testsupport::kNoTimeout);
    return taplink::testsupport::exitCodeOf(status.value_or(-1));
}

// The cardholder's account with ¥200.00 and the purchase PIN, for the demo's bank card; its
// id.
std::string openAccount(const TopupBed& demo) {
    std::cout << "\n$ taplink-server account create --holder \"" << kHolder
              << "\" --pan 628888000000…3 --balance 200.00 --pin " << taplink::testbed::kDemoBankPin
              << std::endl;
    std::string account = demo.serverCommand({"account", "create", "--holder", kHolder, "--pan",
                                              taplink::testbed::kDemoBankPan, "--balance", "200.00",
                                              "--pin", taplink::testbed::kDemoBankPin})
                              .at("accountId")
                              .get<std::string>();
    std::cout << account << std::endl;
    return account;
}

// The bank card's half: a bank card (bank-3des) on the reader instead of the city card, the
// cardholder's account (its id into `account`), an EC load (圈存) of ¥50.00 from it with
// `taplink ecload`, and both balances before and after: the card's EC balance and the account.
int ecload(const TopupBed& demo, TestBed& bed, std::string& account) {
    std::cout << "\n--- EC load (圈存) onto a bank card ---\n"
              << "Swapping the city card for a bank card (bank-3des, PAN ending "
              << std::string(taplink::testbed::kDemoBankPan).substr(12) << ", EC balance 0)"
              << std::endl;
    bed.sim().remove(taplink::testbed::kCardSlot);
    bed.waitForCard(taplink::testbed::kCardSlot, false);  // taplinkd sees the card go first
    bed.sim().insert(taplink::testbed::kCardSlot, "bank-3des",
                     {{"pan", taplink::testbed::kDemoBankPan}, {"balance", 0}});
    bed.waitForCard(taplink::testbed::kCardSlot, true);
    account = openAccount(demo);
    const std::string server = TopupBed::program("taplink-server");
    std::cout << "\n$ taplink-server order create --amount 50.00 --scheme bank-ec "
              << "--account " << account << std::endl;
    const std::string order = demo.serverCommand({"order", "create", "--amount", "50.00",
                                                  "--scheme", "bank-ec", "--account", account})
                                  .at("orderId")
                                  .get<std::string>();
    std::cout << order << std::endl;
    const std::string cli = TopupBed::program("taplink");
    const std::vector<std::string> accountShow{server,  "account",  "show",
                                               account, "--config", demo.serverConfig()};
    int failures = 0;
    failures += show({cli, "balance", "--socket", demo.socketPath()}, "taplink balance") != 0;
    failures += show(accountShow, "taplink-server account show " + account) != 0;
    failures += show({cli, "ecload", "--order", order, "--socket", demo.socketPath()},
                     "taplink ecload --order " + order) != 0;
    failures += show({cli, "balance", "--socket", demo.socketPath()}, "taplink balance") != 0;
    failures += show(accountShow, "taplink-server account show " + account) != 0;
    return failures;
}

// Tap & Pay: the TSM personalises the chip's payment applet (its default limits: ¥1000.00
// a purchase, CVM limit ¥300.00), `taplink chip sync` applies the job, and the bank card
// pays the demo shop ¥30.00 from the account with `taplink pay` (below the CVM limit: no
// PIN); the receipt, and the account after.
int purchase(const TopupBed& demo, const std::string& account) {
    std::cout << "\n--- Tap & Pay (银行卡支付) with the bank card ---" << std::endl;
    const std::string server = TopupBed::program("taplink-server");
    const std::string cli = TopupBed::program("taplink");
    const std::string serial = taplink::testbed::chipSerial(demo);
    int failures = 0;
    failures +=
        show({server, "tsm", "personalise", "--chip-serial", serial, "--applet", "payment",
              "--config", demo.serverConfig()},
             "taplink-server tsm personalise --chip-serial " + serial + " --applet payment") != 0;
    failures +=
        show({cli, "chip", "sync", "--socket", demo.socketPath()}, "taplink chip sync") != 0;
    std::cout << "\n$ taplink-server order create --amount 30.00 --scheme bank-purchase "
              << "--merchant \"" << kMerchant << "\"" << std::endl;
    const std::string order =
        demo.serverCommand({"order", "create", "--amount", "30.00", "--scheme", "bank-purchase",
                            "--merchant", kMerchant})
            .at("orderId")
            .get<std::string>();
    std::cout << order << std::endl;
    failures += show({cli, "pay", "--order", order, "--socket", demo.socketPath()},
                     "taplink pay --order " + order) != 0;
    failures += show({server, "order", "show", order, "--config", demo.serverConfig()},
                     "taplink-server order show " + order) != 0;
    failures += show({server, "account", "show", account, "--config", demo.serverConfig()},
                     "taplink-server account show " + account) != 0;
    return failures;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string pkiDir = argc > 1 ? argv[1] : std::filesystem::absolute("demo-pki").string();
    try {
        std::cout << "Setting up: PKI in " << pkiDir
                  << ", pcscd + vpcd, taplink-sim, chip enrollment, taplink-server, taplinkd..."
                  << std::endl;
        taplink::testbed::TopupBedOptions options;
        options.pkiDir = pkiDir;
        options.cardWaitSeconds = 30;
        TopupBed demo(options);
        auto& bed = demo.bed();
        std::cout << "\nVirtual reader \"TapLink Sim Reader\" (vpcd, loopback):\n"
                  << "  slot 0 \"" << bed.readerName(taplink::testbed::kCardSlot)
                  << "\"  vpcd port " << bed.basePort() << "  city card (city-3des)\n"
                  << "  slot 1 \"" << bed.readerName(taplink::testbed::kChipSlot)
                  << "\"  vpcd port " << bed.basePort() + 1 << "  secure chip\n"
                  << "Issuer master keys (the server's HSM stand-in): " << pkiDir
                  << "/issuers.json\n"
                  << "taplink-server: " << demo.serverUrl() << "   taplinkd: " << demo.socketPath()
                  << std::endl;

        const std::string cli = TopupBed::program("taplink");
        const std::string server = TopupBed::program("taplink-server");
        std::cout << "\n$ taplink-server order create --amount 50.00 --scheme city-epurse"
                  << std::endl;
        const std::string order = demo.createOrder("50.00");
        std::cout << order << std::endl;

        int failures = 0;
        failures += show({cli, "balance", "--socket", demo.socketPath()}, "taplink balance") != 0;
        failures += show({cli, "topup", "--order", order, "--socket", demo.socketPath()},
                         "taplink topup --order " + order) != 0;
        failures += show({cli, "balance", "--socket", demo.socketPath()}, "taplink balance") != 0;
        failures += show({server, "order", "show", order, "--config", demo.serverConfig()},
                         "taplink-server order show " + order) != 0;
        std::string account;
        failures += ecload(demo, bed, account);
        failures += purchase(demo, account);
        std::cout << (failures == 0 ? "\nDemo complete: the city card was topped up, the bank "
                                      "card's e-cash loaded, the bank card paid the demo shop, "
                                      "and the server settled all three orders.\n"
                                    : "\nDemo FAILED (see above).\n");
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "taplink-demo: " << error.what() << '\n';
        return 1;
    }
}
