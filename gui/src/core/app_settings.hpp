// The GUI's own preferences (QSettings, organisation "TapLink", application "taplink-gui"):
// its language and the demo shop it may create orders at. taplinkd's settings are not here:
// they live in taplinkd's configuration (daemon_settings.hpp).
#pragma once

#include <QString>
#include <QUrl>

namespace taplink::gui {

struct AppSettings {
    QString language;        // "" (the system's), "en" or "zh_CN"
    QUrl demoMerchantUrl;    // empty: no amount buttons in the top-up wizard
    QString demoMerchantCa;  // PEM file of the CA that signs the demo shop's certificate

    static AppSettings load();
    void save() const;
};

}  // namespace taplink::gui
