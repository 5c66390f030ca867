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

QString confirmationQuestion(const UiRequest& request) {
    const TopupQuestion topup = request.topup.value_or(TopupQuestion{});
    if (request.isEcload()) {
        return ConfirmationDialog::tr("Load %1 onto card %2?")
            .arg(formatFen(topup.amount), topup.serial);
    }
    return ConfirmationDialog::tr("Load %1 onto card %2 for %3?")
        .arg(formatFen(topup.amount), topup.serial, originHost(request.origin));
}

ConfirmationDialog::ConfirmationDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      allow_(qtNew<QPushButton>(tr("&Allow"))),
      deny_(qtNew<QPushButton>(tr("&Deny"))) {
    setObjectName("confirmationDialog");
    const bool ecload = request.isEcload();
    setWindowTitle(ecload ? tr("TapLink — confirm an EC load") : tr("TapLink — confirm a top-up"));
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
    layout->addWidget(buildDetails(request.topup.value_or(TopupQuestion{})));
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

QWidget* ConfirmationDialog::buildDetails(const TopupQuestion& topup) {
    auto* details = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(details);
    form->setContentsMargins(0, 0, 0, 0);
    const auto add = [form](const QString& label, const QString& value, const char* name) {
        auto* field = qtNew<QLabel>(value);
        field->setObjectName(name);
        field->setTextFormat(Qt::PlainText);
        field->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(label, field);
    };
    add(tr("Amount:"), formatFen(topup.amount), "amount");
    const QString card = describeCard(topup.scheme, topup.serial);
    add(tr("Card:"),
        topup.application.isEmpty() ? card : QStringLiteral("%1 (%2)").arg(card, topup.application),
        "card");
    add(tr("Reader:"), topup.reader, "reader");
    add(tr("Order:"), topup.orderId, "order");
    return details;
}

}  // namespace taplink::gui
