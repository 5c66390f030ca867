// taplinkd's WebSocket under many concurrent clients: each client opens its connection, then
// all send api.version requests back to back (one in flight each); prints the round-trip
// latency percentiles and the overall throughput. Runs an in-process WebSocketServer with the
// real Dispatcher (api.version is built in) by default, sized for the clients (connections,
// workers, the one origin's shares) and its rate limit lifted, so that the transport is
// measured and not the limits; --port measures a running taplinkd instead (whose limits
// apply: at most 8 clients of one origin, and --requests within its burst).
//   ./build/release/tests/bench/ws/taplink-bench-ws [--clients 200] [--requests 100]
//       [--port PORT --origin ORIGIN]
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/call_admission.hpp"
#include "api/websocket_server.hpp"
#include "ws_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using taplink::api::test::WsClient;

constexpr std::string_view kBenchOrigin = "https://bench.taplink.test";

struct Settings {
    int clients = 200;
    int requests = 100;
    std::optional<std::uint16_t> port;  // a running taplinkd's; none: in-process server
    std::string origin{kBenchOrigin};
};

void usage() {
    std::cerr << "usage: taplink-bench-ws [--clients N] [--requests N] [--port PORT --origin "
                 "ORIGIN]\n";
    std::exit(2);
}

Settings parse(int argc, char** argv) {
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) {
            usage();
        }
        const std::string value = argv[++i];
        if (flag == "--clients") {
            settings.clients = std::max(1, std::atoi(value.c_str()));
        } else if (flag == "--requests") {
            settings.requests = std::max(1, std::atoi(value.c_str()));
        } else if (flag == "--port") {
            settings.port = static_cast<std::uint16_t>(std::atoi(value.c_str()));
        } else if (flag == "--origin") {
            settings.origin = value;
        } else {
            usage();
        }
    }
    return settings;
}

double percentile(const std::vector<double>& sorted, double p) {
    const auto index =
        static_cast<std::size_t>(std::lround(p * static_cast<double>(sorted.size() - 1)));
    return sorted.at(index);
}

// An in-process server: the real dispatcher, a gate that lets the bench's origin in.
class LocalServer {
  public:
    explicit LocalServer(int clients) {
        dispatcher_.setCallerGate([](const taplink::api::Request&, taplink::api::CallContext&) {});
        taplink::api::WebSocketServerOptions options;
        options.port = 0;
        options.maxConnections = static_cast<std::size_t>(clients) + 8;
        options.maxWorkers = static_cast<std::size_t>(clients);  // one call in flight each
        options.messagesPerSecond = 1e9;
        options.burst = 1'000'000;
        // One origin for every client: its shares are the whole.
        options.shares = {
            options.maxConnections, options.maxConnections, options.maxConnections, {}};
        options.webCalls =
            std::make_shared<taplink::api::WebCallLimit>(options.maxWorkers, options.maxWorkers);
        server_ = std::make_unique<taplink::api::WebSocketServer>(dispatcher_, options);
    }
    std::uint16_t port() const { return server_->port(); }

  private:
    taplink::api::Dispatcher dispatcher_;
    std::unique_ptr<taplink::api::WebSocketServer> server_;
};

struct Results {
    std::mutex mutex;
    std::vector<double> latenciesMs;
    std::atomic<int> failures{0};
};

void runClient(const Settings& settings, std::uint16_t port, std::barrier<>& start,
               Results& results) {
    std::vector<double> latencies;
    latencies.reserve(static_cast<std::size_t>(settings.requests));
    std::optional<WsClient> client;
    try {
        client.emplace("127.0.0.1", port);
        client->open(settings.origin);
    } catch (const std::exception& error) {
        std::cerr << "a client could not connect: " << error.what() << '\n';
        ++results.failures;
        client.reset();
    }
    start.arrive_and_wait();
    for (int i = 0; client && i < settings.requests; ++i) {
        try {
            const auto sent = Clock::now();
            client->sendJson({{"jsonrpc", "2.0"}, {"id", i}, {"method", "api.version"}});
            const auto reply = client->readJson();
            if (!reply.contains("result")) {
                throw std::runtime_error("error reply: " + reply.dump());
            }
            latencies.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        } catch (const std::exception& error) {
            std::cerr << "a request failed: " << error.what() << '\n';
            ++results.failures;
            break;
        }
    }
    const std::lock_guard lock(results.mutex);
    results.latenciesMs.insert(results.latenciesMs.end(), latencies.begin(), latencies.end());
}

}  // namespace

int main(int argc, char** argv) {
    const Settings settings = parse(argc, argv);
    try {
        std::unique_ptr<LocalServer> local;
        if (!settings.port) {
            local = std::make_unique<LocalServer>(settings.clients);
        }
        const std::uint16_t port = settings.port.value_or(local ? local->port() : 0);

        Results results;
        std::barrier start(settings.clients + 1);
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(settings.clients));
        for (int i = 0; i < settings.clients; ++i) {
            threads.emplace_back([&] { runClient(settings, port, start, results); });
        }
        start.arrive_and_wait();  // every client connected (or failed to)
        const auto began = Clock::now();
        for (auto& thread : threads) {
            thread.join();
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - began).count();

        auto& latencies = results.latenciesMs;
        if (latencies.empty()) {
            std::cerr << "no request succeeded\n";
            return 1;
        }
        std::sort(latencies.begin(), latencies.end());
        std::printf("WebSocket api.version round trip, %d concurrent clients x %d requests (%s):\n",
                    settings.clients, settings.requests,
                    settings.port ? "running taplinkd" : "in-process server");
        std::printf("  p50 %8.3f ms\n  p99 %8.3f ms\n  max %8.3f ms\n", percentile(latencies, 0.5),
                    percentile(latencies, 0.99), latencies.back());
        std::printf("  throughput %.0f requests/s (%zu requests in %.2f s), %d failures\n",
                    static_cast<double>(latencies.size()) / seconds, latencies.size(), seconds,
                    results.failures.load());
        return results.failures > 0 ? 1 : 0;
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-ws: " << error.what() << '\n';
        return 1;
    }
}
