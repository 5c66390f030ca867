#include "ecload_ui_test.hpp"

#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTest>
#include <QWizard>

#include "core/api_types.hpp"
#include "core/error_texts.hpp"
#include "core/money.hpp"
#include "core/topup_controller.hpp"
#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/application_dialog.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/main_window.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui::test {

namespace {

// A ui.request as docs/api.md ("Trusted UI") spells it.
UiRequest ecloadRequest(const QString& origin) {
    QJsonObject params{
        {"id", 7},
        {"kind", "ecload"},
        {"ecload", QJsonObject{{"orderId", "ORD-E"},
                               {"amount", 5000},
                               {"currency", "CNY"},
                               {"card", QJsonObject{{"reader", "Sim Reader 00"},
                                                    {"scheme", "bank-ec"},
                                                    {"pan", "\u20261234"},
                                                    {"application", "PBOC DEBIT"}}}}},
        {"expiresAt", QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate)}};
    if (!origin.isEmpty()) {
        params.insert("origin", origin);
        params.insert("transport", "websocket");
    }
    return uiRequestFromJson(params);
}

UiRequest applicationRequest() {
    const QJsonArray candidates{
        QJsonObject{{"aid", "A000000333010102"}, {"label", "PBOC CREDIT"}, {"priority", 2}},
        QJsonObject{{"aid", "A000000333010106"}, {"label", "PBOC ECASH"}, {"priority", 0}},
        QJsonObject{{"aid", "A000000333010101"}, {"label", "PBOC DEBIT"}, {"priority", 1}}};
    return uiRequestFromJson(
        {{"id", "q-1"},
         {"kind", "application"},
         {"application", QJsonObject{{"orderId", "ORD-E"}, {"candidates", candidates}}},
         {"expiresAt", QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate)}});
}

QString labelText(const QWidget& parent, const char* name) {
    const auto* label = parent.findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

// The bank card of `profile` with ¥10.00 of e-cash on the reader, and a ¥30.00 bank-ec order
// paid by its cardholder's account of ¥100.00; the account's id and the order's.
std::pair<std::string, std::string> bankCardAndOrder(GuiBed& gui, const QString& profile) {
    gui.bed().bed().sim().insert(testbed::kCardSlot, profile.toStdString(),
                                 {{"pan", testbed::kDemoBankPan}, {"balance", 1000}});
    const auto account = gui.bed()
                             .serverCommand({"account", "create", "--holder", "Han Meimei", "--pan",
                                             testbed::kDemoBankPan, "--balance", "100.00"})
                             .at("accountId")
                             .get<std::string>();
    const auto order = gui.bed()
                           .serverCommand({"order", "create", "--amount", "30.00", "--scheme",
                                           "bank-ec", "--account", account})
                           .at("orderId")
                           .get<std::string>();
    return {account, order};
}

// The order page filled in (setText: what the user typed), then the confirm page committed.
void enterOrderAndLoad(TopupWizard& wizard, const QString& order) {
    auto* code = wizard.findChild<QLineEdit*>("orderCode");
    QVERIFY(code != nullptr);
    code->setText(order);
    QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
    QCOMPARE(wizard.currentId(), int{TopupWizard::ConfirmPageId});
    QTest::mouseClick(wizard.button(QWizard::CommitButton), Qt::LeftButton);
    QCOMPARE(wizard.currentId(), int{TopupWizard::ProgressPageId});
}

}  // namespace

void EcloadUiTest::theEcloadDialogAsksInBothLanguages() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    const UiRequest request = ecloadRequest({});
    QVERIFY(request.isEcload());
    {
        ConfirmationDialog dialog(request);
        QCOMPARE(labelText(dialog, "question"), QStringLiteral("Load ¥50.00 onto card …1234?"));
        QCOMPARE(labelText(dialog, "card"), QStringLiteral("Bank card …1234 (PBOC DEBIT)"));
        QCOMPARE(labelText(dialog, "order"), QStringLiteral("ORD-E"));
        QVERIFY(dialog.findChild<QLabel*>("originHost") == nullptr);  // the owner asked
        QVERIFY(dialog.denyButton()->isDefault());
    }
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    {
        ConfirmationDialog dialog(request);
        QCOMPARE(labelText(dialog, "question"), QStringLiteral("圈存 ¥50.00 到卡 …1234？"));
        QCOMPARE(labelText(dialog, "card"), QStringLiteral("银行卡 …1234 (PBOC DEBIT)"));
    }
    QVERIFY(installTranslation(QStringLiteral("en")));
}

