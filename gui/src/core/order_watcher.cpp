#include "core/order_watcher.hpp"

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"

namespace taplink::gui {

namespace {
constexpr int kPollMs = 500;
constexpr int kMaxPolls = 4 * 60 * 2;  // four minutes: the card wait and the confirmation
}  // namespace

OrderWatcher::OrderWatcher(DaemonConnection& connection, QObject* parent)
    : QObject(parent), connection_(connection) {
    timer_.setInterval(kPollMs);
    connect(&timer_, &QTimer::timeout, this, &OrderWatcher::poll);
}

void OrderWatcher::watch(const QString& orderId) {
    polls_.insert(orderId, kMaxPolls);
    timer_.start();
}

void OrderWatcher::poll() {
    const QList<QString> orders = polls_.keys();
    for (const QString& orderId : orders) {
        int& left = polls_[orderId];
        if (--left <= 0) {
            polls_.remove(orderId);
            continue;
        }
        connection_.call(apiName(api::method::kTxStatus), {{"orderId", orderId}}, this,
                         [this, orderId](const RpcReply& reply) { onStatus(orderId, reply); });
    }
    if (polls_.isEmpty()) {
        timer_.stop();
    }
}

void OrderWatcher::onStatus(const QString& orderId, const RpcReply& reply) {
    if (!reply.ok() || !polls_.contains(orderId)) {
        return;  // not journaled yet, or already reported
    }
    const QString state = reply.result.value("state").toString();
    if (state == QLatin1String("credited") || state == QLatin1String("reported") ||
        state == QLatin1String("failed")) {
        polls_.remove(orderId);
        emit finished(orderId, state, reply.result.value("amount").toInteger());
    }
}

}  // namespace taplink::gui
