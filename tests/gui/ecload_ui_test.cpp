#include "ecload_ui_test.hpp"

#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTest>

#include "core/api_types.hpp"
#include "core/error_texts.hpp"
#include "core/topup_controller.hpp"
#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/application_dialog.hpp"
#include "ui/confirmation_dialog.hpp"

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
                           api::ErrorCode::CardExpired, api::ErrorCode::NoApplication};
    QVERIFY(installTranslation(QStringLiteral("en")));
    const QString internal = describeError(api::ErrorCode::Internal).what;
    QStringList english;
    for (const auto code : codes) {
        english.append(describeError(code).what);
        QVERIFY2(english.last() != internal, qPrintable(failureName(code)));
        QVERIFY(!describeError(code).todo.isEmpty());
    }
    QCOMPARE(QSet<QString>(english.begin(), english.end()).size(), qsizetype{4});
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    for (std::size_t i = 0; i < codes.size(); ++i) {
        QVERIFY2(describeError(codes.at(i)).what != english.at(static_cast<qsizetype>(i)),
                 qPrintable(failureName(codes.at(i))));
    }
    QVERIFY(installTranslation(QStringLiteral("en")));
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::EcloadUiTest)
