#include "ui/confirmation_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/money.hpp"
#include "core/readers_model.hpp"
#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"
#include "ui/request_widgets.hpp"

namespace taplink::gui {

namespace {

// What the dialog shows, from a top-up's, an EC load's or a purchase's question.
struct Shown {
    qint64 amount = 0;
    QString merchant;  // purchases only
    QString maskedCard;
    QString card;  // "Bank card …1234 (PBOC DEBIT)"
    QString reader;
    QString orderId;
};

QString cardText(const QString& scheme, const QString& serial, const QString& application) {
    const QString card = describeCard(scheme, serial);
    return application.isEmpty() ? card : QStringLiteral("%1 (%2)").arg(card, application);
}

Shown shownOf(const UiRequest& request) {
    if (request.isPay()) {
        const PurchaseQuestion pay = request.purchase.value_or(PurchaseQuestion{});
        return {pay.amount, pay.merchant, pay.pan, cardText(pay.scheme, pay.pan, pay.application),
                pay.reader, pay.orderId};
    }
    const TopupQuestion topup = request.topup.value_or(TopupQuestion{});
    return {topup.amount, QString(),
            topup.serial, cardText(topup.scheme, topup.serial, topup.application),
            topup.reader, topup.orderId};
}

}  // namespace

QString confirmationQuestion(const UiRequest& request) {
    const Shown shown = shownOf(request);
    if (request.isPay()) {
        return ConfirmationDialog::tr("Pay %1 to %2 with card %3?")
            .arg(formatFen(shown.amount), shown.merchant, shown.maskedCard);
    }
    if (request.isEcload()) {
        return ConfirmationDialog::tr("Load %1 onto card %2?")
            .arg(formatFen(shown.amount), shown.maskedCard);
    }
    return ConfirmationDialog::tr("Load %1 onto card %2 for %3?")
        .arg(formatFen(shown.amount), shown.maskedCard, originHost(request.origin));
}

QString ConfirmationDialog::titleText(const UiRequest& request) {
    if (request.isPay()) {
        return tr("TapLink — confirm a payment");
    }
    return request.isEcload() ? tr("TapLink — confirm an EC load")
                              : tr("TapLink — confirm a top-up");
}

ConfirmationDialog::ConfirmationDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      allow_(qtNew<QPushButton>(tr("&Allow"))),
      deny_(qtNew<QPushButton>(tr("&Deny"))) {
    setObjectName("confirmationDialog");
    setWindowTitle(titleText(request));
    setWindowIcon(appIcon());
    setWindowFlag(Qt::WindowStaysOnTopHint);
    auto* layout = qtNew<QVBoxLayout>(this);
    if (!request.origin.isEmpty()) {
        layout->addWidget(makeOriginBlock(request));  // an owner's EC load has no origin
    }
    auto* question = qtNew<QLabel>(confirmationQuestion(request));
    question->setObjectName("question");
    question->setTextFormat(Qt::PlainText);
    question->setWordWrap(true);
    constexpr int kWidthInCharacters = 72;  // wide enough that the question is not squeezed
    question->setMinimumWidth(question->fontMetrics().averageCharWidth() * kWidthInCharacters);
    QFont bigger = question->font();
    bigger.setPointSizeF(bigger.pointSizeF() * 1.3);
    question->setFont(bigger);
    layout->addWidget(question);
    layout->addWidget(buildDetails(request));
    auto* hint = qtNew<QLabel>(hintText(request));
    hint->setObjectName("hint");
    hint->setTextFormat(Qt::PlainText);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    layout->addWidget(qtNew<ExpiryLabel>(request.expiresAt));

    allow_->setObjectName("allowButton");
    deny_->setObjectName("denyButton");
    allow_->setAutoDefault(false);
    deny_->setDefault(true);
    auto* buttons = qtNew<QDialogButtonBox>();
    buttons->addButton(deny_, QDialogButtonBox::RejectRole);
    buttons->addButton(allow_, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    deny_->setFocus();
}

QString ConfirmationDialog::hintText(const UiRequest& request) {
    if (request.isPay()) {
        return request.origin.isEmpty()
                   ? tr("The amount is charged to your bank card's account.")
                   : tr("Allow it only if you started this payment on %1 yourself.")
                         .arg(originHost(request.origin));
    }
    if (!request.isEcload()) {
        return tr("Allow it only if you started this top-up on %1 yourself.")
            .arg(originHost(request.origin));
    }
    if (request.origin.isEmpty()) {
        return tr("The amount is moved from your bank account onto the card's e-cash.");
    }
    return tr("Allow it only if you started this EC load on %1 yourself.")
        .arg(originHost(request.origin));
}

QWidget* ConfirmationDialog::buildDetails(const UiRequest& request) {
    auto* details = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(details);
    form->setContentsMargins(0, 0, 0, 0);
    const auto add = [form](const QString& label, const QString& value, const char* name) {
        auto* field = qtNew<QLabel>(value);
        field->setObjectName(name);
        field->setTextFormat(Qt::PlainText);  // a merchant's name is never markup
        field->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(label, field);
    };
    const Shown shown = shownOf(request);
    add(tr("Amount:"), formatFen(shown.amount), "amount");
    if (request.isPay()) {
        add(tr("Merchant:"), shown.merchant, "merchant");
    }
    add(tr("Card:"), shown.card, "card");
    add(tr("Reader:"), shown.reader, "reader");
    add(tr("Order:"), shown.orderId, "order");
    return details;
}

}  // namespace taplink::gui
