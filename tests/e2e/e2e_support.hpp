// What the end-to-end tests share: a TopupBed, API calls with their error codes, and the
// money invariant (the card's balance change equals what the server settled).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "taplink/rpc/client.hpp"
#include "taplink/rpc/jsonrpc.hpp"
#include "topup_bed.hpp"

namespace taplink::testbed {

inline constexpr const char* kCitySerial = "00000000000000000042";

// Runs the real `taplink ARGS --socket ...` against the bed's taplinkd, to its end.
inline testsupport::ProcessResult taplinkCli(TopupBed& bed, std::vector<std::string> args) {
    std::vector<std::string> argv{TopupBed::program("taplink")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--socket", bed.socketPath()});
    return testsupport::run(argv);
}

// A call's outcome: the result, or the daemon's error code and message.
struct Outcome {
    nlohmann::json result;
    std::string code;  // empty on success
    std::string message;
    std::vector<std::string> stages;

    bool ok() const { return code.empty(); }
};

class E2e {
  public:
    explicit E2e(TopupBedOptions options = {}) : bed_(std::move(options)) {}

    TopupBed& bed() { return bed_; }

    Outcome call(const std::string& method,
                 const nlohmann::json& params = nlohmann::json::object()) {
        Outcome outcome;
        try {
            auto client = api::Client::connect(bed_.socketPath());
            api::CallOptions options;
            options.timeout = std::chrono::seconds(90);
            options.onNotification = [&outcome](const api::Notification& note) {
                if (note.method == "topup.progress" || note.method == "ecload.progress") {
                    outcome.stages.push_back(note.params.at("stage").get<std::string>());
                }
            };
            outcome.result = client.call(method, params, options);
        } catch (const api::ApiError& error) {
            outcome.code = std::string(error.codeName());
            outcome.message = error.what();
        } catch (const api::TransportError& error) {
            outcome.code = "daemon_gone";  // taplinkd stopped while answering
            outcome.message = error.what();
        }
        return outcome;
    }

    Outcome topup(const std::string& order) { return call("topup.start", {{"orderId", order}}); }

    // topup.start on a thread, for tests that act while it runs.
    std::future<Outcome> topupAsync(const std::string& order) {
        return std::async(std::launch::async, [this, order] { return topup(order); });
    }

    // card.info's balance. taplinkd answers from a complete view of the readers even right
    // after it starts (ReaderRegistry::start waits for the monitor's first report), so
    // no_reader here is a failure.
    std::uint32_t balance() {
        const Outcome info = call("card.info");
        EXPECT_TRUE(info.ok()) << info.code << ": " << info.message;
        return info.ok() ? info.result.at("balance").get<std::uint32_t>() : 0;
    }

    std::string journalState(const std::string& order) {
        const Outcome status = call("tx.status", {{"orderId", order}});
        return status.ok() ? status.result.at("state").get<std::string>() : status.code;
    }

    // Polls tx.status until the order is in `state`; false after the timeout.
    bool waitForState(const std::string& order, const std::string& state,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (journalState(order) == state) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    std::string orderStatus(const std::string& order) {
        return bed_.serverCommand({"order", "show", order}).at("status").get<std::string>();
    }

    // Puts everything back (faults cleared, card in, server and daemon up) and tops the order
    // up again the way a user retries, until it is done. Then the money invariant must hold:
    // the card holds exactly `amount` more than at `before`, and the server settled the order
    // once, for that amount.
    void retryAndCheckSettledOnce(const std::string& order, std::uint32_t before,
                                  std::uint32_t amount) {
        restoreEverything();
        Outcome last;
        for (int attempt = 0; attempt < 10; ++attempt) {
            last = topup(order);
            if (last.ok() || last.code == "order_settled") {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
        ASSERT_TRUE(last.ok() || last.code == "order_settled") << last.code << ": " << last.message;
        EXPECT_TRUE(waitForState(order, "reported")) << journalState(order);
        EXPECT_EQ(balance(), before + amount) << "the card holds what the server settled";
        EXPECT_EQ(orderStatus(order), "settled");
        EXPECT_EQ(bed_.settledTotal(kCitySerial), amount) << "settled exactly once";
    }

    void restoreEverything() {
        bed_.bed().sim().clearFaults(kCardSlot);
        bed_.bed().sim().clearFaults(kChipSlot);
        bed_.serverAdmin("DELETE", "/admin/faults");
        if (bed_.bed().sim().slotStatus(kCardSlot).at("card").is_null()) {
            bed_.bed().sim().reinsert(kCardSlot);
        }
        EXPECT_TRUE(bed_.bed().waitForCard(kCardSlot, true));
        if (!bed_.daemonRunning()) {
            bed_.startDaemon();
        }
    }

  private:
    TopupBed bed_;
};

}  // namespace taplink::testbed
