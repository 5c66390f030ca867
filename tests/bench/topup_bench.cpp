// Full top-up latency on the test bed (pcscd + vpcd + taplink-sim, taplink-server,
// taplinkd), split into card, chip, server and the daemon's own time as taplinkd measures
// them (topup.start's "timings"), plus the round trip the client sees. Run as root:
//   ./build/release/tests/bench/taplink-bench-topup [ROUNDS]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "taplink/rpc/client.hpp"
#include "topup_bed.hpp"

namespace {

using nlohmann::json;

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto index =
        static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
    return values.at(index);
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    try {
        taplink::testbed::TopupBedOptions options;
        taplink::testbed::TopupBed bed(options);
        std::map<std::string, std::vector<double>> samples;
        const std::vector<std::string> parts{"totalMs", "cardMs", "chipMs", "serverMs", "daemonMs"};
        for (int round = 0; round <= rounds; ++round) {  // round 0 warms up (TLS, chip identity)
            const std::string order = bed.createOrder("0.01");
            auto client = taplink::api::Client::connect(bed.socketPath());
            const auto start = std::chrono::steady_clock::now();
            const json result = client.call("topup.start", {{"orderId", order}});
            const double clientMs =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            if (round == 0) {
                continue;
            }
            samples["client round trip"].push_back(clientMs);
            for (const auto& part : parts) {
                samples[part].push_back(result.at("timings").at(part).get<double>());
            }
        }
        std::printf("Full top-up on the test bed, %d rounds (after one warm-up), milliseconds:\n",
                    rounds);
        std::printf("  %-18s %8s %8s %8s\n", "part", "p50", "p90", "max");
        const auto row = [&](const std::string& label, const std::string& key) {
            const auto& values = samples.at(key);
            std::printf("  %-18s %8.2f %8.2f %8.2f\n", label.c_str(), percentile(values, 0.5),
                        percentile(values, 0.9), *std::max_element(values.begin(), values.end()));
        };
        row("client round trip", "client round trip");
        row("daemon total", "totalMs");
        row("  card", "cardMs");
        row("  chip", "chipMs");
        row("  server", "serverMs");
        row("  daemon's own", "daemonMs");
        const double share =
            percentile(samples.at("daemonMs"), 0.5) / percentile(samples.at("totalMs"), 0.5);
        std::printf("The daemon's own share (p50): %.1f %% of its total.\n", 100.0 * share);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-topup: " << error.what() << '\n';
        return 1;
    }
}
