// Takes the README's screenshots of taplink-gui on the test bed: the main window, the top-up
// wizard (the demo shop's amounts, the receipt) and the trusted confirmation dialog, each grabbed
// from its real X window (run under Xvfb by scripts/screenshots.sh). Not a test: it checks nothing
// beyond getting there.
//
//   taplink-gui-screenshots OUTPUT_DIR [--language zh_CN]   (files NAME.png, NAME-zh_CN.png)
#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QScreen>
#include <QTest>
#include <QWizard>
#include <cstdio>

#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/main_window.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui::test {

namespace {

constexpr const char* kShop = "https://shop.example";

bool waitUntil(const std::function<bool()>& done) {
    const QDeadlineTimer deadline(kTimeoutMs);
    while (!done()) {
        if (deadline.hasExpired()) {
            return false;
        }
        QTest::qWait(20);
    }
    return true;
}

// The window as the X server has it, after it has settled and painted.
bool shoot(QWidget* window, const QString& path) {
    if (!QTest::qWaitForWindowExposed(window)) {
        return false;
    }
    QTest::qWait(400);  // let layouts and fonts settle: a picture, not an assertion
    const QPixmap shot = window->screen()->grabWindow(window->winId());
    std::printf("%s\n", qPrintable(path));
    return shot.save(path, "PNG");
}

class Shooter {
  public:
    Shooter(GuiBed& gui, QString dir, QString language)
        : gui_(gui), dir_(std::move(dir)), language_(std::move(language)), window_(gui.core()) {}

    bool run() { return loadHistory() && mainWindow() && wizard() && confirmation(); }

  private:
    // NAME.png, or NAME-LANGUAGE.png for another language than English.
    QString path(const char* name) const {
        const QString suffix = language_ == QLatin1String("en") ? QString() : "-" + language_;
        return QDir(dir_).filePath(QString::fromLatin1(name) + suffix + QStringLiteral(".png"));
    }

    bool loadHistory() {
        for (const char* amount : {"30.00", "12.50"}) {
            if (!gui_.ownerCall("topup.start", {{"orderId", gui_.bed().createOrder(amount)}})
                     .ok()) {
                return false;
            }
        }
        return true;
    }

    bool mainWindow() {
        window_.show();
        return waitUntil([this] {
                   return gui_.core().card().status() == CardWatcher::Status::Ready &&
                          gui_.core().history().rowCount() == 2 &&
                          gui_.core().trustedUi().attached();
               }) &&
               shoot(&window_, path("main-window"));
    }

    // The first page with the demo shop's amounts, then ¥50 through to the receipt.
    bool wizard() {
        TopupWizard* wizard = window_.openTopupWizard();
        if (!shoot(wizard, path("topup-wizard"))) {
            return false;
        }
        auto* fifty = wizard->findChild<QPushButton*>("amount-5000");
        if (fifty == nullptr) {
            return false;
        }
        fifty->click();
        if (!waitUntil([wizard] { return wizard->currentId() == TopupWizard::ConfirmPageId; })) {
            return false;
        }
        wizard->next();
        const bool done =
            waitUntil([wizard] { return wizard->currentId() == TopupWizard::ReceiptPageId; });
        const bool shot = done && shoot(wizard, path("topup-receipt"));
        wizard->accept();
        return shot;
    }

    bool confirmation() {
        WebCaller page(gui_.bed().socketPath(), kShop);
        auto topup = page.callAsync("topup.start", {{"orderId", gui_.bed().createOrder("50.00")}});
        ConfirmationDialog* dialog = nullptr;
        const bool shown = waitUntil(
            [&dialog] { return (dialog = findTopLevel<ConfirmationDialog>()) != nullptr; });
        const bool shot = shown && shoot(dialog, path("confirmation-dialog"));
        if (shown) {
            dialog->reject();
        }
        return waitFor(topup) && shot;
    }

    GuiBed& gui_;
    QString dir_;
    QString language_;
    MainWindow window_;
};

// The --language option's value, "en" without it.
QString languageOption(const QStringList& args) {
    const qsizetype option = args.indexOf(QStringLiteral("--language"));
    return option > 0 && option + 1 < args.size() ? args.at(option + 1) : QStringLiteral("en");
}

}  // namespace

}  // namespace taplink::gui::test

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: taplink-gui-screenshots OUTPUT_DIR [--language zh_CN]\n");
        return 2;
    }
    const QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    taplink::gui::setUpApplication(app);
    const QString language = taplink::gui::test::languageOption(args);
    taplink::gui::installTranslation(language);
    taplink::testbed::TopupBedOptions options;
    options.webAllowedOrigins = {taplink::gui::test::kShop};
    options.merchant = true;
    QString error;
    auto gui = taplink::gui::test::GuiBed::start(options, &error);
    if (!gui) {
        std::fprintf(stderr, "test bed: %s\n", qPrintable(error));
        return 1;
    }
    taplink::gui::AppSettings demoShop;
    demoShop.demoMerchantUrl = QUrl(QString::fromStdString(gui->bed().merchantUrl()));
    demoShop.demoMerchantCa = QString::fromStdString(gui->bed().pkiDir() + "/root-ca.crt");
    demoShop.save();
    taplink::gui::test::Shooter shooter(*gui, args.at(1), language);
    return shooter.run() ? 0 : 1;
}
