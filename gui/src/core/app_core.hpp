// Everything of the GUI that is not a widget: the link to taplinkd and what it keeps live
// (readers, the card and its history, the trusted UI). The windows show it; the tests drive
// the same object the app does.
#pragma once

#include <QObject>
#include <QString>

#include "core/card_watcher.hpp"
#include "core/daemon_connection.hpp"
#include "core/history_model.hpp"
#include "core/order_watcher.hpp"
#include "core/readers_model.hpp"
#include "core/trusted_ui_broker.hpp"

namespace taplink::gui {

class AppCore : public QObject {
    Q_OBJECT

  public:
    explicit AppCore(const QString& socketPath, QObject* parent = nullptr);

    // Connects, and keeps reconnecting.
    void start() { connection_.start(); }

    DaemonConnection& connection() { return connection_; }
    ReadersModel& readers() { return readers_; }
    HistoryModel& history() { return history_; }
    CardWatcher& card() { return card_; }
    TrustedUiBroker& trustedUi() { return broker_; }
    // Web top-ups the user allowed, followed to their end.
    OrderWatcher& webTopups() { return webTopups_; }

  private:
    DaemonConnection connection_;
    ReadersModel readers_;
    HistoryModel history_;
    CardWatcher card_;
    TrustedUiBroker broker_;
    OrderWatcher webTopups_;
};

// taplinkd's socket: $TAPLINK_SOCKET, else $XDG_RUNTIME_DIR/taplink/taplinkd.sock, else
// /tmp/taplink-<uid>/taplinkd.sock (the daemon's own rule, api::socketPathFromEnvironment).
QString defaultSocketPath();

}  // namespace taplink::gui
