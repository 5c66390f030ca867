// One top-up from the GUI: topup.start with the order code, its topup.progress stages, and how
// it ended; or, for a bank card, the EC load (圈存): ecload.start and ecload.progress. The
// amount comes from the server's order (taplinkd fetches it), never from here.
#pragma once

#include <QObject>
#include <QString>
#include <optional>

#include "core/api_types.hpp"
#include "core/rpc_types.hpp"

namespace taplink::gui {

class DaemonConnection;

// Which load a card takes: a city card's top-up, or a bank card's EC load.
enum class LoadFlow { City, Bank };

// The flow for the card on the reader (card.info's scheme; empty: no card yet) and the order's
// scheme (empty: not known here). nullopt when they contradict each other (wrong_scheme);
// without a card, the order's scheme, else the city top-up.
std::optional<LoadFlow> chooseLoadFlow(const QString& cardScheme, const QString& orderScheme);

class TopupController : public QObject {
    Q_OBJECT

  public:
    explicit TopupController(DaemonConnection& connection, QObject* parent = nullptr);

    bool running() const { return running_; }
    const QString& orderId() const { return orderId_; }

    // Starts topup.start (ecload.start for LoadFlow::Bank); reader empty: taplinkd takes the
    // only reader with a card.
    void start(const QString& orderId, const QString& reader = {}, LoadFlow flow = LoadFlow::City);
    LoadFlow flow() const { return flow_; }
    // tx.cancel: the top-up then fails with "cancelled" (or completes, when the card was
    // already written).
    void cancel();

  signals:
    // waiting_for_card, (choosing_application,) awaiting_confirmation, authorizing, writing,
    // confirming.
    void stageChanged(const QString& stage);
    void succeeded(const taplink::gui::TopupResult& result);
    void failed(const taplink::gui::RpcError& error);

  private:
    void onNotification(const QString& method, const QJsonObject& params);
    void onReply(quint64 run, const RpcReply& reply);

    DaemonConnection& connection_;
    QString orderId_;
    LoadFlow flow_ = LoadFlow::City;
    bool running_ = false;
    quint64 run_ = 0;
};

}  // namespace taplink::gui
