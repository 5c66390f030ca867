// topup.start, tx.status and tx.cancel.
#include <ctime>
#include <nlohmann/json.hpp>

#include "api/names.hpp"
#include "api/params.hpp"
#include "app/daemon.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

std::string rfc3339(std::int64_t unixSeconds) {
    const auto time = static_cast<std::time_t>(unixSeconds);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, length);
}

json outcomeJson(const service::TopupOutcome& outcome) {
    json result{{"orderId", outcome.orderId},
                {"amount", outcome.amount},
                {"balanceBefore", outcome.balanceBefore},
                {"balanceAfter", outcome.balanceAfter},
                {"tac", toHex(outcome.tac)},
                {"settled", outcome.settled},
                {"receipt", outcome.receipt.is_object() ? outcome.receipt : json::object()}};
    if (outcome.timings) {
        const auto& t = *outcome.timings;
        result["timings"] = json{{"totalMs", t.total},
                                 {"cardMs", t.card},
                                 {"chipMs", t.chip},
                                 {"serverMs", t.server},
                                 {"daemonMs", t.daemon}};
    }
    return result;
}

}  // namespace

void registerTopupMethods(api::Dispatcher& dispatcher, Daemon& daemon) {
    dispatcher.add(api::method::kTopupStart, [&daemon](const json& params, api::CallContext& call) {
        return answer([&] {
            api::params::allowOnly(params, {"orderId", "reader"});
            const std::string orderId = api::params::requiredString(params, "orderId");
            const std::string reader = api::params::optionalString(params, "reader").value_or("");
            const auto progress = [&call, &orderId](const std::string& stage) {
                call.notify(api::notification::kTopupProgress,
                            json{{"orderId", orderId}, {"stage", stage}});
            };
            // Whatever happened, open top-ups of other orders may now be settled or reported.
            struct WakeResumer {
                Daemon& toWake;
                ~WakeResumer() { toWake.wakeResumer(); }
            } wake{daemon};
            const auto outcome = daemon.topups().run(orderId, reader, progress,
                                                     [&call] { return call.cancelled(); });
            return outcomeJson(outcome);
        });
    });

    dispatcher.add(api::method::kTxStatus, [&daemon](const json& params, api::CallContext&) {
        return answer([&] {
            api::params::allowOnly(params, {"orderId"});
            const auto record =
                daemon.topups().status(api::params::requiredString(params, "orderId"));
            json status{{"orderId", record.orderId},
                        {"state", journal::toString(record.state)},
                        {"amount", record.amount},
                        {"updatedAt", rfc3339(record.updatedAt)}};
            if (!record.failure.empty()) {
                status["failure"] = record.failure;
            }
            return status;
        });
    });

    dispatcher.add(api::method::kTxCancel, [&daemon](const json& params, api::CallContext&) {
        return answer([&] {
            api::params::allowOnly(params, {"orderId"});
            const std::string orderId = api::params::requiredString(params, "orderId");
            daemon.topups().cancel(orderId);
            return json{{"orderId", orderId}, {"cancelled", true}};
        });
    });
}

}  // namespace taplink::app
