// Full EC load (圈存) latency on the test bed (pcscd + vpcd + taplink-sim's bank card,
// taplink-server as the issuer, taplinkd), split into card, chip, server and the daemon's
// own time as taplinkd measures them (ecload.start's "timings"), the round trip the client
// sees, and the command APDUs the bank card received ("cardApdus"). Run as root:
//   ./build/release/tests/bench/taplink-bench-ecload [ROUNDS]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bank_bench_bed.hpp"
#include "latency_table.hpp"
#include "taplink/rpc/client.hpp"
#include "topup_bed.hpp"

namespace {

using taplink::testbed::TopupBed;

std::string bankOrder(const TopupBed& bed, const std::string& account) {
    return bed
        .serverCommand(
            {"order", "create", "--amount", "0.01", "--scheme", "bank-ec", "--account", account})
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
        // An account of ¥500.00 paying for the card's loads: ROUNDS loads of ¥0.01 stay far
        // below the card's EC limit (9F77, ¥1000.00).
        const std::string account = taplink::bench::bankCardAndAccount(bed, 1000);
        taplink::bench::LatencyTable table;
        for (int round = 0; round <= rounds; ++round) {  // round 0 warms up (TLS, chip identity)
            const std::string order = bankOrder(bed, account);
            auto client = taplink::api::Client::connect(bed.socketPath());
            const auto [result, clientMs] = taplink::bench::timed([&] {
                return client.call("ecload.start", {{"orderId", order}});
            });
            if (round > 0) {
                taplink::bench::addCall(table, clientMs, result.at("timings"));
                table.add("cardApdus", result.at("cardApdus").get<double>());
            }
        }
        std::printf("Full EC load on the test bed, %d rounds (after one warm-up), milliseconds:\n",
                    rounds);
        taplink::bench::printTimings(table);
        table.printRow("card APDUs (count)", "cardApdus");
        taplink::bench::printDaemonShare(table);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-ecload: " << error.what() << '\n';
        return 1;
    }
}
