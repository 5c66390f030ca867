// taplinkd's settings the GUI's settings page shows (settings.get / settings.set, docs/api.md
// "Settings"): the top-up server and its pin, the web origins allowed, and whether web top-ups
// need the user's confirmation.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace taplink::gui {

struct DaemonSettings {
    QString serverUrl;
    QString pinSha256;  // base64 SHA-256 of the server's public key (SPKI)
    QStringList allowedOrigins;
    QString confirmation;  // "ask" | "auto" (kiosk)
    bool websocketEnabled = false;
    int websocketPort = 0;

    friend bool operator==(const DaemonSettings&, const DaemonSettings&) = default;
};

DaemonSettings daemonSettingsFromJson(const QJsonObject& result);

// settings.set's params: only what differs between the two.
QJsonObject settingsChanges(const DaemonSettings& before, const DaemonSettings& after);

// Checks what a user typed; the empty string when it is fine, else a translated reason.
QString checkServerUrl(const QString& url);
QString checkPinSha256(const QString& pin);

}  // namespace taplink::gui
