// What every start of the GUI sets up on the QApplication (the app and the tests): its names
// (QSettings finds the preferences by them), icon, and the translation of the chosen language.
#pragma once

#include <QString>

class QApplication;

namespace taplink::gui {

// Names, icon, high-DPI friendly defaults and the language from the preferences.
void setUpApplication(QApplication& app);

// Loads and installs the translation: "en", "zh_CN", or "" for the system's languages.
// Replaces one installed before. False when there is no translation for it (English text
// is then shown).
bool installTranslation(const QString& language);

}  // namespace taplink::gui
