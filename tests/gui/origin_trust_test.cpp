#include "origin_trust_test.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QLabel>
#include <QTest>

#include "core/daemon_connection.hpp"
#include "core/trusted_ui_broker.hpp"
#include "fake_taplinkd.hpp"
#include "gui_test_support.hpp"
#include "ui/application.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/origin_approval_dialog.hpp"
#include "ui/trusted_ui_presenter.hpp"

namespace taplink::gui::test {

namespace {

// What the trust line says (docs/api.md "Trusted UI"; zh_CN as the brief gave it).
enum class Said { VouchedEn, ClaimedEn, VouchedZh, ClaimedZh };

QString text(Said said) {
    switch (said) {
        case Said::VouchedEn:
            return QStringLiteral("Verified by your browser");
        case Said::ClaimedEn:
            return QStringLiteral("Claimed by a local program; not verified by the browser");
        case Said::VouchedZh:
            return QStringLiteral("已由浏览器验证");
        case Said::ClaimedZh:
            return QStringLiteral("由本机程序声明，未经浏览器验证");
    }
    return {};
}

QString expiresAt() {
    return QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate);
}

// ui.request kind "origin" as taplinkd sends it (docs/api.md "Trusted UI").
QJsonObject originParams(const QString& id, bool vouched) {
    return {{"id", id},
            {"kind", "origin"},
            {"origin", "https://shop.example"},
            {"transport", vouched ? "native-messaging" : "websocket"},
            {"originVouched", vouched},
            {"expiresAt", expiresAt()}};
}

// ui.request kind "topup" from the same page.
QJsonObject topupParams(const QString& id, bool vouched) {
    QJsonObject params = originParams(id, vouched);
    params.insert("kind", "topup");
    params.insert("topup", QJsonObject{{"orderId", "ORD-T"},
                                       {"amount", 2000},
                                       {"currency", "CNY"},
                                       {"card", QJsonObject{{"reader", "Sim Reader 00"},
                                                            {"scheme", "city"},
                                                            {"serial", "\u20260042"}}}});
    return params;
}

QLabel* trustLabel(const QWidget& dialog) {
    return dialog.findChild<QLabel*>("originTrust");
}

// The trust line of both dialogs that show an origin, for one value of originVouched.
void checkTrustLine(bool vouched, const QString& expected) {
    const OriginApprovalDialog origin(
        uiRequestFromJson(originParams(QStringLiteral("o1"), vouched)));
    const ConfirmationDialog topup(uiRequestFromJson(topupParams(QStringLiteral("t1"), vouched)));
    for (const QWidget* dialog :
         {static_cast<const QWidget*>(&origin), static_cast<const QWidget*>(&topup)}) {
        const QLabel* label = trustLabel(*dialog);
        QVERIFY(label != nullptr);
        QCOMPARE(label->text(), expected);
        QCOMPARE(label->textFormat(), Qt::PlainText);
        // Only the claimed origin stands out as a warning.
        QCOMPARE(label->styleSheet().isEmpty(), vouched);
    }
}

// taplinkd's end of the socket: the questions as pending on ui.attach.
class TaplinkdSocket : public FakeTaplinkd {
  public:
    explicit TaplinkdSocket(const QJsonArray& pending) {
        answer("ui.attach", QJsonObject{{"attached", true}, {"pending", pending}});
    }
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

}  // namespace

void OriginTrustTest::cleanup() {
    installTranslation(QStringLiteral("en"));
}

void OriginTrustTest::theDialogsSayWhetherTheBrowserVouchedInBothLanguages() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    TAPLINK_GUI_STEP(checkTrustLine(true, text(Said::VouchedEn)));
    TAPLINK_GUI_STEP(checkTrustLine(false, text(Said::ClaimedEn)));
    QVERIFY(installTranslation(QStringLiteral("zh_CN")));
    TAPLINK_GUI_STEP(checkTrustLine(true, text(Said::VouchedZh)));
    TAPLINK_GUI_STEP(checkTrustLine(false, text(Said::ClaimedZh)));

    // A question without the member (an older taplinkd) is never shown as vouched.
    QJsonObject unsaid = originParams(QStringLiteral("o2"), true);
    unsaid.remove("originVouched");
    const OriginApprovalDialog dialog(uiRequestFromJson(unsaid));
    QCOMPARE(trustLabel(dialog)->text(), text(Said::ClaimedZh));
}

// Two questions about the same origin, one vouched and one claimed, each in its own dialog.
void OriginTrustTest::taplinkdsQuestionsKeepTheirVouchingUpToTheDialog() {
    QVERIFY(installTranslation(QStringLiteral("en")));
    TaplinkdSocket taplinkd({originParams(QStringLiteral("claimed"), false)});
    TrustedUi ui(taplinkd.path());
    QTRY_COMPARE_WITH_TIMEOUT(ui.presenter.dialogs().size(), qsizetype{1}, kTimeoutMs);
    taplinkd.notify("ui.request", originParams(QStringLiteral("vouched"), true));
    QTRY_COMPARE_WITH_TIMEOUT(ui.presenter.dialogs().size(), qsizetype{2}, kTimeoutMs);
    for (const QDialog* dialog : ui.presenter.dialogs()) {
        const auto* origin = qobject_cast<const OriginApprovalDialog*>(dialog);
        QVERIFY(origin != nullptr);
        const bool vouched = origin->requestId() == QLatin1String("vouched");
        QCOMPARE(trustLabel(*origin)->text(),
                 vouched ? text(Said::VouchedEn) : text(Said::ClaimedEn));
    }
}

// A question of a kind this app does not know (a newer taplinkd's) is denied, never shown as
// something else: an origin dialog's "Allow" would grant what the user was not shown.
void OriginTrustTest::anUnknownKindIsDeniedUnseen() {
    QJsonObject future = originParams(QStringLiteral("f1"), true);
    future.insert("kind", "telepathy");
    TaplinkdSocket taplinkd({});
    taplinkd.answer("ui.respond", QJsonObject{{"id", "f1"}, {"accepted", true}});
    TrustedUi ui(taplinkd.path());
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.calls("ui.attach").size(), qsizetype{1}, kTimeoutMs);
    taplinkd.notify("ui.request", future);
    QTRY_COMPARE_WITH_TIMEOUT(taplinkd.calls("ui.respond").size(), qsizetype{1}, kTimeoutMs);
    const QJsonObject answer = taplinkd.calls("ui.respond").first();
    QCOMPARE(answer.value("id").toString(), QStringLiteral("f1"));
    QCOMPARE(answer.value("decision").toString(), QStringLiteral("deny"));
    QVERIFY(ui.presenter.dialogs().isEmpty());
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::OriginTrustTest)