void EcloadUiTest::aWebCallersEcloadShowsItsOrigin() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    ConfirmationDialog dialog(ecloadRequest(QStringLiteral("https://shop.example:8444")));
    QCOMPARE(labelText(dialog, "originHost"), QStringLiteral("shop.example:8444"));
    QCOMPARE(labelText(dialog, "question"), QStringLiteral("Load ¥50.00 onto card …1234?"));
    QVERIFY(labelText(dialog, "hint").contains(QStringLiteral("shop.example:8444")));
    QVERIFY(labelText(dialog, "hint").contains(QStringLiteral("EC load")));
}

void EcloadUiTest::theApplicationDialogOffersTheAidsByPriorityAndAnswersWithTheChoice() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    ApplicationDialog dialog(applicationRequest());
    QListWidget* list = dialog.list();
    QCOMPARE(list->count(), 3);
    QCOMPARE(list->item(0)->text(), QStringLiteral("PBOC DEBIT"));   // priority 1
    QCOMPARE(list->item(1)->text(), QStringLiteral("PBOC CREDIT"));  // priority 2
    QCOMPARE(list->item(2)->text(), QStringLiteral("PBOC ECASH"));   // none: last
    QCOMPARE(dialog.chosenAid(), QStringLiteral("A000000333010101"));
    list->setCurrentRow(1);
    QCOMPARE(dialog.chosenAid(), QStringLiteral("A000000333010102"));
    QTest::mouseClick(dialog.chooseButton(), Qt::LeftButton);
    QCOMPARE(dialog.result(), int{QDialog::Accepted});

    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    ApplicationDialog chinese(applicationRequest());
    QVERIFY(chinese.windowTitle() != QStringLiteral("TapLink — choose the card's application"));
    QTest::mouseClick(chinese.denyButton(), Qt::LeftButton);
    QCOMPARE(chinese.result(), int{QDialog::Rejected});
    QVERIFY(installTranslation(QStringLiteral("en")));
}

void EcloadUiTest::theWizardChoosesTheFlowByTheCardAndTheOrder() {
    const QString bank = QStringLiteral("bank-ec");
    const QString city = QStringLiteral("city-epurse");
    QCOMPARE(chooseLoadFlow(bank, {}), std::optional(LoadFlow::Bank));
    QCOMPARE(chooseLoadFlow(city, {}), std::optional(LoadFlow::City));
    QCOMPARE(chooseLoadFlow(bank, bank), std::optional(LoadFlow::Bank));
    QCOMPARE(chooseLoadFlow({}, bank), std::optional(LoadFlow::Bank));  // no card yet
    QCOMPARE(chooseLoadFlow({}, {}), std::optional(LoadFlow::City));
    QCOMPARE(chooseLoadFlow(QStringLiteral("unknown"), {}), std::optional(LoadFlow::City));
    QCOMPARE(chooseLoadFlow(bank, city), std::optional<LoadFlow>());  // wrong_scheme
    QCOMPARE(chooseLoadFlow(city, bank), std::optional<LoadFlow>());
}

void EcloadUiTest::theEcloadErrorsHaveTheirOwnTextsInBothLanguages() {
    const std::array codes{api::ErrorCode::WrongScheme, api::ErrorCode::EcLimitExceeded,
                           api::ErrorCode::CardExpired, api::ErrorCode::NoApplication,
                           api::ErrorCode::PinBlocked};
    QVERIFY(installTranslation(QStringLiteral("en")));
    const QString internal = describeError(api::ErrorCode::Internal).what;
    QStringList english;
    for (const auto code : codes) {
        english.append(describeError(code).what);
        QVERIFY2(english.last() != internal, qPrintable(failureName(code)));
        QVERIFY(!describeError(code).todo.isEmpty());
    }
    QCOMPARE(QSet<QString>(english.begin(), english.end()).size(),
             static_cast<qsizetype>(codes.size()));
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    for (std::size_t i = 0; i < codes.size(); ++i) {
        QVERIFY2(describeError(codes.at(i)).what != english.at(static_cast<qsizetype>(i)),
                 qPrintable(failureName(codes.at(i))));
    }
    QVERIFY(installTranslation(QStringLiteral("en")));
}

