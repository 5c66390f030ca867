// Pieces both trusted dialogs show: who asks (the web origin, big, and how it reached TapLink)
// and how long the question stays open.
#pragma once

#include <QDateTime>
#include <QLabel>
#include <QTimer>

#include "core/api_types.hpp"

namespace taplink::gui {

// "shop.example" for "https://shop.example", with the port when there is one.
QString originHost(const QString& origin);

// Whether the browser vouched for the origin or a local program only claimed it
// (docs/api.md "Trusted UI", originVouched).
QString originTrustText(const UiRequest& request);

// The origin in large type, the full origin, the way the page reached TapLink and whether
// the browser vouched for the origin (a claimed one in a warning style).
QWidget* makeOriginBlock(const UiRequest& request);

// "This question closes in 42 seconds", counting down to the request's expiry.
class ExpiryLabel : public QLabel {
    Q_OBJECT

  public:
    explicit ExpiryLabel(QDateTime expiresAt, QWidget* parent = nullptr);

  private:
    void tick();

    QDateTime expiresAt_;
    QTimer timer_;
};

}  // namespace taplink::gui
