#include "card_info_test.hpp"

#include <QLabel>
#include <QPushButton>
#include <QTest>

#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/card_info_dialog.hpp"
#include "ui/main_window.hpp"

namespace taplink::gui::test {

namespace {

constexpr const char* kShop = "https://shop.test";

// The bed with the shop's origin allowed (web.cardInfo "ask", the default), the GUI attached.
struct Fixture {
    std::unique_ptr<GuiBed> gui;
    std::unique_ptr<MainWindow> window;
};

void bringUp(Fixture& fixture) {
    testbed::TopupBedOptions options;
    options.webAllowedOrigins = {kShop};
    QString error;
    fixture.gui = GuiBed::start(options, &error);
    QVERIFY2(fixture.gui, qPrintable(error));
    fixture.window = std::make_unique<MainWindow>(fixture.gui->core());
    fixture.window->show();
    QTRY_VERIFY_WITH_TIMEOUT(fixture.gui->core().trustedUi().attached(), kTimeoutMs);
}

QString labelText(QWidget* dialog, const char* name) {
    auto* label = dialog->findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

// The page's card.info when no dialog may come: answered at once.
Outcome readUnasked(GuiBed& gui) {
    WebCaller page(gui.bed().socketPath(), kShop);
    auto reading = page.callAsync("card.info");
    if (!waitFor(reading)) {
        Outcome none;
        none.code = "no answer";
        return none;
    }
    return reading.get();
}

}  // namespace

void CardInfoTest::cleanup() {
    installTranslation(QStringLiteral("en"));
}

void CardInfoTest::allowLetsThePageReadTheCardAndIsAskedOnce() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    Fixture fixture;
    TAPLINK_GUI_STEP(bringUp(fixture));
    GuiBed* gui = fixture.gui.get();
    WebCaller page(gui->bed().socketPath(), kShop);
    auto reading = page.callAsync("card.info");

    CardInfoDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<CardInfoDialog>()) != nullptr, kTimeoutMs);
    QCOMPARE(dialog->windowTitle(), QStringLiteral("TapLink — show your card to a website?"));
    QCOMPARE(labelText(dialog, "originHost"), QStringLiteral("shop.test"));
    const QString question = labelText(dialog, "question");
    QVERIFY2(question.startsWith(QLatin1String("shop.test wants to read the card on TapLink Sim")),
             qPrintable(question));
    QVERIFY(question.contains(QLatin1String("balance")));
    QVERIFY(dialog->denyButton()->isDefault());
    QTest::mouseClick(dialog->allowButton(), Qt::LeftButton);
    QVERIFY(waitFor(reading));
    const Outcome read = reading.get();
    QVERIFY2(read.ok(), read.message.c_str());
    QCOMPARE(read.result.at("balance").get<std::int64_t>(), gui->balance());
    QTRY_VERIFY(findTopLevel<CardInfoDialog>() == nullptr);

    const Outcome again = readUnasked(*gui);
    QVERIFY2(again.ok(), again.message.c_str());
    QVERIFY(findTopLevel<CardInfoDialog>() == nullptr);
}

void CardInfoTest::denyInChineseHoldsForTheOrigin() {
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    Fixture fixture;
    TAPLINK_GUI_STEP(bringUp(fixture));
    GuiBed* gui = fixture.gui.get();
    WebCaller page(gui->bed().socketPath(), kShop);
    auto reading = page.callAsync("card.info");

    CardInfoDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<CardInfoDialog>()) != nullptr, kTimeoutMs);
    QCOMPARE(dialog->windowTitle(), QStringLiteral("TapLink — 向网站显示您的卡片吗？"));
    const QString question = labelText(dialog, "question");
    QVERIFY2(question.startsWith(QStringLiteral("shop.test 想读取 TapLink Sim")),
             qPrintable(question));
    QCOMPARE(dialog->denyButton()->text(), QStringLiteral("拒绝(&D)"));
    QTest::keyClick(dialog, Qt::Key_Return);  // the default: Deny
    QVERIFY(waitFor(reading));
    QCOMPARE(QString::fromStdString(reading.get().code), QStringLiteral("user_denied"));
    QTRY_VERIFY(findTopLevel<CardInfoDialog>() == nullptr);

    QCOMPARE(QString::fromStdString(readUnasked(*gui).code), QStringLiteral("user_denied"));
    QVERIFY(findTopLevel<CardInfoDialog>() == nullptr);
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::CardInfoTest)
