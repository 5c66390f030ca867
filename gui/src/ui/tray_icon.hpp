// The tray icon (when the desktop has a tray): a menu to show the window, top up or quit, and
// notifications for a card placed on a reader, a finished top-up, and errors.
#pragma once

#include <QObject>
#include <QString>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace taplink::gui {

class DaemonConnection;

class TrayIcon : public QObject {
    Q_OBJECT

  public:
    TrayIcon(DaemonConnection& connection, QMenu* menu, QObject* parent = nullptr);

    bool available() const { return icon_ != nullptr; }
    void notify(const QString& title, const QString& message, bool error = false);
    // The last notification, also kept without a tray (a status line shows it).
    const QString& lastMessage() const { return lastMessage_; }

  signals:
    void activated();
    void notified(const QString& message);

  private:
    void onNotification(const QString& method, const QJsonObject& params);

    QSystemTrayIcon* icon_ = nullptr;
    QString lastMessage_;
    bool wasConnected_ = false;
};

}  // namespace taplink::gui
