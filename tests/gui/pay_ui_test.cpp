#include "pay_ui_test.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTest>
#include <future>
#include <memory>
#include <string>

#include "core/daemon_connection.hpp"
#include "core/trusted_ui_broker.hpp"
#include "fake_taplinkd.hpp"
#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/pin_dialog.hpp"
#include "ui/trusted_ui_presenter.hpp"

namespace taplink::gui::test {

namespace {

// MerchantSettings::merchantName's default (the purchase contract).
QString merchant() {
    return QStringLiteral("TapLink 演示商店 Demo Shop");
}

QString expiresAt() {
    return QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate);
}

// ui.request kind "pay" as taplinkd sends it (docs/api.md "Trusted UI", the EC load's
// envelope: the question under the member named after the kind).
QJsonObject payParams(const QString& id) {
    const QJsonObject card{{"reader", "Sim Reader 00"},
                           {"scheme", "bank-purchase"},
                           {"pan", "\u20261234"},
                           {"application", "PBOC DEBIT"}};
    return {{"id", id},
            {"kind", "pay"},
            {"origin", "https://shop.example:8444"},
            {"transport", "websocket"},
            {"pay", QJsonObject{{"orderId", "ORD-P"},
                                {"amount", 5000},
                                {"currency", "CNY"},
                                {"merchant", merchant()},
                                {"card", card}}},
            {"expiresAt", expiresAt()}};
}

// ui.request kind "pin" for an owner's purchase (no origin).
QJsonObject pinParams(const QString& id) {
    return {{"id", id},
            {"kind", "pin"},
            {"origin", ""},
            {"transport", "unix"},
            {"pin", QJsonObject{{"orderId", "ORD-P"},
                                {"amount", 5000},
                                {"currency", "CNY"},
                                {"merchant", merchant()},
                                {"pan", "\u20261234"}}},
            {"expiresAt", expiresAt()}};
}

QString labelText(const QWidget& parent, const char* name) {
    const auto* label = parent.findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

// taplinkd's end of the socket for the two purchase questions, which the real taplinkd asks
// only in the middle of a purchase on a bank card: answers ui.attach with the questions given
// as pending and takes each ui.respond (its params, as they came over the wire). The GUI side
// under test is the real one: DaemonConnection, TrustedUiBroker, TrustedUiPresenter and the
// dialogs.
class TaplinkdSocket : public FakeTaplinkd {
  public:
    explicit TaplinkdSocket(const QJsonArray& pending) {
        answer("ui.attach", QJsonObject{{"attached", true}, {"pending", pending}});
        answer("ui.respond", [](const QJsonObject& params) {
            return FakeAnswer{{{"id", params.value("id")}, {"accepted", true}}, {}};
        });
    }

    QList<QJsonObject> responses() const { return calls("ui.respond"); }
};

// The GUI's trusted UI on a socket: the connection, the broker, the dialogs.
struct TrustedUi {
    explicit TrustedUi(const QString& socketPath)
        : connection(socketPath), broker(connection), presenter(broker) {
        connection.start();
    }

    DaemonConnection connection;
    TrustedUiBroker broker;
    TrustedUiPresenter presenter;
};

// Lets the event loop run a while: for checking that nothing was sent.
void settle() {
    constexpr int kSettleMs = 300;
    QTest::qWait(kSettleMs);
}

}  // namespace

void PayUiTest::cleanup() {
    installTranslation(QStringLiteral("en"));
}

void PayUiTest::thePayDialogShowsMerchantAmountAndCardInBothLanguages() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    const UiRequest request = uiRequestFromJson(payParams(QStringLiteral("u8")));
    QVERIFY(request.isPay());
    {
        ConfirmationDialog dialog(request);
        QCOMPARE(labelText(dialog, "question"),
                 QStringLiteral("Pay ¥50.00 to TapLink 演示商店 Demo Shop with card …1234?"));
        QCOMPARE(labelText(dialog, "amount"), QStringLiteral("¥50.00"));
        QCOMPARE(labelText(dialog, "merchant"), merchant());
        QCOMPARE(labelText(dialog, "card"), QStringLiteral("Bank card …1234 (PBOC DEBIT)"));
        QCOMPARE(labelText(dialog, "reader"), QStringLiteral("Sim Reader 00"));
        QCOMPARE(labelText(dialog, "order"), QStringLiteral("ORD-P"));
        QCOMPARE(labelText(dialog, "originHost"), QStringLiteral("shop.example:8444"));
        QVERIFY(labelText(dialog, "hint").contains(QStringLiteral("shop.example:8444")));
        QCOMPARE(dialog.windowTitle(), QStringLiteral("TapLink — confirm a payment"));
        QVERIFY(dialog.denyButton()->isDefault());
        QVERIFY(!dialog.allowButton()->isDefault());
    }
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    ConfirmationDialog dialog(request);
    QCOMPARE(labelText(dialog, "question"),
             QStringLiteral("用卡 …1234 向 TapLink 演示商店 Demo Shop 支付 ¥50.00？"));
    QCOMPARE(labelText(dialog, "card"), QStringLiteral("银行卡 …1234 (PBOC DEBIT)"));
    QCOMPARE(dialog.windowTitle(), QStringLiteral("TapLink — 确认支付"));
}

