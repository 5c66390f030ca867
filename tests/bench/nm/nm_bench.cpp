// taplink-nm's cold start: the browser starts one host per extension port, so the time from
// the fork to the first relayed reply is what a page waits for before it can do anything.
// Each round starts the host the way Chromium does (fork/exec, stdin/stdout on pipes, the
// extension origin as argv[1]), writes the hello and an api.version request in one go and
// times the answers; then closes stdin and reaps it. Compared with Debian's keepassxc-proxy
// (package keepassxc), another native-messaging relay, started the same way against a
// listener where it looks for KeePassXC.
//
//   taplink-bench-nm [ROUNDS] [--socket PATH]
// ROUNDS defaults to 200. Without --socket, taplink-nm talks to taplinkd's API layer
// (api::UnixServer + api::Dispatcher) in this process; with it, to the taplinkd listening
// there (its web.allowedOrigins decide whether api.version succeeds; either way it is a
// relayed reply).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/dispatcher.hpp"
#include "api/unix_server.hpp"
#include "host_process.hpp"
#include "keepassxc_listener.hpp"
#include "taplink/rpc/jsonrpc.hpp"
#include "temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::duration<double, std::milli>;
using nlohmann::json;
using taplink::nm::test::frameOf;
using taplink::nm::test::HostCommand;
using taplink::nm::test::HostProcess;

constexpr const char* kKeepassxcProxy = "/usr/bin/keepassxc-proxy";
constexpr int kWarmUpRounds = 10;  // page cache, dynamic loader caches: not what we measure
constexpr std::string_view kOrigin = "https://bench.test";

// What one round measured, in milliseconds from just before fork().
struct Round {
    double firstReply = 0;  // the first frame back (taplink-nm: its hello answer)
    double relayed = 0;     // the reply relayed from the daemon (taplink-nm: api.version)
    long maxResidentKib = 0;
};

struct Samples {
    std::vector<double> firstReply;
    std::vector<double> relayed;
    std::vector<long> maxResidentKib;
};

double percentile(std::vector<double> values, double fraction) {
    std::sort(values.begin(), values.end());
    const auto index =
        static_cast<std::size_t>(std::lround(fraction * static_cast<double>(values.size() - 1)));
    return values[index];
}

void printRow(const char* label, const std::vector<double>& values) {
    std::printf("  %-34s p50 %7.2f ms   p99 %7.2f ms   min %7.2f ms   max %7.2f ms\n", label,
                percentile(values, 0.5), percentile(values, 0.99), percentile(values, 0.0),
                percentile(values, 1.0));
}

void printMemory(const std::vector<long>& kib) {
    std::vector<double> values(kib.begin(), kib.end());
    std::printf("  %-34s p50 %7.0f KiB\n", "peak resident set", percentile(values, 0.5));
}

// Runs the rounds, warm-up first; `round` starts, measures and reaps one host.
Samples measure(int rounds, const std::function<Round()>& round) {
    Samples samples;
    for (int i = 0; i < kWarmUpRounds + rounds; ++i) {
        const Round one = round();
        if (i >= kWarmUpRounds) {
            samples.firstReply.push_back(one.firstReply);
            samples.relayed.push_back(one.relayed);
            samples.maxResidentKib.push_back(one.maxResidentKib);
        }
    }
    return samples;
}

double since(Clock::time_point start) {
    return Milliseconds(Clock::now() - start).count();
}

Round taplinkNmRound(const std::string& socketPath) {
    const json hello{{"type", "hello"}, {"origin", kOrigin}};
    const json version{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "api.version"}};
    const std::string bytes = frameOf(hello) + frameOf(version);
    Round round;
    const auto start = Clock::now();
    HostProcess host(HostCommand{TAPLINK_NM_PATH,
                                 {"chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjf/"},
                                 {{"TAPLINK_SOCKET", socketPath}}});
    host.write(bytes);
    const json answer = host.readJson();
    round.firstReply = since(start);
    const json reply = host.readJson();
    round.relayed = since(start);
    if (answer.value("ok", false) != true || !reply.contains("id")) {
        throw std::runtime_error("taplink-nm answered " + answer.dump() + " / " + reply.dump());
    }
    host.closeStdin();
    if (host.waitExit() != 0) {
        throw std::runtime_error("taplink-nm failed: " + host.errors());
    }
    round.maxResidentKib = host.maxResidentKib();
    return round;
}

Round keepassxcRound(const std::string& runtimeDir) {
    const json message{{"action", "get-databasehash"}, {"nonce", "bench"}, {"clientID", "bench"}};
    Round round;
    const auto start = Clock::now();
    HostProcess host(HostCommand{kKeepassxcProxy,
                                 {"chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjf/"},
                                 {{"XDG_RUNTIME_DIR", runtimeDir}}});
    host.writeFrame(message);
    const json reply = host.readJson();
    round.firstReply = since(start);
    round.relayed = round.firstReply;
    if (reply.value("action", "") != "get-databasehash") {
        throw std::runtime_error("keepassxc-proxy answered " + reply.dump());
    }
    host.closeStdin();
    host.waitExit();
    round.maxResidentKib = host.maxResidentKib();
    return round;
}

void benchTaplinkNm(int rounds, const std::optional<std::string>& socket) {
    // The sockets' folder: 0700, as XDG_RUNTIME_DIR must be.
    const taplink::testsupport::TempDir folder{"taplink-bench-nm"};
    taplink::api::Dispatcher dispatcher{[](taplink::log::Level, std::string_view) {}};
    dispatcher.setCallerGate([](const taplink::api::Request&, taplink::api::CallContext&) {});
    std::unique_ptr<taplink::api::UnixServer> server;
    std::string socketPath = socket.value_or(folder.path() + "/taplink/taplinkd.sock");
    if (!socket) {
        taplink::api::UnixServerOptions options;
        options.socketPath = socketPath;
        server = std::make_unique<taplink::api::UnixServer>(dispatcher, options);
    }
    const Samples samples = measure(rounds, [&] { return taplinkNmRound(socketPath); });
    std::printf("taplink-nm (%s), %d cold starts against %s:\n", TAPLINK_NM_PATH, rounds,
                socket ? socketPath.c_str() : "taplinkd's API layer in this process");
    printRow("fork -> hello answered", samples.firstReply);
    printRow("fork -> api.version reply relayed", samples.relayed);
    printMemory(samples.maxResidentKib);
}

void benchKeepassxc(int rounds) {
    if (::access(kKeepassxcProxy, X_OK) != 0) {
        std::printf(
            "keepassxc-proxy: not installed (%s); comparison skipped "
            "(apt-get install keepassxc)\n",
            kKeepassxcProxy);
        return;
    }
    const taplink::testsupport::TempDir runtime{"taplink-bench-nm"};  // XDG_RUNTIME_DIR: 0700
    const KeepassxcListener listener(runtime.path());
    const Samples samples = measure(rounds, [&] { return keepassxcRound(runtime.path()); });
    std::printf("keepassxc-proxy (%s), %d cold starts the same way, against a listener at %s:\n",
                kKeepassxcProxy, rounds, listener.socketPath().c_str());
    printRow("fork -> first reply relayed", samples.relayed);
    printMemory(samples.maxResidentKib);
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 200;
    std::optional<std::string> socket;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--socket" && i + 1 < argc) {
            socket = argv[++i];
        } else {
            rounds = std::max(1, std::atoi(argument.c_str()));
        }
    }
    try {
        benchTaplinkNm(rounds, socket);
        benchKeepassxc(rounds);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "taplink-bench-nm: %s\n", error.what());
        return 1;
    }
    return 0;
}
