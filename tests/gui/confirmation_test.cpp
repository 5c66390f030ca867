#include "confirmation_test.hpp"

#include <QLabel>
#include <QPushButton>
#include <QTest>
#include <algorithm>

#include "core/money.hpp"
#include "gui_test_support.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/main_window.hpp"
#include "ui/tray_icon.hpp"

namespace taplink::gui::test {

namespace {
constexpr const char* kShop = "https://shop.test";

// The bed with the shop's origin allowed and "ask" confirmation, the GUI attached.
struct Fixture {
    std::unique_ptr<GuiBed> gui;
    std::unique_ptr<MainWindow> window;
};

void bringUp(Fixture& fixture) {
    testbed::TopupBedOptions options;
    options.webAllowedOrigins = {kShop};
    options.webConfirmation = "ask";
    QString error;
    fixture.gui = GuiBed::start(options, &error);
    QVERIFY2(fixture.gui, qPrintable(error));
    fixture.window = std::make_unique<MainWindow>(fixture.gui->core());
    fixture.window->show();
    QTRY_VERIFY_WITH_TIMEOUT(fixture.gui->core().trustedUi().attached(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(fixture.gui->core().card().status(), CardWatcher::Status::Ready,
                              kTimeoutMs);
}

QString labelText(QWidget* dialog, const char* name) {
    auto* label = dialog->findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

}  // namespace

void ConfirmationTest::denyStopsTheTopUpBeforeAnyCardWrite() {
    Fixture fixture;
    TAPLINK_GUI_STEP(bringUp(fixture));
    GuiBed* gui = fixture.gui.get();
    const std::int64_t balance = gui->balance();
    const std::int64_t atc = gui->lastAtc();
    const std::string order = gui->bed().createOrder("20.00");
    WebCaller page(gui->bed().socketPath(), kShop);
    auto topup = page.callAsync("topup.start", {{"orderId", order}});

    ConfirmationDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<ConfirmationDialog>()) != nullptr, kTimeoutMs);
    QCOMPARE(labelText(dialog, "originHost"), QStringLiteral("shop.test"));
    QVERIFY(labelText(dialog, "originFull").startsWith(QLatin1String(kShop)));
    QCOMPARE(labelText(dialog, "question"),
             QStringLiteral("Load %1 onto card …0042 for shop.test?").arg(formatFen(2000)));
    QCOMPARE(labelText(dialog, "amount"), formatFen(2000));
    QCOMPARE(labelText(dialog, "order"), QString::fromStdString(order));
    QVERIFY(dialog->denyButton()->isDefault());
    QVERIFY(!dialog->allowButton()->isDefault());

    // Enter takes the default button: Deny.
    QTest::keyClick(dialog, Qt::Key_Return);
    QVERIFY(waitFor(topup));
    const Outcome denied = topup.get();
    QCOMPARE(QString::fromStdString(denied.code), QStringLiteral("user_denied"));
    QVERIFY(std::find(denied.stages.begin(), denied.stages.end(), "awaiting_confirmation") !=
            denied.stages.end());
    QVERIFY(std::find(denied.stages.begin(), denied.stages.end(), "writing") ==
            denied.stages.end());
    QTRY_VERIFY(findTopLevel<ConfirmationDialog>() == nullptr);
    // Nothing reached the card: the same balance, the same transaction counter.
    QCOMPARE(gui->balance(), balance);
    QCOMPARE(gui->lastAtc(), atc);
    QCOMPARE(gui->bed().serverCommand({"order", "show", order}).at("status").get<std::string>(),
             std::string("open"));
}

void ConfirmationTest::allowCompletesTheTopUp() {
    Fixture fixture;
    TAPLINK_GUI_STEP(bringUp(fixture));
    GuiBed* gui = fixture.gui.get();
    const std::int64_t balance = gui->balance();
    const std::string order = gui->bed().createOrder("20.00");
    WebCaller page(gui->bed().socketPath(), kShop);
    auto topup = page.callAsync("topup.start", {{"orderId", order}});

    ConfirmationDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<ConfirmationDialog>()) != nullptr, kTimeoutMs);
    QTest::mouseClick(dialog->allowButton(), Qt::LeftButton);
    QVERIFY(waitFor(topup));
    const Outcome allowed = topup.get();
    QVERIFY2(allowed.ok(), allowed.message.c_str());
    QCOMPARE(allowed.result.at("amount").get<std::int64_t>(), std::int64_t{2000});
    QCOMPARE(gui->balance(), balance + 2000);
    QCOMPARE(gui->bed().settledTotal(kCitySerial), std::uint64_t{2000});
    // The main window follows the page's top-up to the new balance, and the tray tells.
    auto* shown = fixture.window->findChild<QLabel*>("cardBalance");
    QTRY_COMPARE_WITH_TIMEOUT(shown->text(), formatFen(balance + 2000), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(fixture.window->tray().lastMessage().contains(formatFen(2000)),
                             kTimeoutMs);
    QTRY_VERIFY(findTopLevel<ConfirmationDialog>() == nullptr);
}

void ConfirmationTest::theDialogClosesWhenThePageGivesUp() {
    Fixture fixture;
    TAPLINK_GUI_STEP(bringUp(fixture));
    GuiBed* gui = fixture.gui.get();
    const std::int64_t balance = gui->balance();
    const std::string order = gui->bed().createOrder("20.00");
    WebCaller page(gui->bed().socketPath(), kShop);
    auto topup = page.callAsync("topup.start", {{"orderId", order}});
    QTRY_VERIFY_WITH_TIMEOUT(findTopLevel<ConfirmationDialog>() != nullptr, kTimeoutMs);

    const Outcome cancel = gui->ownerCall("tx.cancel", {{"orderId", order}});
    QVERIFY2(cancel.ok(), cancel.message.c_str());
    QVERIFY(waitFor(topup));
    QCOMPARE(QString::fromStdString(topup.get().code), QStringLiteral("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(findTopLevel<ConfirmationDialog>() == nullptr, kTimeoutMs);
    QCOMPARE(gui->balance(), balance);
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::ConfirmationTest)
