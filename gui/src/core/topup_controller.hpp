// One top-up from the GUI: topup.start with the order code, its topup.progress stages, and how
// it ended. The amount comes from the server's order (taplinkd fetches it), never from here.
#pragma once

#include <QObject>
#include <QString>

#include "core/api_types.hpp"
#include "core/rpc_types.hpp"

namespace taplink::gui {

class DaemonConnection;

class TopupController : public QObject {
    Q_OBJECT

  public:
    explicit TopupController(DaemonConnection& connection, QObject* parent = nullptr);

    bool running() const { return running_; }
    const QString& orderId() const { return orderId_; }

    // Starts topup.start; reader empty: taplinkd takes the only reader with a card.
    void start(const QString& orderId, const QString& reader = {});
    // tx.cancel: the top-up then fails with "cancelled" (or completes, when the card was
    // already written).
    void cancel();

  signals:
    // waiting_for_card, awaiting_confirmation, authorizing, writing, confirming.
    void stageChanged(const QString& stage);
    void succeeded(const taplink::gui::TopupResult& result);
    void failed(const taplink::gui::RpcError& error);

  private:
    void onNotification(const QString& method, const QJsonObject& params);
    void onReply(quint64 run, const RpcReply& reply);

    DaemonConnection& connection_;
    QString orderId_;
    bool running_ = false;
    quint64 run_ = 0;
};

}  // namespace taplink::gui
