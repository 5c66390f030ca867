#include "i18n_accessibility_test.hpp"

#include <QAbstractButton>
#include <QAccessible>
#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>
#include <QWizard>
#include <array>

#include "core/app_core.hpp"
#include "core/error_texts.hpp"
#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/main_window.hpp"
#include "ui/origin_approval_dialog.hpp"
#include "ui/pin_dialog.hpp"
#include "ui/settings_dialog.hpp"
#include "ui/token_dialog.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui::test {

namespace {

// No taplinkd: the windows show the "not running" state.
constexpr const char* kNoDaemon = "/nonexistent/taplinkd.sock";

constexpr std::array<FailureCode, 24> kErrorCodes{
    LocalFailure::NotRunning,        LocalFailure::Disconnected,
    api::ErrorCode::NoReader,        api::ErrorCode::PcscUnavailable,
    api::ErrorCode::NoCard,          api::ErrorCode::CardRemoved,
    api::ErrorCode::UnsupportedCard, api::ErrorCode::ServerUnreachable,
    api::ErrorCode::ServerError,     api::ErrorCode::OrderNotFound,
    api::ErrorCode::OrderSettled,    api::ErrorCode::Declined,
    api::ErrorCode::Cancelled,       api::ErrorCode::Timeout,
    api::ErrorCode::ChipUnavailable, api::ErrorCode::Busy,
    api::ErrorCode::Internal,        api::ErrorCode::OriginDenied,
    api::ErrorCode::UserDenied,      api::ErrorCode::ConfirmationUnavailable,
    api::ErrorCode::RateLimited,     LocalFailure::MerchantUnreachable,
    api::ErrorCode::WrongPin,        api::ErrorCode::LimitExceeded};

UiRequest topupRequest() {
    UiRequest request;
    request.id = QStringLiteral("1");
    request.kind = QStringLiteral("topup");
    request.origin = QStringLiteral("https://shop.example");
    request.transport = QStringLiteral("native-messaging");
    request.topup = TopupQuestion{QStringLiteral("ORD-1"),
                                  5000,
                                  QStringLiteral("CNY"),
                                  QStringLiteral("Reader"),
                                  QStringLiteral("city-epurse"),
                                  QStringLiteral("…0042"),
                                  QString()};
    request.expiresAt = QDateTime::currentDateTimeUtc().addSecs(60);
    return request;
}

UiRequest pinRequest() {
    UiRequest request = topupRequest();
    request.kind = QStringLiteral("pin");
    request.topup.reset();
    PurchaseQuestion pin;
    pin.orderId = QStringLiteral("ORD-1");
    pin.amount = 5000;
    pin.merchant = QStringLiteral("Demo Shop");
    pin.pan = QStringLiteral("…1234");
    request.purchase = pin;
    return request;
}

UiRequest originRequest() {
    UiRequest request = topupRequest();
    request.kind = QStringLiteral("origin");
    request.topup.reset();
    return request;
}

// Keyboard-reachable widgets without an accessible name, as "class objectName" lines.
QStringList unnamedControls(QWidget* window) {
    QStringList unnamed;
    const QList<QWidget*> widgets = window->findChildren<QWidget*>();
    for (QWidget* widget : widgets) {
        if (!widget->isVisibleTo(window) || (widget->focusPolicy() & Qt::TabFocus) == 0) {
            continue;
        }
        QAccessibleInterface* accessible = QAccessible::queryAccessibleInterface(widget);
        if (accessible == nullptr || accessible->text(QAccessible::Name).trimmed().isEmpty()) {
            unnamed.append(QString::fromLatin1(widget->metaObject()->className()) +
                           QLatin1Char(' ') + widget->objectName());
        }
    }
    return unnamed;
}

// Fails the test with the list of unnamed controls.
#define EXPECT_ALL_NAMED(window)                                                     \
    do {                                                                             \
        const QStringList unnamed = unnamedControls(window);                         \
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", ")))); \
    } while (false)

