#include "nm_fixture.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "api/params.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::nm::test {

namespace {

using nlohmann::json;

void registerTestMethods(api::Dispatcher& dispatcher) {
    dispatcher.add(
        "test.peer",
        [](const json&, api::CallContext& call) {
            const auto& peer = call.peer();
            return json{{"transport", peer.transport},
                        {"caller", peer.caller == api::Caller::Web ? "web" : "owner"},
                        {"origin", peer.origin},
                        {"extensionId", peer.extensionId}};
        },
        api::Access::Web);
    dispatcher.add(
        "test.progress",
        [](const json& params, api::CallContext& call) {
            const auto count = api::params::optionalInteger(params, "count", 0, 10000).value_or(0);
            for (std::int64_t step = 0; step < count; ++step) {
                call.notify("topup.progress", {{"step", step}});
            }
            return json{{"steps", count}};
        },
        api::Access::Web);
    dispatcher.add(
        "test.size",
        [](const json& params, api::CallContext&) {
            return json{{"bytes", params.at("pad").get_ref<const std::string&>().size()}};
        },
        api::Access::Web);
    dispatcher.add(
        "test.big",
        [](const json& params, api::CallContext&) {
            return json{{"pad", std::string(params.at("bytes").get<std::size_t>(), 'x')}};
        },
        api::Access::Web);
    dispatcher.add(
        "test.wait",
        [](const json& params, api::CallContext& call) {
            const auto ms = api::params::optionalInteger(params, "ms", 0, 600'000).value_or(0);
            std::mutex mutex;
            std::unique_lock lock(mutex);
            std::condition_variable_any wake;
            // Ends early when the caller's connection closes (taplinkd cancels its calls).
            wake.wait_for(lock, call.stopToken(), std::chrono::milliseconds(ms),
                          [] { return false; });
            return json{{"waited", ms}};
        },
        api::Access::Web);
    dispatcher.add("test.owner", [](const json&, api::CallContext&) { return json::object(); });
}

}  // namespace

NmFixture::NmFixture() {
    registerTestMethods(dispatcher);
    dispatcher.setCallerGate([](const api::Request&, api::CallContext& call) {
        if (call.peer().origin != kAllowedOrigin) {
            throw api::ApiError(api::ErrorCode::OriginDenied,
                                "origin " + call.peer().origin + " is not allowed",
                                {{"origin", call.peer().origin}});
        }
    });
    api::UnixServerOptions options;
    options.socketPath = socketPath;
    options.log = [](log::Level, std::string_view) {};
    server = std::make_unique<api::UnixServer>(dispatcher, options);
}

std::unique_ptr<HostProcess> NmFixture::startGreetedHost(std::vector<std::string> arguments) {
    auto host = std::make_unique<HostProcess>(socketPath, std::move(arguments));
    const json answer = host->hello(kAllowedOrigin);
    EXPECT_EQ(answer, json({{"type", "hello"},
                            {"ok", true},
                            {"version", std::string(taplink::api::kApiVersion)}}));
    return host;
}

}  // namespace taplink::nm::test
