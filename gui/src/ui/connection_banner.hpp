// The strip at the top of the main window that says taplinkd is not there and that the app
// is reconnecting. Hidden while connected.
#pragma once

#include <QLabel>

#include "core/daemon_connection.hpp"

namespace taplink::gui {

class ConnectionBanner : public QLabel {
    Q_OBJECT

  public:
    explicit ConnectionBanner(DaemonConnection& connection, QWidget* parent = nullptr);

  private:
    void present(DaemonConnection::State state);
};

}  // namespace taplink::gui
