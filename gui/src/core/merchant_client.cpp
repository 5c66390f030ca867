#include "core/merchant_client.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <utility>

namespace taplink::gui {

namespace {
constexpr int kTimeoutMs = 15000;
}  // namespace

MerchantClient::MerchantClient(QUrl baseUrl, QString caFile, QObject* parent)
    : QObject(parent),
      baseUrl_(std::move(baseUrl)),
      caFile_(std::move(caFile)),
      network_(new QNetworkAccessManager(
          this)) {  // NOLINT(cppcoreguidelines-owning-memory): Qt parent owns it
    connect(network_, &QNetworkAccessManager::finished, this, &MerchantClient::onFinished);
}

void MerchantClient::createOrder(qint64 amountFen, const QString& scheme) {
    QUrl url = baseUrl_;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/'))) {
        path.chop(1);
    }
    url.setPath(path + QStringLiteral("/merchant/orders"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setTransferTimeout(kTimeoutMs);
    if (!caFile_.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromPath(caFile_, QSsl::Pem));
        request.setSslConfiguration(tls);
    }
    QJsonObject body{{"amount", amountFen}};
    if (!scheme.isEmpty()) {
        body.insert("scheme", scheme);
    }
    network_->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void MerchantClient::onFinished(QNetworkReply* reply) {
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
        emit failed(reply->errorString());
        return;
    }
    const QJsonObject order = QJsonDocument::fromJson(body).object();
    const QString orderId = order.value("orderId").toString();
    if (orderId.isEmpty()) {
        emit failed(QStringLiteral("the shop's answer has no orderId"));
        return;
    }
    emit orderCreated(orderId, order.value("amount").toInteger(), order.value("scheme").toString());
}

}  // namespace taplink::gui
