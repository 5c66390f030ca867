#include "ui/card_panel.hpp"

#include <QFormLayout>
#include <QLabel>
#include <QStackedLayout>

#include "core/card_watcher.hpp"
#include "core/error_texts.hpp"
#include "core/money.hpp"
#include "core/readers_model.hpp"
#include "ui/qt_new.hpp"

namespace taplink::gui {

namespace {

QLabel* valueLabel(const QString& objectName, const QString& accessibleName) {
    auto* label = qtNew<QLabel>();
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

}  // namespace

CardPanel::CardPanel(CardWatcher& watcher, QWidget* parent)
    : QGroupBox(tr("Card"), parent),
      watcher_(watcher),
      stack_(qtNew<QStackedLayout>(this)),
      message_(qtNew<QLabel>()),
      cardName_(valueLabel("cardName", tr("Card"))),
      reader_(valueLabel("cardReader", tr("Reader"))),
      issuer_(valueLabel("cardIssuer", tr("Issuer"))),
      validity_(valueLabel("cardValidity", tr("Valid"))),
      balance_(valueLabel("cardBalance", tr("Balance"))) {
    message_->setObjectName("cardMessage");
    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignCenter);
    stack_->addWidget(message_);
    stack_->addWidget(buildDetails());
    QFont big = balance_->font();
    big.setPointSizeF(big.pointSizeF() * 2);
    big.setBold(true);
    balance_->setFont(big);
    connect(&watcher_, &CardWatcher::changed, this, &CardPanel::refresh);
    refresh();
}

QWidget* CardPanel::buildDetails() {
    auto* details = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(details);
    form->addRow(tr("Balance:"), balance_);
    form->addRow(tr("Card:"), cardName_);
    form->addRow(tr("Issuer:"), issuer_);
    form->addRow(tr("Valid:"), validity_);
    form->addRow(tr("Reader:"), reader_);
    return details;
}

void CardPanel::showMessage(const QString& message) {
    message_->setText(message);
    stack_->setCurrentWidget(message_);
}

void CardPanel::refresh() {
    switch (watcher_.status()) {
        case CardWatcher::Status::Away:
            showMessage(tr("The TapLink service is not running."));
            return;
        case CardWatcher::Status::NoReader:
            showMessage(tr("No card reader is connected. Plug one in."));
            return;
        case CardWatcher::Status::NoCard:
            showMessage(tr("Place a card on the reader."));
            return;
        case CardWatcher::Status::Reading:
            showMessage(tr("Reading the card…"));
            return;
        case CardWatcher::Status::Failed: {
            const ErrorText text = describeError(*watcher_.error());
            showMessage(text.what + QLatin1Char('\n') + text.todo);
            return;
        }
        case CardWatcher::Status::Ready:
            break;
    }
    const CardInfo& card = *watcher_.card();
    cardName_->setText(describeCard(card.scheme, card.serial));
    reader_->setText(card.reader);
    issuer_->setText(card.issuerId);
    validity_->setText(tr("%1 to %2").arg(card.validFrom, card.validUntil));
    balance_->setText(formatFen(card.balance));
    stack_->setCurrentIndex(1);
}

}  // namespace taplink::gui
