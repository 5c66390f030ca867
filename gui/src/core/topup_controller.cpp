#include "core/topup_controller.hpp"

#include "core/daemon_connection.hpp"

namespace taplink::gui {

TopupController::TopupController(DaemonConnection& connection, QObject* parent)
    : QObject(parent), connection_(connection) {
    connect(&connection_, &DaemonConnection::notificationReceived, this,
            &TopupController::onNotification);
}

void TopupController::start(const QString& orderId, const QString& reader) {
    orderId_ = orderId;
    running_ = true;
    const quint64 run = ++run_;
    QJsonObject params{{"orderId", orderId}};
    if (!reader.isEmpty()) {
        params.insert("reader", reader);
    }
    connection_.call("topup.start", params, this,
                     [this, run](const RpcReply& reply) { onReply(run, reply); });
}

void TopupController::cancel() {
    if (running_) {
        connection_.call("tx.cancel", {{"orderId", orderId_}}, this, [](const RpcReply&) {
            // The top-up's own reply says how it ended (cancelled, or too late: completed).
        });
    }
}

void TopupController::onNotification(const QString& method, const QJsonObject& params) {
    if (running_ && method == QLatin1String("topup.progress") &&
        params.value("orderId").toString() == orderId_) {
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
