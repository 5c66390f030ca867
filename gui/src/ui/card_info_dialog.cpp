#include "ui/card_info_dialog.hpp"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"
#include "ui/request_widgets.hpp"

namespace taplink::gui {

CardInfoDialog::CardInfoDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      allow_(qtNew<QPushButton>(tr("&Show it"))),
      deny_(qtNew<QPushButton>(tr("&Deny"))) {
    setObjectName("cardInfoDialog");
    setWindowTitle(tr("TapLink — show your card to a website?"));
    setWindowIcon(appIcon());
    setWindowFlag(Qt::WindowStaysOnTopHint);
    auto* layout = qtNew<QVBoxLayout>(this);
    layout->addWidget(makeOriginBlock(request));
    auto* question = qtNew<QLabel>(
        tr("%1 wants to read the card on %2: its number (partly hidden), balance, issuer and "
           "validity. TapLink asks once for this website.")
            .arg(originHost(request.origin), request.cardReader));
    question->setObjectName("question");
    question->setTextFormat(Qt::PlainText);
    question->setWordWrap(true);
    constexpr int kWidthInCharacters = 64;  // wide enough that the question is not squeezed
    question->setMinimumWidth(question->fontMetrics().averageCharWidth() * kWidthInCharacters);
    layout->addWidget(question);
    layout->addWidget(qtNew<ExpiryLabel>(request.expiresAt));
    layout->addWidget(buildButtons());
    deny_->setFocus();
}

QWidget* CardInfoDialog::buildButtons() {
    allow_->setObjectName("allowButton");
    deny_->setObjectName("denyButton");
    allow_->setAutoDefault(false);
    deny_->setDefault(true);  // Enter refuses, as Esc does
    auto* buttons = qtNew<QDialogButtonBox>();
    buttons->addButton(deny_, QDialogButtonBox::RejectRole);
    buttons->addButton(allow_, QDialogButtonBox::AcceptRole);
    connect(allow_, &QPushButton::clicked, this, &QDialog::accept);
    connect(deny_, &QPushButton::clicked, this, &QDialog::reject);
    return buttons;
}

}  // namespace taplink::gui
