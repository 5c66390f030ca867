// taplink-gui: the desktop top-up app. A client of taplinkd's local socket; it never touches
// PC/SC.
#include <QApplication>
#include <QCommandLineParser>
#include <QSystemTrayIcon>

#include "core/app_core.hpp"
#include "taplink/base/log.hpp"
#include "ui/application.hpp"
#include "ui/main_window.hpp"

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplink-gui");
    QApplication::setHighDpiScaleFactorRoundingPolicy(
        Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    taplink::gui::setUpApplication(app);
    QApplication::setApplicationVersion(QStringLiteral(TAPLINK_VERSION));

    QCommandLineParser options;
    options.setApplicationDescription(
        QApplication::translate("main", "TapLink: top up transit cards on this computer."));
    options.addHelpOption();
    options.addVersionOption();
    const QCommandLineOption socket(
        QStringLiteral("socket"),
        QApplication::translate("main", "taplinkd's socket (default: as taplinkd's own rule)."),
        QStringLiteral("path"));
    const QCommandLineOption hidden(
        QStringLiteral("hidden"),
        QApplication::translate("main", "Start in the tray, for the session's autostart."));
    options.addOption(socket);
    options.addOption(hidden);
    options.process(app);

    const bool tray = QSystemTrayIcon::isSystemTrayAvailable();
    QApplication::setQuitOnLastWindowClosed(!tray);
    taplink::gui::AppCore core(options.isSet(socket) ? options.value(socket)
                                                     : taplink::gui::defaultSocketPath());
    taplink::gui::MainWindow window(core);
    if (!(tray && options.isSet(hidden))) {
        window.show();
    }
    core.start();
    return QApplication::exec();
}