// chip_locked (the TSM locked the device's load SAM): its own words, not chip_unavailable's.
void EcloadUiTest::aLockedChipIsExplainedInBothLanguages() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    QCOMPARE(describeError(api::ErrorCode::ChipLocked).what,
             QStringLiteral("This device's secure chip has been locked by its operator. Nothing "
                            "was loaded or charged."));
    QCOMPARE(describeError(api::ErrorCode::ChipLocked).todo,
             QStringLiteral("Contact the operator of this device to have it unlocked."));
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    QCOMPARE(describeError(api::ErrorCode::ChipLocked).what,
             QStringLiteral("本设备的安全芯片已被运营方锁定。没有充值，也没有扣款。"));
    QVERIFY(installTranslation(QStringLiteral("en")));
}

void EcloadUiTest::theWizardLoadsTheEcashInBothSuites_data() {
    QTest::addColumn<QString>("profile");
    QTest::newRow("bank-3des") << QStringLiteral("bank-3des");
    QTest::newRow("bank-sm4") << QStringLiteral("bank-sm4");
}

// 圈存 through the wizard, one bed per suite (a bank card is known by its PAN, and the two
// suites' cards share the demo PAN): the bank flow by the card, the receipt with the EC
// balances and the masked PAN, the card loaded and the account debited once.
void EcloadUiTest::theWizardLoadsTheEcashInBothSuites() {
    QFETCH(QString, profile);
    QVERIFY(installTranslation(QStringLiteral("en")));
    testbed::TopupBedOptions options;
    options.cardProfile = "";
    QString error;
    auto gui = GuiBed::start(options, &error);
    QVERIFY2(gui, qPrintable(error));
    const auto [account, order] = bankCardAndOrder(*gui, profile);
    QVERIFY(gui->bed().bed().waitForCard(testbed::kCardSlot, true));
    MainWindow window(gui->core());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    QCOMPARE(gui->core().card().card()->scheme, QStringLiteral("bank-ec"));

    TopupWizard* wizard = window.openTopupWizard();
    TAPLINK_GUI_STEP(enterOrderAndLoad(*wizard, QString::fromStdString(order)));
    QCOMPARE(wizard->controller().flow(), LoadFlow::Bank);
    QTRY_VERIFY_WITH_TIMEOUT(
        wizard->result().has_value() || !labelText(*wizard, "failureWhat").isEmpty(), kTimeoutMs);
    QVERIFY2(wizard->result().has_value(), qPrintable(labelText(*wizard, "failureWhat")));
    QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int{TopupWizard::ReceiptPageId}, kTimeoutMs);
    QCOMPARE(labelText(*wizard, "receiptAmount"), formatFen(3000));
    QCOMPARE(labelText(*wizard, "receiptBalance"),
             QStringLiteral("%1 → %2").arg(formatFen(1000), formatFen(4000)));
    QVERIFY2(labelText(*wizard, "receiptTac").startsWith(QStringLiteral("…8883")),
             qPrintable(labelText(*wizard, "receiptTac")));
    // The GUI's card watcher reads the card again after the load at the same time: both reads
    // must see the card (EcLoadE2e.ConcurrentCardInfoCallsAllReadTheBankCard).
    const Outcome info = gui->ownerCall("card.info");
    QVERIFY2(info.ok(), (info.code + ": " + info.message).c_str());
    QCOMPARE(info.result.at("ecBalance").get<int>(), 4000);
    const auto accountBalance = [&gui, id = account] {  // a structured binding: captured by copy
        return gui->bed().serverCommand({"account", "show", id}).at("balance").get<int>();
    };
    QTRY_COMPARE_WITH_TIMEOUT(accountBalance(), 7000, kTimeoutMs);  // debited once
    QCOMPARE(gui->bed().serverCommand({"order", "show", order}).at("status").get<std::string>(),
             std::string("settled"));
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::EcloadUiTest)
