// taplink-demo: the README's main job. Brings the whole product up on the test bed (PKI,
// pcscd + vpcd, taplink-sim with a city card and the secure chip, chip enrollment,
// taplink-server, taplinkd), then does what an operator and a kiosk would: create an order
// on the server, top up the card with the taplink CLI, and show balances and the settled
// order.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "topup_bed.hpp"

namespace {

using taplink::testbed::TopupBed;

// Runs a program with its output on ours, after printing the command line.
int show(const std::vector<std::string>& argv, const std::string& display) {
    std::cout << "\n$ " << display << std::endl;
    taplink::testsupport::ChildProcess program(argv);
    const auto status = program.wait(taplink::testsupport::kNoTimeout);
    return taplink::testsupport::exitCodeOf(status.value_or(-1));
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
        std::cout << (failures == 0 ? "\nDemo complete: the card was loaded and the server "
                                      "settled the order.\n"
                                    : "\nDemo FAILED (see above).\n");
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& error) {
        std::cerr << "taplink-demo: " << error.what() << '\n';
        return 1;
    }
}
