#include "ui/confirm_page.hpp"

#include <QFormLayout>
#include <QLabel>

#include "core/app_core.hpp"
#include "core/money.hpp"
#include "ui/qt_new.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui {

ConfirmPage::ConfirmPage(QWidget* parent)
    : QWizardPage(parent),
      order_(qtNew<QLabel>()),
      amount_(qtNew<QLabel>()),
      card_(qtNew<QLabel>()) {
    setObjectName("confirmPage");
    setTitle(tr("Check and top up"));
    setSubTitle(
        tr("TapLink loads the amount of the order onto the card. Keep the card on the "
           "reader until it is done."));
    setCommitPage(true);
    auto* form = qtNew<QFormLayout>(this);
    order_->setObjectName("confirmOrder");
    amount_->setObjectName("confirmAmount");
    card_->setObjectName("confirmCard");
    for (QLabel* value : {order_, amount_, card_}) {
        value->setTextFormat(Qt::PlainText);
        value->setWordWrap(true);
    }
    form->addRow(tr("Order:"), order_);
    form->addRow(tr("Amount:"), amount_);
    form->addRow(tr("Card:"), card_);
}

QString ConfirmPage::cardText() const {
    auto* topup = qobject_cast<TopupWizard*>(wizard());
    const CardWatcher& watcher = topup->core().card();
    if (watcher.status() != CardWatcher::Status::Ready) {
        return tr("No card on the reader yet: you will be asked to place it.");
    }
    const CardInfo& card = *watcher.card();
    return tr("%1, balance now %2")
        .arg(describeCard(card.scheme, card.serial), formatFen(card.balance));
}

void ConfirmPage::initializePage() {
    auto* topup = qobject_cast<TopupWizard*>(wizard());
    order_->setText(topup->orderId());
    const std::optional<qint64> amount = topup->knownAmount();
    amount_->setText(amount ? formatFen(*amount)
                            : tr("As set by the order; the receipt shows it."));
    card_->setText(cardText());
}

}  // namespace taplink::gui
