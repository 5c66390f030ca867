// How a top-up's or an EC load's latency splits between the card, the chip, the server and
// the daemon itself (the benchmarks, topup.start's and ecload.start's "timings").
#pragma once

#include <chrono>
#include <memory>

#include "net/topup_server_client.hpp"
#include "service/chip_session.hpp"
#include "service/timed_channel.hpp"
#include "service/topup_types.hpp"

namespace taplink::service {

// A TopupServer decorator: each call holds the chip first (lock order everywhere: the chip,
// then the HTTPS client, whose TLS handshake signs with the chip's key) and adds its wall
// time, less the chip's time inside it, to `serverBusy`.
class TimedTopupServer final : public net::TopupServer {
  public:
    TimedTopupServer(std::shared_ptr<net::TopupServer> inner, ChipSession& chip, Nanos& serverBusy)
        : inner_(std::move(inner)), chip_(chip), serverBusy_(serverBusy) {}

    net::wire::Order fetchOrder(const std::string& orderId) override;
    nlohmann::json fetchScript(const std::string& scheme) override;
    nlohmann::json exchange(const std::string& orderId, const std::string& call,
                            const nlohmann::json& request) override;
    net::ReportOutcome reportResult(const std::string& orderId, ByteView result,
                                    ByteView signature) override;
    net::EcReportOutcome reportEcLoad(const std::string& orderId, net::EcReport kind,
                                      ByteView message, ByteView signature) override;
    net::PurchaseReportOutcome reportPurchase(const std::string& orderId, net::PurchaseReport kind,
                                              ByteView message, ByteView signature) override;

  private:
    template <class Call>
    auto timed(Call call);

    std::shared_ptr<net::TopupServer> inner_;
    ChipSession& chip_;
    Nanos& serverBusy_;
};

// Started when a top-up or EC load starts; fills in its timings when it is done.
class TopupStopwatch {
  public:
    TopupStopwatch(const ChipSession& chip, const Nanos& serverBusy);
    // `card` and `waiting` are the run's own counters (waiting: for the card and the user).
    TopupTimings timings(const Nanos& card, const Nanos& waiting) const;

  private:
    const ChipSession& chip_;
    const Nanos& serverBusy_;
    std::chrono::steady_clock::time_point start_;
    std::int64_t chipBefore_;
    std::int64_t serverBefore_;
};

}  // namespace taplink::service
