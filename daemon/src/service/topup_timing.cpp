#include "service/topup_timing.hpp"

namespace taplink::service {

namespace {

std::int64_t nanosSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start)
        .count();
}

double milliseconds(std::int64_t nanos) {
    return static_cast<double>(nanos) / 1e6;
}

}  // namespace

template <class Call>
auto TimedTopupServer::timed(Call call) {
    const auto chipHold = chip_.hold();
    struct Account {
        const ChipSession& chip;
        Nanos& serverBusy;
        std::int64_t chipBefore;
        std::chrono::steady_clock::time_point start;
        ~Account() { serverBusy += nanosSince(start) - (chip.busyNanos() - chipBefore); }
    } account{chip_, serverBusy_, chip_.busyNanos(), std::chrono::steady_clock::now()};
    return call();
}

net::wire::Order TimedTopupServer::fetchOrder(const std::string& orderId) {
    return timed([&] { return inner_->fetchOrder(orderId); });
}

nlohmann::json TimedTopupServer::fetchScript(const std::string& scheme) {
    return timed([&] { return inner_->fetchScript(scheme); });
}

nlohmann::json TimedTopupServer::exchange(const std::string& orderId, const std::string& call,
                                          const nlohmann::json& request) {
    return timed([&] { return inner_->exchange(orderId, call, request); });
}

net::ReportOutcome TimedTopupServer::reportResult(const std::string& orderId, ByteView result,
                                                  ByteView signature) {
    return timed([&] { return inner_->reportResult(orderId, result, signature); });
}

net::EcReportOutcome TimedTopupServer::reportEcLoad(const std::string& orderId, net::EcReport kind,
                                                    ByteView message, ByteView signature) {
    return timed([&] { return inner_->reportEcLoad(orderId, kind, message, signature); });
}

net::PurchaseReportOutcome TimedTopupServer::reportPurchase(const std::string& orderId,
                                                            net::PurchaseReport kind,
                                                            ByteView message, ByteView signature) {
    return timed([&] { return inner_->reportPurchase(orderId, kind, message, signature); });
}

TopupStopwatch::TopupStopwatch(const ChipSession& chip, const Nanos& serverBusy)
    : chip_(chip),
      serverBusy_(serverBusy),
      start_(std::chrono::steady_clock::now()),
      chipBefore_(chip.busyNanos()),
      serverBefore_(serverBusy.load()) {}

TopupTimings TopupStopwatch::timings(const Nanos& card, const Nanos& waiting) const {
    TopupTimings timings;
    timings.total = milliseconds(nanosSince(start_) - waiting.load());
    timings.card = milliseconds(card.load());
    timings.chip = milliseconds(chip_.busyNanos() - chipBefore_);
    timings.server = milliseconds(serverBusy_.load() - serverBefore_);
    timings.daemon = timings.total - timings.card - timings.chip - timings.server;
    return timings;
}

}  // namespace taplink::service