// Each window the app has, shown; checks that all its controls are named.
void checkEveryWindow(AppCore& core) {
    MainWindow window(core);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EXPECT_ALL_NAMED(&window);

    TopupWizard* wizard = window.openTopupWizard();
    QVERIFY(QTest::qWaitForWindowExposed(wizard));
    EXPECT_ALL_NAMED(wizard);
    wizard->close();

    SettingsDialog* settings = window.openSettings();
    QVERIFY(QTest::qWaitForWindowExposed(settings));
    auto* tabs = settings->findChild<QTabWidget*>("settingsTabs");
    for (int tab = 0; tab < tabs->count(); ++tab) {
        tabs->setCurrentIndex(tab);
        EXPECT_ALL_NAMED(settings);
    }
    settings->close();

    TokenDialog* token = window.openTokenDialog();
    QVERIFY(QTest::qWaitForWindowExposed(token));
    EXPECT_ALL_NAMED(token);
    token->close();

    OriginApprovalDialog origin(originRequest());
    origin.show();
    EXPECT_ALL_NAMED(&origin);
    QCOMPARE(origin.focusWidget(), static_cast<QWidget*>(origin.denyButton()));

    PinDialog pin(pinRequest());
    pin.show();
    EXPECT_ALL_NAMED(&pin);
}

// The confirmation dialog: named controls, Deny focused, and Tab reaches Allow.
void checkConfirmationKeyboard() {
    ConfirmationDialog confirmation(topupRequest());
    confirmation.show();
    QVERIFY(QTest::qWaitForWindowActive(&confirmation));
    EXPECT_ALL_NAMED(&confirmation);
    QCOMPARE(confirmation.focusWidget(), static_cast<QWidget*>(confirmation.denyButton()));
    for (int presses = 0; presses < 10 && confirmation.focusWidget() != confirmation.allowButton();
         ++presses) {
        QTest::keyClick(confirmation.focusWidget(), Qt::Key_Tab);
    }
    QCOMPARE(confirmation.focusWidget(), static_cast<QWidget*>(confirmation.allowButton()));
}

}  // namespace

void I18nAccessibilityTest::cleanup() {
    installTranslation(QStringLiteral("en"));
}

void I18nAccessibilityTest::simplifiedChineseDiffersFromEnglish() {
    AppCore core(QString::fromLatin1(kNoDaemon));
    QVERIFY(installTranslation(QStringLiteral("en")));
    const QString englishTitle = TopupWizard::tr("Top up a card");
    QList<ErrorText> english;
    for (const FailureCode& code : kErrorCodes) {
        english.append(describeError(code));
    }
    MainWindow englishWindow(core);
    const QString englishBanner = englishWindow.findChild<QLabel*>("connectionBanner")->text();

    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    QCOMPARE(TopupWizard::tr("Top up a card"), QStringLiteral("为卡充值"));
    QVERIFY(TopupWizard::tr("Top up a card") != englishTitle);
    for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
        const ErrorText chinese = describeError(kErrorCodes.at(i));
        const QByteArray name = failureName(kErrorCodes.at(i)).toUtf8();
        QVERIFY2(chinese.what != english.at(static_cast<qsizetype>(i)).what, name.constData());
        QVERIFY2(chinese.todo != english.at(static_cast<qsizetype>(i)).todo, name.constData());
    }
    MainWindow chineseWindow(core);
    const QString chineseBanner = chineseWindow.findChild<QLabel*>("connectionBanner")->text();
    QVERIFY(!chineseBanner.isEmpty());
    QVERIFY(chineseBanner != englishBanner);
    ConfirmationDialog dialog(topupRequest());
    QCOMPARE(dialog.findChild<QLabel*>("question")->text(),
             QStringLiteral("为 shop.example 向卡 …0042 充值 ¥50.00？"));
}

void I18nAccessibilityTest::everyControlHasAnAccessibleNameInEnglish() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    AppCore core(QString::fromLatin1(kNoDaemon));
    core.start();
    TAPLINK_GUI_STEP(checkEveryWindow(core));
    checkConfirmationKeyboard();
}

void I18nAccessibilityTest::everyControlHasAnAccessibleNameInChinese() {
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    AppCore core(QString::fromLatin1(kNoDaemon));
    core.start();
    TAPLINK_GUI_STEP(checkEveryWindow(core));
    checkConfirmationKeyboard();
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::I18nAccessibilityTest)
