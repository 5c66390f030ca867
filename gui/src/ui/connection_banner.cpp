#include "ui/connection_banner.hpp"

namespace taplink::gui {

ConnectionBanner::ConnectionBanner(DaemonConnection& connection, QWidget* parent) : QLabel(parent) {
    setObjectName("connectionBanner");
    setWordWrap(true);
    setMargin(8);
    setAutoFillBackground(true);
    setAccessibleName(tr("Connection to the TapLink service"));
    connect(&connection, &DaemonConnection::stateChanged, this, &ConnectionBanner::present);
    present(connection.state());
}

void ConnectionBanner::present(DaemonConnection::State state) {
    switch (state) {
        case DaemonConnection::State::Connected:
            setVisible(false);
            return;
        case DaemonConnection::State::Connecting:
            setText(tr("Connecting to the TapLink service…"));
            setStyleSheet(QString());
            break;
        case DaemonConnection::State::Away:
            setText(tr("TapLink service is not running — reconnecting…"));
            setStyleSheet(QStringLiteral("background: #fff3cd; color: #664d03;"));
            break;
    }
    setAccessibleDescription(text());
    setVisible(true);
}

}  // namespace taplink::gui
