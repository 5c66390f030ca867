#include "settings_test.hpp"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QTest>
#include <fstream>
#include <sstream>

#include "gui_test_support.hpp"
#include "ui/main_window.hpp"
#include "ui/origin_approval_dialog.hpp"
#include "ui/settings_dialog.hpp"

namespace taplink::gui::test {

namespace {

constexpr const char* kShop = "https://shop.test";
constexpr const char* kUnknown = "https://unknown.test";

QStringList allowedOrigins(const GuiBed& gui) {
    const Outcome settings = gui.ownerCall("settings.get");
    QStringList origins;
    if (settings.ok()) {
        for (const auto& origin : settings.result.at("web").at("allowedOrigins")) {
            origins.append(QString::fromStdString(origin.get<std::string>()));
        }
    }
    return origins;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

QStringList listed(SettingsDialog* dialog) {
    QStringList origins;
    auto* list = dialog->findChild<QListWidget*>("allowedOrigins");
    for (int row = 0; row < list->count(); ++row) {
        origins.append(list->item(row)->text());
    }
    return origins;
}

void save(MainWindow& window, SettingsDialog* dialog) {
    QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window.settingsDialog() == nullptr, kTimeoutMs);
}

}  // namespace

void SettingsTest::theSettingsPageReadsAndWritesTaplinkdsSettings() {
    testbed::TopupBedOptions options;
    options.webAllowedOrigins = {kShop};
    QString error;
    auto gui = GuiBed::start(options, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().connection().isConnected(), kTimeoutMs);

    SettingsDialog* dialog = window.openSettings();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->loaded(), kTimeoutMs);
    QCOMPARE(dialog->findChild<QLineEdit*>("serverUrl")->text(),
             QString::fromStdString(gui->bed().serverUrl()));
    const QString pin =
        QString::fromStdString(readFile(gui->bed().pkiDir() + "/server-spki.sha256")).trimmed();
    QCOMPARE(dialog->findChild<QLineEdit*>("serverPin")->text(), pin);
    QCOMPARE(listed(dialog), QStringList{kShop});
    QVERIFY(dialog->findChild<QRadioButton*>("confirmationAsk")->isChecked());

    // A pin that is not a SHA-256 is refused before taplinkd sees it.
    auto* pinEdit = dialog->findChild<QLineEdit*>("serverPin");
    pinEdit->setText(QStringLiteral("not-a-pin"));
    QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save),
                      Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->findChild<QLabel*>("settingsStatus")->text().isEmpty());
    pinEdit->setText(pin);

    QTest::keyClicks(dialog->findChild<QLineEdit*>("newOrigin"),
                     QStringLiteral("https://kiosk.test"));
    QTest::mouseClick(dialog->findChild<QPushButton*>("addOrigin"), Qt::LeftButton);
    dialog->findChild<QRadioButton*>("confirmationAuto")->setChecked(true);
    TAPLINK_GUI_STEP(save(window, dialog));

    const Outcome settings = gui->ownerCall("settings.get");
    QVERIFY2(settings.ok(), settings.message.c_str());
    QCOMPARE(allowedOrigins(*gui), (QStringList{kShop, QStringLiteral("https://kiosk.test")}));
    QCOMPARE(settings.result.at("web").at("confirmation").get<std::string>(), std::string("auto"));
    QCOMPARE(settings.result.at("server").at("pinSha256").get<std::string>(), pin.toStdString());

    // Opened again, it shows what was saved.
    dialog = window.openSettings();
    QTRY_VERIFY_WITH_TIMEOUT(dialog->loaded(), kTimeoutMs);
    QCOMPARE(listed(dialog).size(), 2);
    QVERIFY(dialog->findChild<QRadioButton*>("confirmationAuto")->isChecked());
    dialog->reject();
}

void SettingsTest::anUnknownWebsiteIsAskedAboutAndCanBeRevoked() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().trustedUi().attached(), kTimeoutMs);
    QVERIFY(!allowedOrigins(*gui).contains(kUnknown));

    WebCaller page(gui->bed().socketPath(), kUnknown);
    auto readers = page.callAsync("readers.list");
    OriginApprovalDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<OriginApprovalDialog>()) != nullptr,
                             kTimeoutMs);
    QCOMPARE(dialog->findChild<QLabel*>("originHost")->text(), QStringLiteral("unknown.test"));
    QVERIFY(dialog->denyButton()->isDefault());
    QTest::mouseClick(dialog->alwaysButton(), Qt::LeftButton);
    QVERIFY(waitFor(readers));
    const Outcome listed = readers.get();
    QVERIFY2(listed.ok(), listed.message.c_str());
    QVERIFY(allowedOrigins(*gui).contains(kUnknown));

    // Revoked on the settings page: the next connection from it is asked about again.
    SettingsDialog* settings = window.openSettings();
    QTRY_VERIFY_WITH_TIMEOUT(settings->loaded(), kTimeoutMs);
    auto* list = settings->findChild<QListWidget*>("allowedOrigins");
    const auto items = list->findItems(kUnknown, Qt::MatchExactly);
    QCOMPARE(items.size(), 1);
    list->setCurrentItem(items.first());
    QTest::mouseClick(settings->findChild<QPushButton*>("removeOrigin"), Qt::LeftButton);
    TAPLINK_GUI_STEP(save(window, settings));
    QVERIFY(!allowedOrigins(*gui).contains(kUnknown));

    auto again = page.callAsync("readers.list");
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<OriginApprovalDialog>()) != nullptr,
                             kTimeoutMs);
    QTest::keyClick(dialog, Qt::Key_Escape);  // Esc denies
    QVERIFY(waitFor(again));
    QCOMPARE(QString::fromStdString(again.get().code), QStringLiteral("origin_denied"));
    QVERIFY(!allowedOrigins(*gui).contains(kUnknown));
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::SettingsTest)