// Enter denies (the default); Allow answers "allow" with no choice.
void PayUiTest::aWebPurchaseIsAllowedThroughTheTrustedUi() {
    TaplinkdSocket taplinkd({payParams(QStringLiteral("u8")), payParams(QStringLiteral("u9"))});
    TrustedUi ui(taplinkd.path());
    QTRY_COMPARE_WITH_TIMEOUT(ui.presenter.dialogs().size(), qsizetype{2}, kTimeoutMs);
    auto* first = qobject_cast<ConfirmationDialog*>(ui.presenter.dialogs().at(0));
    auto* second = qobject_cast<ConfirmationDialog*>(ui.presenter.dialogs().at(1));
    QVERIFY(first != nullptr && second != nullptr);
    QTest::keyClick(first->requestId() == QLatin1String("u8") ? first : second, Qt::Key_Return);
    QTest::mouseClick((first->requestId() == QLatin1String("u9") ? first : second)->allowButton(),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.responses().size(), qsizetype{2}, kTimeoutMs);
    QCOMPARE(taplinkd.responses().at(0), (QJsonObject{{"id", "u8"}, {"decision", "deny"}}));
    QCOMPARE(taplinkd.responses().at(1), (QJsonObject{{"id", "u9"}, {"decision", "allow"}}));
    QTRY_VERIFY(ui.presenter.dialogs().isEmpty());
}

void PayUiTest::thePinFieldHidesTheDigitsAndTakesOnly4To12() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    PinDialog dialog(uiRequestFromJson(pinParams(QStringLiteral("u9"))));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QLineEdit* field = dialog.pinField();
    QCOMPARE(field->echoMode(), QLineEdit::Password);
    QCOMPARE(dialog.focusWidget(), static_cast<QWidget*>(field));
    QCOMPARE(labelText(dialog, "amount"), QStringLiteral("¥50.00"));
    QCOMPARE(labelText(dialog, "merchant"), merchant());
    QCOMPARE(labelText(dialog, "card"), QStringLiteral("Bank card …1234"));
    QCOMPARE(labelText(dialog, "question"),
             QStringLiteral("Enter the card's PIN to pay ¥50.00 to TapLink 演示商店 Demo Shop."));
    QVERIFY(dialog.findChild<QLabel*>("originHost") == nullptr);  // the owner's purchase
    QVERIFY(dialog.findChild<QLabel*>("triesLeft") == nullptr);   // no wrong PIN before
    QVERIFY(!field->accessibleName().isEmpty());

    // Letters and other scripts' digits never get in; three digits cannot be sent.
    QTest::keyClicks(field, QStringLiteral("1a2-3 "));
    QTest::sendKeyEvent(QTest::Click, field, Qt::Key_unknown, QStringLiteral("４"), Qt::NoModifier);
    QCOMPARE(field->text(), QStringLiteral("123"));
    QVERIFY(!field->displayText().contains(QLatin1Char('1')));
    QVERIFY(!dialog.payButton()->isEnabled());
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.takePin().isEmpty());
    dialog.accept();  // not even when asked directly
    QVERIFY(dialog.isVisible());
    field->setText(QStringLiteral("12a4"));  // past the validator: still refused
    QVERIFY(!dialog.payButton()->isEnabled());
    dialog.accept();
    QVERIFY(dialog.isVisible());

    field->clear();
    QTest::keyClicks(field, QStringLiteral("1234567890123"));
    QCOMPARE(field->text(), QStringLiteral("123456789012"));  // at most 12
    QVERIFY(dialog.payButton()->isEnabled());
    QVERIFY(dialog.payButton()->isDefault());
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(dialog.result(), int{QDialog::Accepted});
    QVERIFY(field->text().isEmpty());  // taken out of the field
    QCOMPARE(dialog.takePin(), QByteArray("123456789012"));
    QVERIFY(dialog.takePin().isEmpty());  // handed over once
}

