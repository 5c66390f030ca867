#include "core/topup_controller.hpp"

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"

namespace taplink::gui {

namespace {

constexpr QLatin1String kBankScheme("bank-ec");
constexpr QLatin1String kCityScheme("city-epurse");

std::optional<LoadFlow> flowOfScheme(const QString& scheme) {
    if (scheme == kBankScheme) {
        return LoadFlow::Bank;
    }
    if (scheme == kCityScheme) {
        return LoadFlow::City;
    }
    return std::nullopt;
}

QString progressOf(LoadFlow flow) {
    return apiName(flow == LoadFlow::Bank ? api::notification::kEcloadProgress
                                          : api::notification::kTopupProgress);
}

}  // namespace

std::optional<LoadFlow> chooseLoadFlow(const QString& cardScheme, const QString& orderScheme) {
    const std::optional<LoadFlow> byCard = flowOfScheme(cardScheme);
    const std::optional<LoadFlow> byOrder = flowOfScheme(orderScheme);
    if (byCard && byOrder && *byCard != *byOrder) {
        return std::nullopt;
    }
    // An unsupported card goes the city way: taplinkd then says unsupported_card.
    return byCard.value_or(byOrder.value_or(LoadFlow::City));
}

TopupController::TopupController(DaemonConnection& connection, QObject* parent)
    : QObject(parent), connection_(connection) {
    connect(&connection_, &DaemonConnection::notificationReceived, this,
            &TopupController::onNotification);
}

void TopupController::start(const QString& orderId, const QString& reader, LoadFlow flow) {
    orderId_ = orderId;
    flow_ = flow;
    running_ = true;
    const quint64 run = ++run_;
    QJsonObject params{{"orderId", orderId}};
    if (!reader.isEmpty()) {
        params.insert("reader", reader);
    }
    const QString method =
        apiName(flow == LoadFlow::Bank ? api::method::kEcloadStart : api::method::kTopupStart);
    connection_.call(method, params, this,
                     [this, run](const RpcReply& reply) { onReply(run, reply); });
}

void TopupController::cancel() {
    if (running_) {
        connection_.call(apiName(api::method::kTxCancel), {{"orderId", orderId_}}, this,
                         [](const RpcReply&) {
                             // The top-up's own reply says how it ended (cancelled, or too late:
                             // completed).
                         });
    }
}

void TopupController::onNotification(const QString& method, const QJsonObject& params) {
    if (running_ && method == progressOf(flow_) && params.value("orderId").toString() == orderId_) {
        emit stageChanged(params.value("stage").toString());
    }
}

void TopupController::onReply(quint64 run, const RpcReply& reply) {
    if (run != run_) {
        return;
    }
    running_ = false;
    if (reply.ok()) {
        emit succeeded(topupResultFromJson(reply.result));
    } else {
        emit failed(*reply.error);
    }
}

}  // namespace taplink::gui
