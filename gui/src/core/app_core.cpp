#include "core/app_core.hpp"

#include "taplink/rpc/socket_path.hpp"

namespace taplink::gui {

AppCore::AppCore(const QString& socketPath, QObject* parent)
    : QObject(parent),
      connection_(socketPath),
      readers_(connection_),
      card_(connection_, readers_, history_),
      broker_(connection_),
      webTopups_(connection_) {
    connect(&broker_, &TrustedUiBroker::topupAllowed, &webTopups_, &OrderWatcher::watch);
    connect(&webTopups_, &OrderWatcher::finished, &card_, &CardWatcher::refresh);
}

QString defaultSocketPath() {
    return QString::fromStdString(api::socketPathFromEnvironment());
}

}  // namespace taplink::gui
