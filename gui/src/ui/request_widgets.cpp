#include "ui/request_widgets.hpp"

#include <QUrl>
#include <QVBoxLayout>
#include <utility>

#include "ui/qt_new.hpp"

namespace taplink::gui {

namespace {

QString transportText(const UiRequest& request) {
    if (request.transport == QLatin1String("native-messaging")) {
        return ExpiryLabel::tr("through the TapLink browser extension");
    }
    return ExpiryLabel::tr("through a direct connection from the web page");
}

QLabel* makeOriginTrustLabel(const UiRequest& request) {
    auto* trust = qtNew<QLabel>(originTrustText(request));
    trust->setObjectName("originTrust");
    trust->setTextFormat(Qt::PlainText);
    trust->setWordWrap(true);
    if (!request.originVouched) {  // the connection banner's warning colours
        trust->setStyleSheet(QStringLiteral("background: #fff3cd; color: #664d03;"));
    }
    return trust;
}

}  // namespace

QString originTrustText(const UiRequest& request) {
    return request.originVouched
               ? ExpiryLabel::tr("Verified by your browser")
               : ExpiryLabel::tr("Claimed by a local program; not verified by the browser");
}

QString originHost(const QString& origin) {
    const QUrl url(origin);
    if (url.host().isEmpty()) {
        return origin;
    }
    return url.port() > 0 ? url.host() + QLatin1Char(':') + QString::number(url.port())
                          : url.host();
}

QWidget* makeOriginBlock(const UiRequest& request) {
    auto* block = qtNew<QWidget>();
    auto* layout = qtNew<QVBoxLayout>(block);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* host = qtNew<QLabel>(originHost(request.origin));
    host->setObjectName("originHost");
    host->setAccessibleName(ExpiryLabel::tr("Website"));
    QFont big = host->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    host->setFont(big);
    host->setTextFormat(Qt::PlainText);  // an origin is never markup
    auto* full = qtNew<QLabel>(request.origin + QStringLiteral(" — ") + transportText(request));
    full->setObjectName("originFull");
    full->setTextFormat(Qt::PlainText);
    full->setWordWrap(true);
    full->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(host);
    layout->addWidget(full);
    layout->addWidget(makeOriginTrustLabel(request));
    return block;
}

ExpiryLabel::ExpiryLabel(QDateTime expiresAt, QWidget* parent)
    : QLabel(parent), expiresAt_(std::move(expiresAt)) {
    setObjectName("expiry");
    constexpr int kTickMs = 1000;
    connect(&timer_, &QTimer::timeout, this, &ExpiryLabel::tick);
    if (expiresAt_.isValid()) {
        timer_.start(kTickMs);
    }
    tick();
}

void ExpiryLabel::tick() {
    if (!expiresAt_.isValid()) {
        setText(QString());
        return;
    }
    const qint64 seconds = qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(expiresAt_));
    setText(tr("If you do not answer, this is refused in %n second(s).", nullptr,
               static_cast<int>(seconds)));
}

}  // namespace taplink::gui
