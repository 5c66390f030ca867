#include "core/app_settings.hpp"

#include <QSettings>

namespace taplink::gui {

namespace {
constexpr const char* kLanguage = "ui/language";
constexpr const char* kMerchantUrl = "demo/merchantUrl";
constexpr const char* kMerchantCa = "demo/merchantCaFile";
}  // namespace

AppSettings AppSettings::load() {
    const QSettings settings;
    AppSettings loaded;
    loaded.language = settings.value(kLanguage).toString();
    loaded.demoMerchantUrl = QUrl(settings.value(kMerchantUrl).toString());
    loaded.demoMerchantCa = settings.value(kMerchantCa).toString();
    return loaded;
}

void AppSettings::save() const {
    QSettings settings;
    settings.setValue(kLanguage, language);
    settings.setValue(kMerchantUrl, demoMerchantUrl.toString());
    settings.setValue(kMerchantCa, demoMerchantCa);
}

}  // namespace taplink::gui
