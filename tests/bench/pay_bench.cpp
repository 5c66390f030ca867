// Full Tap & Pay purchase latency on the test bed (pcscd + vpcd + taplink-sim's bank card and
// the chip's payment applet personalised by the TSM, taplink-server as the issuer,
// taplinkd): the round trip of pay.start as its client sees it, from the order fetched to
// the signed result reported. pay.start answers no "timings" (docs/api.md: nothing but the
// receipt for any caller), so there is no card/chip/server split as for the EC load. Run as
// root:
//   ./build/release/tests/bench/taplink-bench-pay [ROUNDS]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bank_bench_bed.hpp"
#include "latency_table.hpp"
#include "payment_applet.hpp"
#include "taplink/rpc/client.hpp"

namespace {

using taplink::testbed::TopupBed;

constexpr const char* kMerchant = "TapLink Bench Shop";

std::string purchaseOrder(const TopupBed& bed) {
    return bed
        .serverCommand({"order", "create", "--amount", "0.01", "--scheme", "bank-purchase",
                        "--merchant", kMerchant})
        .at("orderId")
        .get<std::string>();
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    try {
        taplink::testbed::TopupBedOptions options;
        options.cardProfile = "";
        TopupBed bed(options);
        taplink::testbed::personalisePaymentApplet(bed);
        // An account of ¥500.00 paying with the card: ROUNDS purchases of ¥0.01 stay far below
        // the applet's limits and its CVM limit (no PIN).
        taplink::bench::bankCardAndAccount(bed, 0);
        taplink::bench::LatencyTable table;
        for (int round = 0; round <= rounds; ++round) {  // round 0 warms up (TLS, chip identity)
            const std::string order = purchaseOrder(bed);
            auto client = taplink::api::Client::connect(bed.socketPath());
            const auto [result, clientMs] = taplink::bench::timed([&] {
                return client.call("pay.start", {{"orderId", order}});
            });
            if (result.at("status") != "approved") {
                throw std::runtime_error("purchase not approved: " + result.dump());
            }
            if (round > 0) {
                table.add("client round trip", clientMs);
            }
        }
        std::printf(
            "Full Tap & Pay purchase on the test bed, %d rounds (after one warm-up), "
            "milliseconds:\n",
            rounds);
        table.printHeader();
        table.printRow("client round trip", "client round trip");
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-pay: " << error.what() << '\n';
        return 1;
    }
}
