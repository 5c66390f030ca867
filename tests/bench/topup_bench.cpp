// Full top-up latency on the test bed (pcscd + vpcd + taplink-sim, taplink-server,
// taplinkd), split into card, chip, server and the daemon's own time as taplinkd measures
// them (topup.start's "timings"), plus the round trip the client sees. Run as root:
//   ./build/release/tests/bench/taplink-bench-topup [ROUNDS]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "latency_table.hpp"
#include "taplink/rpc/client.hpp"
#include "topup_bed.hpp"

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    try {
        taplink::testbed::TopupBedOptions options;
        taplink::testbed::TopupBed bed(options);
        taplink::bench::LatencyTable table;
        for (int round = 0; round <= rounds; ++round) {  // round 0 warms up (TLS, chip identity)
            const std::string order = bed.createOrder("0.01");
            auto client = taplink::api::Client::connect(bed.socketPath());
            const auto [result, clientMs] = taplink::bench::timed([&] {
                return client.call("topup.start", {{"orderId", order}});
            });
            if (round > 0) {
                taplink::bench::addCall(table, clientMs, result.at("timings"));
            }
        }
        std::printf("Full top-up on the test bed, %d rounds (after one warm-up), milliseconds:\n",
                    rounds);
        taplink::bench::printTimings(table);
        taplink::bench::printDaemonShare(table);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-topup: " << error.what() << '\n';
        return 1;
    }
}
