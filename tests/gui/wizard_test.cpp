#include "wizard_test.hpp"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QWizard>

#include "core/error_texts.hpp"
#include "core/money.hpp"
#include "core/topup_controller.hpp"
#include "gui_test_support.hpp"
#include "ui/main_window.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui::test {

namespace {

QString text(QWidget* parent, const char* name) {
    auto* label = parent->findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

void typeOrderAndTopUp(TopupWizard* wizard, const QString& order) {
    auto* code = wizard->findChild<QLineEdit*>("orderCode");
    QVERIFY(code != nullptr);
    code->setFocus();
    QTest::keyClicks(code, order);
    QVERIFY(wizard->button(QWizard::NextButton)->isEnabled());
    QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    QCOMPARE(wizard->currentId(), int{TopupWizard::ConfirmPageId});
    QCOMPARE(text(wizard, "confirmOrder"), order);
    // The confirm page commits: its button is "Top up".
    QTest::mouseClick(wizard->button(QWizard::CommitButton), Qt::LeftButton);
    QCOMPARE(wizard->currentId(), int{TopupWizard::ProgressPageId});
}

}  // namespace

void WizardTest::theWizardTopsUpTheVirtualCard() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    const std::int64_t before = gui->balance();
    QVERIFY(before >= 0);
    const std::string order = gui->bed().createOrder("20.00");

    TopupWizard* wizard = window.openTopupWizard();
    TAPLINK_GUI_STEP(typeOrderAndTopUp(wizard, QString::fromStdString(order)));
    QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int{TopupWizard::ReceiptPageId}, kTimeoutMs);

    QCOMPARE(text(wizard, "receiptAmount"), formatFen(2000));
    QCOMPARE(text(wizard, "receiptOrder"), QString::fromStdString(order));
    QCOMPARE(text(wizard, "receiptBalance"),
             QStringLiteral("%1 → %2").arg(formatFen(before), formatFen(before + 2000)));
    QCOMPARE(gui->balance(), before + 2000);
    QCOMPARE(gui->bed().serverCommand({"order", "show", order}).at("status").get<std::string>(),
             std::string("settled"));
    QCOMPARE(gui->bed().settledTotal(kCitySerial), std::uint64_t{2000});
    // The main window shows the new balance and the load in the card's history.
    QTRY_COMPARE_WITH_TIMEOUT(text(&window, "cardBalance"), formatFen(before + 2000), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!gui->core().history().records().isEmpty(), kTimeoutMs);
    QCOMPARE(gui->core().history().records().first().amount, qint64{2000});
    QCOMPARE(gui->core().history().records().first().type, QStringLiteral("load"));
    QTest::mouseClick(wizard->button(QWizard::FinishButton), Qt::LeftButton);
    QTRY_VERIFY(window.topupWizard() == nullptr);
}

// 圈存: a bank card on the reader, a bank-ec order paid by its cardholder's account; the wizard
// takes the bank flow by the card and the receipt shows the EC balance and the masked PAN.
void WizardTest::theWizardLoadsABankCardsEcash() {
    testbed::TopupBedOptions options;
    options.cardProfile = "";
    QString error;
    auto gui = GuiBed::start(options, &error);
    QVERIFY2(gui, qPrintable(error));
    gui->bed().bed().sim().insert(testbed::kCardSlot, "bank-3des",
                                  {{"pan", testbed::kDemoBankPan}, {"balance", 1000}});
    QVERIFY(gui->bed().bed().waitForCard(testbed::kCardSlot, true));
    MainWindow window(gui->core());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    QCOMPARE(gui->core().card().card()->scheme, QStringLiteral("bank-ec"));
    const auto account = gui->bed()
                             .serverCommand({"account", "create", "--holder", "Li Lei", "--pan",
                                             testbed::kDemoBankPan, "--balance", "100.00"})
                             .at("accountId")
                             .get<std::string>();
    const auto order = gui->bed()
                           .serverCommand({"order", "create", "--amount", "30.00", "--scheme",
                                           "bank-ec", "--account", account})
                           .at("orderId")
                           .get<std::string>();

    TopupWizard* wizard = window.openTopupWizard();
    TAPLINK_GUI_STEP(typeOrderAndTopUp(wizard, QString::fromStdString(order)));
    QCOMPARE(wizard->controller().flow(), LoadFlow::Bank);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->result().has_value() || !text(wizard, "failureWhat").isEmpty(),
                             kTimeoutMs);
    QVERIFY2(wizard->result().has_value(), qPrintable(text(wizard, "failureWhat")));
    QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int{TopupWizard::ReceiptPageId}, kTimeoutMs);
    QCOMPARE(text(wizard, "receiptAmount"), formatFen(3000));
    QCOMPARE(text(wizard, "receiptBalance"),
             QStringLiteral("%1 → %2").arg(formatFen(1000), formatFen(4000)));
    QVERIFY2(text(wizard, "receiptTac").startsWith(QStringLiteral("…8883")),
             qPrintable(text(wizard, "receiptTac")));
    // The account paid it, once (the server may still be settling it).
    const auto accountBalance = [&gui, &account] {
        return gui->bed().serverCommand({"account", "show", account}).at("balance").get<int>();
    };
    QTRY_COMPARE_WITH_TIMEOUT(accountBalance(), 7000, kTimeoutMs);
}