void PayUiTest::thePinDialogIsTranslated() {
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    PinDialog dialog(uiRequestFromJson(pinParams(QStringLiteral("u9"))));
    QCOMPARE(labelText(dialog, "question"),
             QStringLiteral("请输入银行卡密码，向 TapLink 演示商店 Demo Shop 支付 ¥50.00。"));
    QCOMPARE(labelText(dialog, "card"), QStringLiteral("银行卡 …1234"));
    QCOMPARE(dialog.payButton()->text(), QStringLiteral("支付(&P)"));
    QCOMPARE(dialog.pinField()->accessibleName(), QStringLiteral("银行卡密码"));
    QVERIFY(dialog.windowTitle() != QStringLiteral("TapLink — enter the card's PIN"));

    // After a wrong PIN for this order, taplinkd says how many tries the issuer left.
    QJsonObject again = pinParams(QStringLiteral("u10"));
    QJsonObject question = again.value("pin").toObject();
    question.insert("pinTriesLeft", 2);
    again.insert("pin", question);
    PinDialog chinese(uiRequestFromJson(again));
    QCOMPARE(labelText(chinese, "triesLeft"), QStringLiteral("密码错误。还可尝试 2 次。"));
    QVERIFY(installTranslation(QStringLiteral("en")));
    PinDialog english(uiRequestFromJson(again));
    QCOMPARE(labelText(english, "triesLeft"), QStringLiteral("The PIN was wrong. 2 tries left."));
}

// The digits typed, exactly, as ui.respond's choice; an incomplete PIN sends nothing.
void PayUiTest::theTypedPinGoesToTaplinkdAsTheChoiceAndLeavesTheField() {
    TaplinkdSocket taplinkd({pinParams(QStringLiteral("u9"))});
    TrustedUi ui(taplinkd.path());
    PinDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<PinDialog>()) != nullptr, kTimeoutMs);
    const QPointer<QLineEdit> field = dialog->pinField();
    QTest::keyClicks(field, QStringLiteral("042"));
    QTest::keyClick(field, Qt::Key_Return);
    settle();
    QVERIFY(taplinkd.responses().isEmpty());
    QVERIFY(findTopLevel<PinDialog>() == dialog);

    QTest::keyClicks(field, QStringLiteral("917"));
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(field.isNull() || field->text().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.responses().size(), qsizetype{1}, kTimeoutMs);
    QCOMPARE(taplinkd.responses().at(0),
             (QJsonObject{{"id", "u9"}, {"decision", "allow"}, {"choice", "042917"}}));
    QTRY_VERIFY(findTopLevel<PinDialog>() == nullptr);
    QVERIFY(ui.broker.openRequests().isEmpty());
}

void PayUiTest::cancellingThePinDialogDeniesWithoutDigits() {
    TaplinkdSocket taplinkd({pinParams(QStringLiteral("u9"))});
    TrustedUi ui(taplinkd.path());
    PinDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<PinDialog>()) != nullptr, kTimeoutMs);
    const QPointer<QLineEdit> field = dialog->pinField();
    QTest::keyClicks(field, QStringLiteral("2468"));
    QTest::keyClick(dialog, Qt::Key_Escape);
    QVERIFY(field.isNull() || field->text().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.responses().size(), qsizetype{1}, kTimeoutMs);
    QCOMPARE(taplinkd.responses().at(0), (QJsonObject{{"id", "u9"}, {"decision", "deny"}}));
}

