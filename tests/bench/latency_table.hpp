// The benchmarks' samples by part, printed as one table of percentiles (p50, p90, p99, max):
// the top-up's and the EC load's latency splits (topup_bench.cpp, ecload_bench.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace taplink::bench {

// The nearest-rank percentile p (0..1) of values, which must not be empty.
inline double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto index =
        static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
    return values.at(index);
}

class LatencyTable {
  public:
    void add(const std::string& part, double value) { samples_[part].push_back(value); }
    double p50(const std::string& part) const { return percentile(samples_.at(part), 0.5); }

    void printHeader() const {
        std::printf("  %-18s %8s %8s %8s %8s\n", "part", "p50", "p90", "p99", "max");
    }
    void printRow(const std::string& label, const std::string& part) const {
        const auto& values = samples_.at(part);
        std::printf("  %-18s %8.2f %8.2f %8.2f %8.2f\n", label.c_str(), percentile(values, 0.5),
                    percentile(values, 0.9), percentile(values, 0.99),
                    *std::max_element(values.begin(), values.end()));
    }

  private:
    std::map<std::string, std::vector<double>> samples_;
};

// What call() returns, and the wall time it took in milliseconds (the client's round trip).
template <class Call>
auto timed(Call call) -> std::pair<decltype(call()), double> {
    const auto start = std::chrono::steady_clock::now();
    auto result = call();
    return {std::move(result),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count()};
}

// topup.start's and ecload.start's "timings" members (docs/api.md, Timings).
inline constexpr std::array<const char*, 5> kTimingParts{"totalMs", "cardMs", "chipMs", "serverMs",
                                                         "daemonMs"};

// One call: the round trip its client saw and the daemon's timings of it.
inline void addCall(LatencyTable& table, double clientMs, const nlohmann::json& timings) {
    table.add("client round trip", clientMs);
    for (const char* part : kTimingParts) {
        table.add(part, timings.at(part).get<double>());
    }
}

// The round trip and the timings, then the daemon's own share of its total.
inline void printTimings(const LatencyTable& table) {
    table.printHeader();
    table.printRow("client round trip", "client round trip");
    table.printRow("daemon total", "totalMs");
    table.printRow("  card", "cardMs");
    table.printRow("  chip", "chipMs");
    table.printRow("  server", "serverMs");
    table.printRow("  daemon's own", "daemonMs");
}

inline void printDaemonShare(const LatencyTable& table) {
    std::printf("The daemon's own share (p50): %.1f %% of its total.\n",
                100.0 * table.p50("daemonMs") / table.p50("totalMs"));
}

}  // namespace taplink::bench
