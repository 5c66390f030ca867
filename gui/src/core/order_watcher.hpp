// Follows top-ups this app did not start itself (a web page's, after the user allowed it in
// the confirmation dialog) until taplinkd's journal says how they ended (tx.status), so that
// the window can show the new balance and the tray can tell.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include "core/rpc_types.hpp"

namespace taplink::gui {

class DaemonConnection;

class OrderWatcher : public QObject {
    Q_OBJECT

  public:
    explicit OrderWatcher(DaemonConnection& connection, QObject* parent = nullptr);

    // Polls tx.status of the order until it is credited, reported or failed.
    void watch(const QString& orderId);

  signals:
    // state: "credited", "reported" (the card holds the amount) or "failed".
    void finished(const QString& orderId, const QString& state, qint64 amount);

  private:
    void poll();
    void onStatus(const QString& orderId, const RpcReply& reply);

    DaemonConnection& connection_;
    QHash<QString, int> polls_;  // order -> polls left
    QTimer timer_;
};

}  // namespace taplink::gui
