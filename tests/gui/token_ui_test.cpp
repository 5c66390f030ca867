#include "token_ui_test.hpp"

#include <QFontDatabase>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <array>

#include "core/app_core.hpp"
#include "core/daemon_connection.hpp"
#include "core/error_texts.hpp"
#include "fake_taplinkd.hpp"
#include "gui_test_support.hpp"
#include "payment_applet.hpp"
#include "ui/application.hpp"
#include "ui/main_window.hpp"
#include "ui/token_dialog.hpp"

namespace taplink::gui::test {

namespace {

constexpr QLatin1String kGenerate("token.generate");

// docs/api.md's example answer (the CLI's "code 40217735 (counter 3)").
QJsonObject tokenAnswer() {
    return {{"code", "40217735"}, {"counter", 3}};
}

QString labelText(const QWidget& parent, const char* name) {
    const auto* label = parent.findChild<QLabel*>(name);
    return label == nullptr ? QStringLiteral("<no label>") : label->text();
}

// The dialog on its own connection to the fake taplinkd.
struct TokenUi {
    explicit TokenUi(const QString& socketPath) : connection(socketPath), dialog(connection) {
        connection.start();
        dialog.show();
    }

    void type(const QString& text) {
        dialog.challengeField()->clear();
        QTest::keyClicks(dialog.challengeField(), text);
    }

