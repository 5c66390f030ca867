#include "restart_test.hpp"

#include <QAbstractButton>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTest>
#include <QWizard>

#include "core/error_texts.hpp"
#include "gui_test_support.hpp"
#include "ui/main_window.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui::test {

namespace {

bool connectedWithReaders(GuiBed& gui) {
    return gui.core().connection().isConnected() && gui.core().readers().rowCount() == 2 &&
           gui.core().card().status() == CardWatcher::Status::Ready;
}

}  // namespace

void RestartTest::theGuiSurvivesADaemonRestart() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    auto* banner = window.findChild<QLabel*>("connectionBanner");
    QVERIFY(banner != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(connectedWithReaders(*gui), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().trustedUi().attached(), kTimeoutMs);
    QVERIFY(!banner->isVisible());

    gui->bed().stopDaemon();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kTimeoutMs);
    QCOMPARE(banner->text(), QStringLiteral("TapLink service is not running — reconnecting…"));
    QCOMPARE(gui->core().connection().state(), DaemonConnection::State::Away);
    QCOMPARE(gui->core().readers().rowCount(), 0);
    QCOMPARE(gui->core().card().status(), CardWatcher::Status::Away);
    QVERIFY(!gui->core().trustedUi().attached());

    // A top-up tried now says the service is not running and what to do.
    TopupWizard* wizard = window.openTopupWizard();
    QTest::keyClicks(wizard->findChild<QLineEdit*>("orderCode"), QStringLiteral("ORD-1"));
    QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    QTest::mouseClick(wizard->button(QWizard::CommitButton), Qt::LeftButton);
    auto* failureWhat = wizard->findChild<QLabel*>("failureWhat");
    QTRY_COMPARE_WITH_TIMEOUT(failureWhat->text(), describeError(LocalFailure::NotRunning).what,
                              kTimeoutMs);
    wizard->close();

    gui->bed().startDaemon();
    QTRY_VERIFY_WITH_TIMEOUT(connectedWithReaders(*gui), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().trustedUi().attached(), kTimeoutMs);
    QVERIFY(!banner->isVisible());
    auto* readers = window.findChild<QTableView*>("readersView");
    QCOMPARE(readers->model()->rowCount(), 2);

    // The card events come again: the subscription was made again.
    gui->bed().bed().sim().remove(testbed::kCardSlot);
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::NoCard, kTimeoutMs);
    gui->bed().bed().sim().reinsert(testbed::kCardSlot);
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
}

void RestartTest::aCrashIsSurvivedToo() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(connectedWithReaders(*gui), kTimeoutMs);
    gui->bed().stopDaemon(/*kill=*/true);
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().connection().state(), DaemonConnection::State::Away,
                              kTimeoutMs);
    gui->bed().startDaemon();
    QTRY_VERIFY_WITH_TIMEOUT(connectedWithReaders(*gui), kTimeoutMs);
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::RestartTest)
