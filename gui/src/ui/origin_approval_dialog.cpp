#include "ui/origin_approval_dialog.hpp"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"
#include "ui/request_widgets.hpp"

namespace taplink::gui {

OriginApprovalDialog::OriginApprovalDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      deny_(qtNew<QPushButton>(tr("&Deny"))),
      once_(qtNew<QPushButton>(tr("Allow &once"))),
      always_(qtNew<QPushButton>(tr("Al&ways allow"))) {
    setObjectName("originApprovalDialog");
    setWindowTitle(tr("TapLink — allow a website?"));
    setWindowIcon(appIcon());
    setWindowFlag(Qt::WindowStaysOnTopHint);
    auto* layout = qtNew<QVBoxLayout>(this);
    layout->addWidget(makeOriginBlock(request));
    auto* question = qtNew<QLabel>(
        tr("Allow %1 to use your card reader? It may ask to see your card and to top it up.")
            .arg(originHost(request.origin)));
    question->setObjectName("question");
    question->setTextFormat(Qt::PlainText);
    question->setWordWrap(true);
    constexpr int kWidthInCharacters = 72;  // wide enough that the question is not squeezed
    question->setMinimumWidth(question->fontMetrics().averageCharWidth() * kWidthInCharacters);
    layout->addWidget(question);
    layout->addWidget(qtNew<ExpiryLabel>(request.expiresAt));

    deny_->setObjectName("denyButton");
    once_->setObjectName("allowOnceButton");
    always_->setObjectName("allowAlwaysButton");
    once_->setAutoDefault(false);
    always_->setAutoDefault(false);
    deny_->setDefault(true);
    auto* buttons = qtNew<QDialogButtonBox>();
    buttons->addButton(deny_, QDialogButtonBox::RejectRole);
    buttons->addButton(once_, QDialogButtonBox::ActionRole);
    buttons->addButton(always_, QDialogButtonBox::ActionRole);
    connect(deny_, &QPushButton::clicked, this, [this] { done(Deny); });
    connect(once_, &QPushButton::clicked, this, [this] { done(AllowOnce); });
    connect(always_, &QPushButton::clicked, this, [this] { done(AllowAlways); });
    layout->addWidget(buttons);
    deny_->setFocus();
}

}  // namespace taplink::gui