    DaemonConnection connection;
    TokenDialog dialog;
};

// Lets the event loop run a while: for checking that nothing was sent.
void settle() {
    constexpr int kSettleMs = 300;
    QTest::qWait(kSettleMs);
}

// What a window with a bank card on the reader and an operational payment applet asks on
// (re)connect, answered as taplinkd would.
void answerTheStartupCalls(FakeTaplinkd& taplinkd) {
    taplinkd.answer("events.subscribe", QJsonObject{{"subscribed", true}});
    const QJsonObject card{{"scheme", "bank-ec"}, {"maskedSerial", "\u20261234"}};
    taplinkd.answer("readers.list",
                    QJsonObject{{"readers", QJsonArray{QJsonObject{{"name", "Sim Reader 00"},
                                                                   {"role", "card"},
                                                                   {"state", "present"},
                                                                   {"card", card}},
                                                       QJsonObject{{"name", "Sim Chip 00"},
                                                                   {"role", "chip"},
                                                                   {"state", "present"},
                                                                   {"card", QJsonValue()}}}}});
    const QJsonObject payment{{"applet", "payment"},
                              {"lifecycle", "operational"},
                              {"parametersVersion", 1},
                              {"keys", true}};
    taplinkd.answer("chip.status", QJsonObject{{"applets", QJsonArray{payment}}});
    taplinkd.answer("ui.attach", QJsonObject{{"attached", true}, {"pending", QJsonArray()}});
    taplinkd.answer("card.history", QJsonObject{{"records", QJsonArray()}});
}

}  // namespace

void TokenUiTest::cleanup() {
    installTranslation(QStringLiteral("en"));
}

void TokenUiTest::generateWaitsForExactlyEightDigits() {
    FakeTaplinkd taplinkd;
    taplinkd.answer(kGenerate, tokenAnswer());
    TokenUi ui(taplinkd.path());
    QPushButton* generate = ui.dialog.generateButton();
    QVERIFY(!generate->isEnabled());
    ui.type(QStringLiteral("1234567"));
    QVERIFY(!generate->isEnabled());
    QTest::keyClick(ui.dialog.challengeField(), Qt::Key_Return);  // Enter on 7 digits: nothing
    ui.type(QStringLiteral("12ab34-5"));  // letters, signs and a fullwidth digit never get in
    QTest::sendKeyEvent(QTest::Press, ui.dialog.challengeField(), Qt::Key_unknown,
                        QStringLiteral("６"), Qt::NoModifier);
    QTest::keyClicks(ui.dialog.challengeField(), QStringLiteral("78"));
    QCOMPARE(ui.dialog.challengeField()->text(), QStringLiteral("1234578"));
    QVERIFY(!generate->isEnabled());
    ui.type(QStringLiteral("123456789"));  // a 9th digit does not fit
    QCOMPARE(ui.dialog.challengeField()->text(), QStringLiteral("12345678"));
    QVERIFY(generate->isEnabled());
    QTest::keyClick(ui.dialog.challengeField(), Qt::Key_Backspace);
    QVERIFY(!generate->isEnabled());
    settle();
    QVERIFY(taplinkd.calls(kGenerate).isEmpty());
    QVERIFY(!TokenGenerator::isChallenge(QStringLiteral("1234567")));
    QVERIFY(!TokenGenerator::isChallenge(QStringLiteral("1234567８")));
    QVERIFY(TokenGenerator::isChallenge(QStringLiteral("00000042")));
}

void TokenUiTest::onePressIsOneCallAndShowsTheCodeAndCounter() {
    FakeTaplinkd taplinkd;
    taplinkd.answer(kGenerate, tokenAnswer());
    TokenUi ui(taplinkd.path());
    ui.type(QStringLiteral("12345678"));
    QTest::mouseClick(ui.dialog.generateButton(), Qt::LeftButton);
    // The answer comes later (never from inside the call): until then, no second press.
    QVERIFY(!ui.dialog.generateButton()->isEnabled());
    QTest::mouseClick(ui.dialog.generateButton(), Qt::LeftButton);
    QTest::keyClick(ui.dialog.challengeField(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(labelText(ui.dialog, "code"), QStringLiteral("40217735"), kTimeoutMs);
    QCOMPARE(labelText(ui.dialog, "counter"), QStringLiteral("counter 3"));
    QVERIFY(labelText(ui.dialog, "error").isEmpty());
    QVERIFY(ui.dialog.generateButton()->isEnabled());
    settle();
    const QList<QJsonObject> calls{QJsonObject{{"challenge", "12345678"}}};
    QCOMPARE(taplinkd.calls(kGenerate), calls);

    const QFont font = ui.dialog.findChild<QLabel*>("code")->font();
    QCOMPARE(font.family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    QVERIFY(font.pointSizeF() >= 2 * ui.dialog.challengeField()->font().pointSizeF());

    QTest::mouseClick(ui.dialog.generateButton(), Qt::LeftButton);  // a second press: a new call
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.calls(kGenerate).size(), qsizetype{2}, kTimeoutMs);
}

void TokenUiTest::aChangedChallengeClearsTheCode() {
    FakeTaplinkd taplinkd;
    taplinkd.answer(kGenerate, tokenAnswer());
    TokenUi ui(taplinkd.path());
    ui.type(QStringLiteral("12345678"));
    QTest::mouseClick(ui.dialog.generateButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(labelText(ui.dialog, "code"), QStringLiteral("40217735"), kTimeoutMs);
    QTest::keyClick(ui.dialog.challengeField(), Qt::Key_Backspace);
    QVERIFY(labelText(ui.dialog, "code").isEmpty());
    QVERIFY(labelText(ui.dialog, "counter").isEmpty());
    QTest::keyClick(ui.dialog.challengeField(), Qt::Key_9);
    QVERIFY(labelText(ui.dialog, "code").isEmpty());
    QCOMPARE(taplinkd.calls(kGenerate).size(), qsizetype{1});
}

void TokenUiTest::nothingAsksForATokenByItself() {
    FakeTaplinkd taplinkd;
    answerTheStartupCalls(taplinkd);
    taplinkd.answer(kGenerate, tokenAnswer());
    AppCore core(taplinkd.path());
    MainWindow window(core);
    window.show();
    core.start();
    QTRY_VERIFY_WITH_TIMEOUT(core.trustedUi().attached(), kTimeoutMs);
    TokenDialog* dialog = window.openTokenDialog();
    QTest::keyClicks(dialog->challengeField(), QStringLiteral("12345678"));  // typed, not pressed
    taplinkd.notify("card.removed", {{"reader", "Sim Reader 00"}});
    taplinkd.notify("card.inserted", {{"reader", "Sim Reader 00"}, {"scheme", "bank-ec"}});
    taplinkd.restart();
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.connections(), 2, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.calls("ui.attach").size(), qsizetype{2}, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(core.trustedUi().attached(), kTimeoutMs);
    settle();
    QVERIFY(taplinkd.calls("readers.list").size() >= 2);  // the window did talk to taplinkd
    QVERIFY(taplinkd.calls(kGenerate).isEmpty());
    QVERIFY(dialog->generateButton()->isEnabled());
}

void TokenUiTest::eachTokenErrorHasItsOwnTextInBothLanguages() {
    const std::array<std::pair<const char*, api::ErrorCode>, 3> errors{
        {{"invalid_params", api::ErrorCode::InvalidParams},
         {"chip_locked", api::ErrorCode::ChipLocked},
         {"chip_unavailable", api::ErrorCode::ChipUnavailable}}};
    for (const QString& language : {QStringLiteral("en"), QStringLiteral("zh_CN")}) {
        QVERIFY(installTranslation(language));
        for (const auto& [name, code] : errors) {
            FakeTaplinkd taplinkd;
            taplinkd.fail(kGenerate, QString::fromLatin1(name));
            TokenUi ui(taplinkd.path());
            ui.type(QStringLiteral("12345678"));
            QTest::mouseClick(ui.dialog.generateButton(), Qt::LeftButton);
            const ErrorText text = describeError(code, ErrorTopic::DynamicToken);
            QTRY_COMPARE_WITH_TIMEOUT(labelText(ui.dialog, "error"),
                                      text.what + QLatin1Char('\n') + text.todo, kTimeoutMs);
            QVERIFY(labelText(ui.dialog, "code").isEmpty());
            QVERIFY(ui.dialog.generateButton()->isEnabled());
            // Its own words, not the top-up's or the fallback's.
            QVERIFY2(text.what != describeError(code).what, name);
            QVERIFY2(text.what != describeError(api::ErrorCode::Internal).what, name);
        }
    }
    QCOMPARE(describeError(api::ErrorCode::ChipLocked, ErrorTopic::DynamicToken).what,
             QStringLiteral("本设备的支付应用尚未激活，或已被运营方锁定。没有生成动态口令。"));
    QVERIFY(installTranslation(QStringLiteral("en")));
    QCOMPARE(describeError(api::ErrorCode::ChipLocked, ErrorTopic::DynamicToken).what,
             QStringLiteral("This device's payment applet is not activated yet, or its operator "
                            "has locked it. No code was generated."));
    // A code without a token text of its own reads as everywhere else.
    QCOMPARE(describeError(api::ErrorCode::Busy, ErrorTopic::DynamicToken).what,
             describeError(api::ErrorCode::Busy).what);
}

void TokenUiTest::wrongPinAndLimitExceededHaveTextsInBothLanguages() {
    for (const api::ErrorCode code : {api::ErrorCode::WrongPin, api::ErrorCode::LimitExceeded}) {
        const QByteArray name = failureName(code).toUtf8();
        QVERIFY(installTranslation(QStringLiteral("en")));
        const ErrorText english = describeError(code);
        QVERIFY2(english.what != describeError(api::ErrorCode::Internal).what, name.constData());
        QVERIFY2(english.what.contains(QStringLiteral("Nothing was charged")), name.constData());
        QVERIFY(installTranslation(QStringLiteral("zh_CN")));
        const ErrorText chinese = describeError(code);
        QVERIFY2(chinese.what != english.what && chinese.todo != english.todo, name.constData());
        QVERIFY2(chinese.what.contains(QStringLiteral("没有扣款")), name.constData());
    }
}

// The real chip on the bed (taplinkd, taplink-sim's payment applet, taplink-server's TSM and
// token verification): before the TSM personalised the applet the dialog says chip_locked in
// its own words; after, it shows the code and counter the bank accepts for the challenge.
void TokenUiTest::theChipsCodeIsShownAndTheBankAcceptsIt() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    TokenDialog dialog(gui->core().connection());
    dialog.show();
    QTRY_VERIFY_WITH_TIMEOUT(gui->core().connection().isConnected(), kTimeoutMs);
    QTest::keyClicks(dialog.challengeField(), QStringLiteral("12345678"));
    QTest::mouseClick(dialog.generateButton(), Qt::LeftButton);
    const ErrorText locked = describeError(api::ErrorCode::ChipLocked, ErrorTopic::DynamicToken);
    QTRY_COMPARE_WITH_TIMEOUT(labelText(dialog, "error"),
                              locked.what + QLatin1Char('\n') + locked.todo, kTimeoutMs);

    testbed::personalisePaymentApplet(gui->bed());
    QTest::mouseClick(dialog.generateButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!labelText(dialog, "code").isEmpty(), kTimeoutMs);
    QVERIFY(labelText(dialog, "error").isEmpty());
    const nlohmann::json verified =
        gui->bed().serverAdmin("POST", "/admin/tokens/verify",
                               {{"chipSerial", testbed::chipSerial(gui->bed())},
                                {"challenge", "12345678"},
                                {"code", labelText(dialog, "code").toStdString()}});
    QVERIFY2(verified.value("verified", false), verified.dump().c_str());
    QCOMPARE(labelText(dialog, "counter"),
             QStringLiteral("counter %1").arg(verified.at("counter").get<qint64>()));
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::TokenUiTest)
