#include "ui/receipt_page.hpp"

#include <QFormLayout>
#include <QLabel>

#include "core/money.hpp"
#include "ui/qt_new.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui {

ReceiptPage::ReceiptPage(QWidget* parent)
    : QWizardPage(parent),
      amount_(qtNew<QLabel>()),
      balance_(qtNew<QLabel>()),
      order_(qtNew<QLabel>()),
      tac_(qtNew<QLabel>()),
      settled_(qtNew<QLabel>()) {
    setObjectName("receiptPage");
    setTitle(tr("Top-up complete"));
    setSubTitle(tr("You can take the card off the reader."));
    setFinalPage(true);
    auto* form = qtNew<QFormLayout>(this);
    const auto add = [form](const QString& label, QLabel* value, const char* name) {
        value->setObjectName(name);
        value->setTextFormat(Qt::PlainText);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(label, value);
    };
    add(tr("Loaded:"), amount_, "receiptAmount");
    add(tr("Balance:"), balance_, "receiptBalance");
    add(tr("Order:"), order_, "receiptOrder");
    add(tr("Card certificate (TAC):"), tac_, "receiptTac");
    tacLabel_ = qobject_cast<QLabel*>(form->labelForField(tac_));
    add(tr("Server:"), settled_, "receiptSettled");
    QFont big = amount_->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    amount_->setFont(big);
}

void ReceiptPage::initializePage() {
    const auto& result = qobject_cast<TopupWizard*>(wizard())->result();
    if (!result) {
        return;
    }
    setTitle(result->isEcload() ? tr("E-cash loaded (圈存)") : tr("Top-up complete"));
    if (tacLabel_ != nullptr) {
        tacLabel_->setText(result->isEcload() ? tr("Card:") : tr("Card certificate (TAC):"));
    }
    amount_->setText(formatFen(result->amount));
    balance_->setText(
        tr("%1 → %2").arg(formatFen(result->balanceBefore), formatFen(result->balanceAfter)));
    order_->setText(result->orderId);
    tac_->setText(result->isEcload()
                      ? QStringLiteral("%1 %2").arg(result->pan, result->application).trimmed()
                      : result->tac);
    settled_->setText(result->settled
                          ? tr("Confirmed by the top-up server.")
                          : tr("Loaded onto the card; TapLink is still confirming it with the "
                               "top-up server and finishes that by itself."));
}

}  // namespace taplink::gui
