#include "core/daemon_settings.hpp"

#include <QCoreApplication>
#include <QJsonArray>
#include <QUrl>

namespace taplink::gui {

namespace {
constexpr qsizetype kSha256Bytes = 32;
}  // namespace

DaemonSettings daemonSettingsFromJson(const QJsonObject& result) {
    DaemonSettings settings;
    const QJsonObject server = result.value("server").toObject();
    settings.serverUrl = server.value("url").toString();
    settings.pinSha256 = server.value("pinSha256").toString();
    const QJsonObject web = result.value("web").toObject();
    for (const auto& origin : web.value("allowedOrigins").toArray()) {
        settings.allowedOrigins.append(origin.toString());
    }
    settings.confirmation = web.value("confirmation").toString();
    const QJsonObject websocket = web.value("websocket").toObject();
    settings.websocketEnabled = websocket.value("enabled").toBool();
    settings.websocketPort = websocket.value("port").toInt();
    return settings;
}

QJsonObject settingsChanges(const DaemonSettings& before, const DaemonSettings& after) {
    QJsonObject server;
    if (after.serverUrl != before.serverUrl) {
        server.insert("url", after.serverUrl);
    }
    if (after.pinSha256 != before.pinSha256) {
        server.insert("pinSha256", after.pinSha256);
    }
    QJsonObject web;
    if (after.allowedOrigins != before.allowedOrigins) {
        web.insert("allowedOrigins", QJsonArray::fromStringList(after.allowedOrigins));
    }
    if (after.confirmation != before.confirmation) {
        web.insert("confirmation", after.confirmation);
    }
    QJsonObject changes;
    if (!server.isEmpty()) {
        changes.insert("server", server);
    }
    if (!web.isEmpty()) {
        changes.insert("web", web);
    }
    return changes;
}

QString checkServerUrl(const QString& url) {
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.scheme() != QLatin1String("https") || parsed.host().isEmpty()) {
        return QCoreApplication::translate("Settings",
                                           "The server address must be an https:// address.");
    }
    return {};
}

QString checkPinSha256(const QString& pin) {
    const auto decoded =
        QByteArray::fromBase64Encoding(pin.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != kSha256Bytes) {
        return QCoreApplication::translate(
            "Settings",
            "The pin must be the base64 SHA-256 of the server's public key (44 characters).");
    }
    return {};
}

}  // namespace taplink::gui
