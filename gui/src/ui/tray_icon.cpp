#include "ui/tray_icon.hpp"

#include <QMenu>
#include <QSystemTrayIcon>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"
#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"

namespace taplink::gui {

TrayIcon::TrayIcon(DaemonConnection& connection, QMenu* menu, QObject* parent) : QObject(parent) {
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        icon_ = qtNew<QSystemTrayIcon>(appIcon(), this);
        icon_->setToolTip(tr("TapLink"));
        icon_->setContextMenu(menu);
        connect(icon_, &QSystemTrayIcon::activated, this, [this](auto reason) {
            if (reason == QSystemTrayIcon::Trigger) {
                emit activated();
            }
        });
        icon_->show();
    }
    connect(&connection, &DaemonConnection::notificationReceived, this, &TrayIcon::onNotification);
    connect(&connection, &DaemonConnection::stateChanged, this,
            [this](DaemonConnection::State state) {
                if (state == DaemonConnection::State::Connected) {
                    wasConnected_ = true;
                } else if (state == DaemonConnection::State::Away && wasConnected_) {
                    notify(tr("TapLink service stopped"),
                           tr("The TapLink service is not running. Reconnecting…"), true);
                }
            });
}

void TrayIcon::onNotification(const QString& method, const QJsonObject& params) {
    if (method == apiName(api::event::kCardInserted)) {
        notify(tr("Card placed"),
               tr("A card was placed on %1.").arg(params.value("reader").toString()));
    }
}

void TrayIcon::notify(const QString& title, const QString& message, bool error) {
    lastMessage_ = title + QStringLiteral(": ") + message;
    if (icon_ != nullptr) {
        constexpr int kShowMs = 6000;
        icon_->showMessage(title, message,
                           error ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information,
                           kShowMs);
    }
    emit notified(lastMessage_);
}

}  // namespace taplink::gui
