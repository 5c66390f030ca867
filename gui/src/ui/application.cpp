#include "ui/application.hpp"

#include <QApplication>
#include <QLocale>
#include <QPointer>
#include <QTranslator>

#include "core/app_settings.hpp"
#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"

namespace taplink::gui {

namespace {
// The translation in use, owned by the application object.
QPointer<QTranslator>& installedTranslator() {
    static QPointer<QTranslator> translator;
    return translator;
}
}  // namespace

void setUpApplication(QApplication& app) {
    QApplication::setOrganizationName(QStringLiteral("TapLink"));
    QApplication::setApplicationName(QStringLiteral("taplink-gui"));
    QApplication::setApplicationDisplayName(QStringLiteral("TapLink"));
    QApplication::setDesktopFileName(QStringLiteral("taplink-gui"));
    QApplication::setWindowIcon(appIcon());
    installTranslation(AppSettings::load().language);
    Q_UNUSED(app);
}

bool installTranslation(const QString& language) {
    QPointer<QTranslator>& installed = installedTranslator();
    if (!installed.isNull()) {
        QCoreApplication::removeTranslator(installed);
        delete installed.data();  // NOLINT(cppcoreguidelines-owning-memory): ours, see below
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto* translator = qtNew<QTranslator>(QCoreApplication::instance());
    if (!translator->load(locale, QStringLiteral("taplink"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
        delete translator;  // NOLINT(cppcoreguidelines-owning-memory)
        return false;
    }
    QCoreApplication::installTranslator(translator);
    installed = translator;
    QLocale::setDefault(locale);
    return true;
}

}  // namespace taplink::gui
