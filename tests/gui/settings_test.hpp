// The settings page reads taplinkd's settings (settings.get) and writes what the user changed
// (settings.set); an unknown website gets the origin approval dialog, "Always allow" adds it to
// the allowed websites, and removing it on the settings page revokes it.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class SettingsTest : public QObject {
    Q_OBJECT

  private slots:
    void theSettingsPageReadsAndWritesTaplinkdsSettings();
    void anUnknownWebsiteIsAskedAboutAndCanBeRevoked();
};

}  // namespace taplink::gui::test