void WizardTest::anUnknownOrderIsExplainedInPlainWords() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().connection().isConnected(), kTimeoutMs);
    const std::int64_t before = gui->balance();

    TopupWizard* wizard = window.openTopupWizard();
    TAPLINK_GUI_STEP(typeOrderAndTopUp(wizard, QStringLiteral("ORD-NOSUCHORDER")));
    auto* failure = wizard->findChild<QWidget*>("failure");
    QTRY_VERIFY_WITH_TIMEOUT(failure->isVisible(), kTimeoutMs);
    const ErrorText expected = describeError(api::ErrorCode::OrderNotFound);
    QCOMPARE(text(wizard, "failureWhat"), expected.what);
    QCOMPARE(text(wizard, "failureTodo"), expected.todo);
    QCOMPARE(wizard->currentId(), int{TopupWizard::ProgressPageId});
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
    QCOMPARE(gui->balance(), before);

    // "Use another order" goes back to the start with the code to correct.
    QTest::mouseClick(wizard->findChild<QPushButton*>("otherOrderButton"), Qt::LeftButton);
    QCOMPARE(wizard->currentId(), int{TopupWizard::OrderPageId});
    QCOMPARE(wizard->findChild<QLineEdit*>("orderCode")->text(), QStringLiteral("ORD-NOSUCHORDER"));
}

void WizardTest::aDemoShopAmountMakesTheOrderAndTopsItUp() {
    testbed::TopupBedOptions options;
    options.merchant = true;
    QString error;
    auto gui = GuiBed::start(options, &error);
    QVERIFY2(gui, qPrintable(error));
    AppSettings settings;
    settings.demoMerchantUrl = QUrl(QString::fromStdString(gui->bed().merchantUrl()));
    settings.demoMerchantCa = QString::fromStdString(gui->bed().pkiDir() + "/root-ca.crt");
    settings.save();
    MainWindow window(gui->core());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    const std::int64_t before = gui->balance();

    TopupWizard* wizard = window.openTopupWizard();
    auto* fifty = wizard->findChild<QPushButton*>("amount-5000");
    QVERIFY(fifty != nullptr);
    QTest::mouseClick(fifty, Qt::LeftButton);
    // The shop made the order; the wizard goes on with its code and amount.
    QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int{TopupWizard::ConfirmPageId}, kTimeoutMs);
    QCOMPARE(text(wizard, "confirmAmount"), formatFen(5000));
    QVERIFY(text(wizard, "confirmOrder").startsWith(QStringLiteral("ORD-")));
    QTest::mouseClick(wizard->button(QWizard::CommitButton), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int{TopupWizard::ReceiptPageId}, kTimeoutMs);
    QCOMPARE(text(wizard, "receiptAmount"), formatFen(5000));
    QCOMPARE(gui->balance(), before + 5000);
    QCOMPARE(gui->bed().settledTotal(kCitySerial), std::uint64_t{5000});
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::WizardTest)
