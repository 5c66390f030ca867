// The demo shop (taplink-server's merchant listener, docs/server.md): creates an order for an
// amount the user picked, over HTTPS with QtNetwork. Only for the demo: a real shop makes its
// orders itself. taplinkd is never reached this way, only over its socket.
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace taplink::gui {

class MerchantClient : public QObject {
    Q_OBJECT

  public:
    // caFile: PEM certificates to trust for the shop (empty: the system's).
    MerchantClient(QUrl baseUrl, QString caFile, QObject* parent = nullptr);

    // POST /merchant/orders {"amount": fen}, with "scheme" when one is given ("bank-ec": an
    // EC load paid by the shop's demo account).
    void createOrder(qint64 amountFen, const QString& scheme = {});

  signals:
    // scheme: the order's, as the shop says (empty from an older shop: a city top-up).
    void orderCreated(const QString& orderId, qint64 amountFen, const QString& scheme);
    void failed(const QString& message);

  private:
    void onFinished(QNetworkReply* reply);

    QUrl baseUrl_;
    QString caFile_;
    QNetworkAccessManager* network_;
};

}  // namespace taplink::gui