// ui.request.closed (taplinkd timed out, the caller left): the dialog goes, unanswered, and
// takes the half-typed PIN with it.
void PayUiTest::thePinDialogClosesWhenTaplinkdWithdrawsTheQuestion() {
    TaplinkdSocket taplinkd({pinParams(QStringLiteral("u9"))});
    TrustedUi ui(taplinkd.path());
    PinDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findTopLevel<PinDialog>()) != nullptr, kTimeoutMs);
    const QPointer<QLineEdit> field = dialog->pinField();
    QTest::keyClicks(field, QStringLiteral("1357"));
    taplinkd.notify(QStringLiteral("ui.request.closed"), {{"id", "u9"}, {"reason", "timeout"}});
    QTRY_VERIFY_WITH_TIMEOUT(findTopLevel<PinDialog>() == nullptr, kTimeoutMs);
    QVERIFY(field.isNull() || field->text().isEmpty());
    settle();
    QVERIFY(taplinkd.responses().isEmpty());
}

// Whatever reaches answerPin, only 4..12 ASCII digits leave the GUI.
void PayUiTest::theBrokerNeverSendsAPinThatIsNot4To12Digits() {
    const QList<QByteArray> refused{"123", "12a4", "1234567890123",
                                    QStringLiteral("１２３４").toUtf8()};
    QJsonArray pending;
    for (int i = 0; i <= refused.size(); ++i) {
        pending.append(pinParams(QStringLiteral("u%1").arg(i)));
    }
    TaplinkdSocket taplinkd(pending);
    DaemonConnection connection(taplinkd.path());
    TrustedUiBroker broker(connection);
    connection.start();
    QTRY_COMPARE_WITH_TIMEOUT(broker.openRequests().size(), refused.size() + 1, kTimeoutMs);
    for (int i = 0; i < refused.size(); ++i) {
        broker.answerPin(QStringLiteral("u%1").arg(i), QByteArray(refused.at(i)));
    }
    broker.answerPin(QStringLiteral("u%1").arg(refused.size()), QByteArray("0000"));
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.responses().size(), refused.size() + 1, kTimeoutMs);
    for (int i = 0; i < refused.size(); ++i) {
        QCOMPARE(taplinkd.responses().at(i),
                 (QJsonObject{{"id", QStringLiteral("u%1").arg(i)}, {"decision", "deny"}}));
    }
    QCOMPARE(taplinkd.responses().last(),
             (QJsonObject{{"id", QStringLiteral("u%1").arg(refused.size())},
                          {"decision", "allow"},
                          {"choice", "0000"}}));
}

namespace {

constexpr const char* kShop = "https://shop.test";
constexpr const char* kAccountPin = "2580";

// The bed with a page's ¥500.00 purchase under way: the demo bank card on the reader, its
// cardholder's account (¥1000.00, PIN 2580), the chip's payment applet personalised by the
// TSM (CVM limit ¥300.00, so the card's online PIN is asked), the GUI's trusted UI attached;
// the page's pay.start has been allowed in the "pay" dialog and the PIN dialog is open.
struct PurchaseFixture {
    std::unique_ptr<GuiBed> gui;
    std::unique_ptr<TrustedUiPresenter> presenter;
    std::string account;
    std::future<Outcome> pay;
    PinDialog* pin = nullptr;

    int accountBalance() const {
        return gui->bed().serverCommand({"account", "show", account}).at("balance").get<int>();
    }
};

void prepareBed(PurchaseFixture& fixture) {
    testbed::TopupBedOptions options;
    options.cardProfile = "";
    options.webAllowedOrigins = {kShop};
    options.webConfirmation = "ask";
    QString error;
    fixture.gui = GuiBed::start(options, &error);
    QVERIFY2(fixture.gui, qPrintable(error));
    testbed::TopupBed& bed = fixture.gui->bed();
    bed.bed().sim().insert(testbed::kCardSlot, "bank-3des",
                           {{"pan", testbed::kDemoBankPan}, {"balance", 1000}});
    fixture.account =
        bed.serverCommand({"account", "create", "--holder", "Han Meimei", "--pan",
                           testbed::kDemoBankPan, "--balance", "1000.00", "--pin", kAccountPin})
            .at("accountId")
            .get<std::string>();
    bed.serverCommand({"tsm", "personalise", "--chip-serial", "544C434800000001",
                       "--per-transaction", "1000.00", "--daily", "5000.00", "--cvm", "300.00",
                       "--aid", "A000000333010101"});
    const Outcome sync = fixture.gui->ownerCall("chip.sync");
    QVERIFY2(sync.ok(), sync.message.c_str());
    QVERIFY(bed.bed().waitForCard(testbed::kCardSlot, true));
}

void startPurchase(PurchaseFixture& fixture) {
    TAPLINK_GUI_STEP(prepareBed(fixture));
    testbed::TopupBed& bed = fixture.gui->bed();
    const auto order = bed.serverCommand({"order", "create", "--amount", "500.00", "--scheme",
                                          "bank-purchase", "--merchant", merchant().toStdString()})
                           .at("orderId")
                           .get<std::string>();
    fixture.presenter = std::make_unique<TrustedUiPresenter>(fixture.gui->core().trustedUi());
    QTRY_VERIFY_WITH_TIMEOUT(fixture.gui->core().trustedUi().attached(), kTimeoutMs);
    WebCaller page(bed.socketPath(), kShop);
    fixture.pay = page.callAsync("pay.start", {{"orderId", order}});
    ConfirmationDialog* confirm = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((confirm = findTopLevel<ConfirmationDialog>()) != nullptr, kTimeoutMs);
    QCOMPARE(labelText(*confirm, "question"),
             QStringLiteral("Pay ¥500.00 to %1 with card …8883?").arg(merchant()));
    QTest::mouseClick(confirm->allowButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT((fixture.pin = findTopLevel<PinDialog>()) != nullptr, kTimeoutMs);
    QCOMPARE(labelText(*fixture.pin, "amount"), QStringLiteral("¥500.00"));
    QCOMPARE(labelText(*fixture.pin, "merchant"), merchant());
    QCOMPARE(labelText(*fixture.pin, "card"), QStringLiteral("Bank card …8883"));
}

}  // namespace

// The PIN typed reaches the issuer: the purchase is approved and the account (whose PIN it
// is) debited once. (A wrong PIN fails it with wrong_pin, so the digits really went through.)
void PayUiTest::aPagesPurchaseIsConfirmedAndPaidWithThePinTyped() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    PurchaseFixture fixture;
    TAPLINK_GUI_STEP(startPurchase(fixture));
    QTest::keyClicks(fixture.pin->pinField(), QString::fromLatin1(kAccountPin));
    QTest::keyClick(fixture.pin->pinField(), Qt::Key_Return);

    QVERIFY(waitFor(fixture.pay));
    const Outcome paid = fixture.pay.get();
    QVERIFY2(paid.ok(), (paid.code + ": " + paid.message).c_str());
    QCOMPARE(paid.result.at("status").get<std::string>(), std::string("approved"));
    QCOMPARE(paid.result.at("amount").get<std::int64_t>(), std::int64_t{50000});
    QCOMPARE(QString::fromStdString(paid.result.at("merchant").get<std::string>()), merchant());
    QCOMPARE(paid.result.at("card").at("pan").get<std::string>(), std::string("\u20268883"));
    QTRY_COMPARE_WITH_TIMEOUT(fixture.accountBalance(), 50000, kTimeoutMs);  // once
    QVERIFY(findTopLevel<PinDialog>() == nullptr);
}

// Cancel in the PIN dialog: the page's call is user_denied and nothing is charged.
void PayUiTest::cancellingAtThePinChargesNothing() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    PurchaseFixture fixture;
    TAPLINK_GUI_STEP(startPurchase(fixture));
    QTest::keyClicks(fixture.pin->pinField(), QString::fromLatin1(kAccountPin));
    QTest::mouseClick(fixture.pin->denyButton(), Qt::LeftButton);

    QVERIFY(waitFor(fixture.pay));
    const Outcome denied = fixture.pay.get();
    QCOMPARE(QString::fromStdString(denied.code), QStringLiteral("user_denied"));
    QTest::qWait(500);  // anything that would still reach the server
    QCOMPARE(fixture.accountBalance(), 100000);
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::PayUiTest)
